using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Korvet.Api.Serialization;

/// <summary>
/// JSON nodes → YAML text in kubectl's style (<c>Accept: application/yaml</c>): block style, keys in the object's
/// order, list items at the parent key's indentation, strings that would read back as something else (numbers,
/// booleans, null, timestamps) double-quoted, multi-line strings as literal blocks, no line folding. Reading the
/// output with <see cref="YamlReader"/> gives back the same JSON. Stateless; thread-safe.
/// </summary>
public static class YamlWriter
{
    public static string Write(JsonNode? node) => WriteDocuments([node]);

    /// <summary>Several documents separated by <c>---</c>.</summary>
    public static string WriteDocuments(IEnumerable<JsonNode?> documents)
    {
        var text = new StringWriter { NewLine = "\n" };
        var emitter = new Emitter(text, 2, int.MaxValue);
        emitter.Emit(new StreamStart());
        bool first = true;
        foreach (JsonNode? doc in documents)
        {
            emitter.Emit(new DocumentStart(null, null, isImplicit: first));
            first = false;
            Emit(emitter, doc);
            emitter.Emit(new DocumentEnd(isImplicit: true));
        }

        emitter.Emit(new StreamEnd());
        return text.ToString();
    }

    private static void Emit(IEmitter emitter, JsonNode? node)
    {
        switch (node)
        {
            case null:
                emitter.Emit(new Scalar(AnchorName.Empty, TagName.Empty, "null", ScalarStyle.Plain, true, false));
                break;
            case JsonObject obj:
                emitter.Emit(new MappingStart(AnchorName.Empty, TagName.Empty, true, obj.Count == 0 ? MappingStyle.Flow : MappingStyle.Block));
                foreach (KeyValuePair<string, JsonNode?> kv in obj)
                {
                    EmitString(emitter, kv.Key);
                    Emit(emitter, kv.Value);
                }

                emitter.Emit(new MappingEnd());
                break;
            case JsonArray array:
                emitter.Emit(new SequenceStart(AnchorName.Empty, TagName.Empty, true, array.Count == 0 ? SequenceStyle.Flow : SequenceStyle.Block));
                foreach (JsonNode? item in array)
                {
                    Emit(emitter, item);
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
