using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Korvet.Api.Serialization;

/// <summary>
/// JSON nodes → YAML text in the API server's style (<c>Accept: application/yaml</c>, sigs.k8s.io/yaml): block
/// style, keys sorted the way go-yaml sorts map keys (or kept in the object's order on request), list items at the parent key's indentation, strings that would read back as something else (numbers,
/// booleans, null, timestamps) double-quoted, multi-line strings as literal blocks, no line folding. Reading the
/// output with <see cref="YamlReader"/> gives back the same JSON. Stateless; thread-safe.
/// </summary>
public static class YamlWriter
{
    public static string Write(JsonNode? node, bool sortKeys = true) => WriteDocuments([node], sortKeys);

    /// <summary>Several documents separated by <c>---</c>.</summary>
    public static string WriteDocuments(IEnumerable<JsonNode?> documents, bool sortKeys = true)
    {
        var text = new StringWriter { NewLine = "\n" };
        var emitter = new Emitter(text, 2, int.MaxValue);
        emitter.Emit(new StreamStart());
        bool first = true;
        foreach (JsonNode? doc in documents)
        {
            emitter.Emit(new DocumentStart(null, null, isImplicit: first));
            first = false;
            Emit(emitter, doc, sortKeys);
            emitter.Emit(new DocumentEnd(isImplicit: true));
        }

        emitter.Emit(new StreamEnd());
        return text.ToString();
    }

    private static void Emit(IEmitter emitter, JsonNode? node, bool sortKeys)
    {
        switch (node)
        {
            case null:
                emitter.Emit(new Scalar(AnchorName.Empty, TagName.Empty, "null", ScalarStyle.Plain, true, false));
                break;
            case JsonObject obj:
                emitter.Emit(new MappingStart(AnchorName.Empty, TagName.Empty, true, obj.Count == 0 ? MappingStyle.Flow : MappingStyle.Block));
                foreach (KeyValuePair<string, JsonNode?> kv in sortKeys ? obj.OrderBy(kv => kv.Key, GoYamlKeyOrder.Instance) : (IEnumerable<KeyValuePair<string, JsonNode?>>)obj)
                {
                    EmitString(emitter, kv.Key);
                    Emit(emitter, kv.Value, sortKeys);
                }

                emitter.Emit(new MappingEnd());
                break;
            case JsonArray array:
                emitter.Emit(new SequenceStart(AnchorName.Empty, TagName.Empty, true, array.Count == 0 ? SequenceStyle.Flow : SequenceStyle.Block));
                foreach (JsonNode? item in array)
                {
                    Emit(emitter, item, sortKeys);
                }

                emitter.Emit(new SequenceEnd());
                break;
            case JsonValue value:
                switch (value.GetValueKind())
                {
                    case JsonValueKind.String:
                        EmitString(emitter, value.GetValue<string>());
                        break;
                    case JsonValueKind.True:
                    case JsonValueKind.False:
                    case JsonValueKind.Number:
                        emitter.Emit(new Scalar(AnchorName.Empty, TagName.Empty, value.ToJsonString(), ScalarStyle.Plain, true, false));
                        break;
                    default:
                        emitter.Emit(new Scalar(AnchorName.Empty, TagName.Empty, "null", ScalarStyle.Plain, true, false));
                        break;
                }

                break;
        }
    }

    private static void EmitString(IEmitter emitter, string s)
    {
        ScalarStyle style = s.Contains('\n', StringComparison.Ordinal) ? ScalarStyle.Literal
            : ReadsAsNonString(s) ? ScalarStyle.DoubleQuoted
            : ScalarStyle.Plain; // the emitter falls back to quoting when plain is not allowed
        emitter.Emit(new Scalar(AnchorName.Empty, TagName.Empty, s, style, true, true));
    }

    /// <summary>True when a plain scalar with this text would not read back as this string (YAML 1.1 resolution,
    /// plus timestamps, which go-yaml resolves and kubectl therefore quotes).</summary>
    private static bool ReadsAsNonString(string s)
    {
        if (s.Length == 0)
        {
            return true;
        }

        JsonNode? read;
        try
        {
            read = YamlReader.ParseDocument("v: " + s) is JsonObject o ? o["v"] : null;
        }
        catch (ApiCodecException)
        {
            return true;
        }

        if (read is not JsonValue v || v.GetValueKind() != JsonValueKind.String || v.GetValue<string>() != s)
        {
            return true;
        }

        return s.Length >= 8 && char.IsAsciiDigit(s[0]) && s[4] == '-' && DateTime.TryParse(s, System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.RoundtripKind, out _);
    }
}

/// <summary>go-yaml's map key order: letters compare by code point, non-letters sort before letters, and runs of
/// digits compare by numeric value ("a2" &lt; "a10").</summary>
internal sealed class GoYamlKeyOrder : IComparer<string>
{
    public static GoYamlKeyOrder Instance { get; } = new();

    public int Compare(string? x, string? y)
    {
        string a = x ?? "", b = y ?? "";
        for (int i = 0; i < a.Length && i < b.Length; i++)
        {
            if (a[i] == b[i])
            {
                continue;
            }

            bool al = char.IsLetter(a[i]), bl = char.IsLetter(b[i]);
            if (al && bl)
            {
                return a[i].CompareTo(b[i]);
            }

            if (al || bl)
            {
                return bl ? -1 : 1;
            }

            long an = 0, bn = 0;
            if (a[i] == '0' || b[i] == '0')
            {
                for (int j = i - 1; j >= 0 && char.IsAsciiDigit(a[j]); j--)
                {
                    if (a[j] != '0')
                    {
                        an = 1;
                        bn = 1;
                        break;
                    }
                }
            }

            int ai = i, bi = i;
            for (; ai < a.Length && char.IsAsciiDigit(a[ai]); ai++)
            {
                an = (an * 10) + (a[ai] - '0');
            }

            for (; bi < b.Length && char.IsAsciiDigit(b[bi]); bi++)
            {
                bn = (bn * 10) + (b[bi] - '0');
            }

            if (an != bn)
            {
                return an < bn ? -1 : 1;
            }

            if (ai != bi)
            {
                return ai < bi ? -1 : 1;
            }

            return a[i].CompareTo(b[i]);
        }

        return a.Length.CompareTo(b.Length);
    }
}
