using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Korvet.Api.Serialization;

/// <summary>
/// YAML text → JSON nodes, reading scalars the way kubectl and the API server (sigs.k8s.io/yaml over go-yaml v2,
/// YAML 1.1) do: quoted, literal and folded scalars are strings; plain scalars resolve to null (<c>~</c>, <c>null</c>,
/// empty), booleans (<c>true/false</c>, <c>yes/no</c>, <c>on/off</c>, <c>y/n</c> in their case variants), integers
/// (decimal, <c>0x</c>, <c>0o</c>/leading-zero octal, <c>0b</c>, underscores allowed), floats, and otherwise strings.
/// Explicit <c>!!str</c>/<c>!!int</c>/<c>!!float</c>/<c>!!bool</c>/<c>!!null</c> tags are honoured. Anchors,
/// aliases and <c>&lt;&lt;</c> merge keys are supported with a bound on the total size, so alias bombs fail fast.
/// Known difference: plain timestamps stay strings as written (go-yaml would reformat them).
/// Every error is an <see cref="ApiCodecException"/> with the line and column. Stateless; thread-safe.
/// </summary>
public static class YamlReader
{
    private const int MaxDepth = 100;
    private const int MaxNodes = 1_000_000;

    /// <summary>All non-empty documents of a (multi-document) YAML stream, in order.</summary>
    public static IReadOnlyList<JsonNode?> ParseDocuments(string yaml)
    {
        var docs = new List<JsonNode?>();
        try
        {
            var parser = new Parser(new StringReader(yaml));
            parser.Consume<StreamStart>();
            while (!parser.TryConsume<StreamEnd>(out _))
            {
                parser.Consume<DocumentStart>();
                var state = new State();
                JsonNode? node = parser.Accept<DocumentEnd>(out _) ? null : ReadNode(parser, state, 0, out bool isNull);
                parser.Consume<DocumentEnd>();
                if (node is not null)
                {
                    docs.Add(node);
                }
            }
        }
        catch (YamlException e)
        {
            throw new ApiCodecException($"yaml: line {e.Start.Line}, column {e.Start.Column}: {e.Message}", e);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or IndexOutOfRangeException or FormatException or OverflowException)
        {
            // YamlDotNet's scanner throws these on some malformed input (found by FuzzTests); it is still bad input.
            throw new ApiCodecException($"yaml: malformed document: {e.Message}", e);
        }

        return docs;
    }

    public static IReadOnlyList<JsonNode?> ParseDocuments(ReadOnlySpan<byte> utf8) => ParseDocuments(Encoding.UTF8.GetString(utf8));

    /// <summary>The single document of <paramref name="yaml"/>; null for an empty stream; an error for several.</summary>
    public static JsonNode? ParseDocument(string yaml)
    {
        IReadOnlyList<JsonNode?> docs = ParseDocuments(yaml);
        return docs.Count switch
        {
            0 => null,
            1 => docs[0],
            _ => throw new ApiCodecException($"yaml: expected one document, found {docs.Count}"),
        };
    }

    public static JsonNode? ParseDocument(ReadOnlySpan<byte> utf8) => ParseDocument(Encoding.UTF8.GetString(utf8));

    private sealed class State
    {
        public Dictionary<string, JsonNode?> Anchors { get; } = new(StringComparer.Ordinal);

        public int Nodes { get; set; }
    }

    private static JsonNode? ReadNode(IParser parser, State state, int depth, out bool isNull)
    {
        isNull = false;
        if (depth > MaxDepth)
        {
            throw new ApiCodecException($"yaml: nesting deeper than {MaxDepth}");
        }

        if (++state.Nodes > MaxNodes)
        {
            throw new ApiCodecException($"yaml: document expands to more than {MaxNodes} nodes");
        }

        if (parser.Current is AnchorAlias alias && parser.MoveNext())
        {
            if (!state.Anchors.TryGetValue(alias.Value.Value, out JsonNode? target))
            {
                throw new ApiCodecException($"yaml: line {alias.Start.Line}: unknown anchor '{alias.Value.Value}' referenced");
            }

            state.Nodes += CountNodes(target);
            if (state.Nodes > MaxNodes)
            {
                throw new ApiCodecException($"yaml: document expands to more than {MaxNodes} nodes");
            }

            isNull = target is null;
            return target?.DeepClone();
        }

        if (parser.Current is Scalar scalar && parser.MoveNext())
        {
            JsonNode? value = ResolveScalar(scalar);
            isNull = value is null;
            Remember(state, scalar.Anchor, value);
            return value;
        }

        if (parser.Current is SequenceStart seq && parser.MoveNext())
        {
            var array = new JsonArray();
            while (!parser.TryConsume<SequenceEnd>(out _))
            {
                array.Add(ReadNode(parser, state, depth + 1, out _));
            }

            Remember(state, seq.Anchor, array);
            return array;
        }

        MappingStart map = parser.Consume<MappingStart>();
        var obj = new JsonObject();
        var merged = new List<JsonObject>();
        while (!parser.TryConsume<MappingEnd>(out _))
        {
            if (parser.Accept<MappingStart>(out _) || parser.Accept<SequenceStart>(out _))
            {
                throw new ApiCodecException($"yaml: line {parser.Current!.Start.Line}: mapping keys must be scalars");
            }

            // Keys are taken as written: JSON keys are strings, and a key like "y" or "on" must not become "true".
            bool plainKey = parser.Current is Scalar { Style: ScalarStyle.Plain };
            JsonNode? keyNode = parser.Current is Scalar keyScalar && parser.MoveNext()
                ? keyScalar.Value
                : ReadNode(parser, state, depth + 1, out _);
            string key = keyNode is JsonValue kv && kv.GetValueKind() == System.Text.Json.JsonValueKind.String
                ? kv.GetValue<string>()
                : keyNode?.ToJsonString() ?? "null";
            JsonNode? value = ReadNode(parser, state, depth + 1, out _);
            if (key == "<<" && plainKey && (value is JsonObject || value is JsonArray))
            {
                foreach (JsonNode? m in value is JsonArray list ? list : new JsonArray(value.DeepClone()))
                {
                    merged.Add(m as JsonObject ?? throw new ApiCodecException("yaml: a merge key (<<) needs a mapping or a list of mappings"));
                }

                continue;
            }

            obj[key] = value; // later duplicates win, as in go-yaml v2
        }

        foreach (JsonObject source in merged)
        {
            foreach (KeyValuePair<string, JsonNode?> kv in source)
            {
                if (!obj.ContainsKey(kv.Key))
                {
                    obj[kv.Key] = kv.Value?.DeepClone();
                }
            }
        }

        Remember(state, map.Anchor, obj);
        return obj;
    }

    private static void Remember(State state, AnchorName anchor, JsonNode? node)
    {
        if (!anchor.IsEmpty)
        {
            state.Anchors[anchor.Value] = node?.DeepClone();
        }
    }

    private static int CountNodes(JsonNode? node) => node switch
    {
        JsonObject o => 1 + o.Sum(kv => CountNodes(kv.Value)),
        JsonArray a => 1 + a.Sum(CountNodes),
        _ => 1,
    };

    private static JsonNode? ResolveScalar(Scalar scalar)
    {
        string value = scalar.Value;
        string tag = scalar.Tag.IsEmpty ? "" : scalar.Tag.Value;
        switch (tag)
        {
            case "tag:yaml.org,2002:str":
            case "tag:yaml.org,2002:binary":
            case "!":
                return value;
            case "tag:yaml.org,2002:null":
                return null;
            case "tag:yaml.org,2002:bool":
                return ResolveBool(value) ?? throw Bad(scalar, "!!bool");
            case "tag:yaml.org,2002:int":
                return ResolveInt(value) ?? throw Bad(scalar, "!!int");
            case "tag:yaml.org,2002:float":
                return ResolveInt(value) ?? ResolveFloat(value, scalar) ?? throw Bad(scalar, "!!float");
            case "":
                break;
            default:
                return value; // unknown local tags: keep the text, as sigs.k8s.io/yaml does
        }

        if (scalar.Style != ScalarStyle.Plain)
        {
            return value;
        }

        if (value is "" or "~" or "null" or "Null" or "NULL")
        {
            return null;
        }

        if (ResolveBool(value) is { } b)
        {
            return b;
        }

        if (value.Length > 0 && (char.IsAsciiDigit(value[0]) || value[0] is '+' or '-' or '.'))
        {
            return ResolveInt(value) ?? ResolveFloat(value, scalar) ?? (JsonNode)value;
        }

        return value;
    }

    private static ApiCodecException Bad(Scalar s, string tag) =>
        new($"yaml: line {s.Start.Line}: cannot decode '{s.Value}' as {tag}");

    private static JsonNode? ResolveBool(string v) => v switch
    {
        "y" or "Y" or "yes" or "Yes" or "YES" or "true" or "True" or "TRUE" or "on" or "On" or "ON" => true,
        "n" or "N" or "no" or "No" or "NO" or "false" or "False" or "FALSE" or "off" or "Off" or "OFF" => false,
        _ => null,
    };

    /// <summary>Go's strconv.ParseInt(s, 0, 64) after removing underscores (unsigned 64-bit as a fallback).</summary>
    private static JsonNode? ResolveInt(string text)
    {
        string s = text.Replace("_", "", StringComparison.Ordinal);
        bool negative = false;
        if (s.Length > 0 && s[0] is '+' or '-')
        {
            negative = s[0] == '-';
            s = s[1..];
        }

        if (s.Length == 0)
        {
            return null;
        }

        int radix = 10;
        if (s.Length > 2 && s[0] == '0' && s[1] is 'x' or 'X')
        {
            radix = 16;
            s = s[2..];
        }
        else if (s.Length > 2 && s[0] == '0' && s[1] is 'b' or 'B')
        {
            radix = 2;
            s = s[2..];
        }
        else if (s.Length > 2 && s[0] == '0' && s[1] is 'o' or 'O')
        {
            radix = 8;
            s = s[2..];
        }
        else if (s.Length > 1 && s[0] == '0')
        {
            radix = 8;
            s = s[1..];
        }

        System.Numerics.BigInteger acc = 0;
        foreach (char c in s)
        {
            int d = char.IsAsciiDigit(c) ? c - '0' : char.IsAsciiLetter(c) ? char.ToLowerInvariant(c) - 'a' + 10 : 99;
            if (d >= radix)
            {
                return null;
            }

            acc = (acc * radix) + d;
        }

        if (negative)
        {
            acc = -acc;
        }

        if (acc >= long.MinValue && acc <= long.MaxValue)
        {
            return (long)acc;
        }

        return acc >= 0 && acc <= ulong.MaxValue ? (JsonNode)(ulong)acc : null;
    }

    private static JsonNode? ResolveFloat(string text, Scalar scalar)
    {
        switch (text)
        {
            case ".inf" or ".Inf" or ".INF" or "+.inf" or "+.Inf" or "+.INF" or "-.inf" or "-.Inf" or "-.INF" or ".nan" or ".NaN" or ".NAN":
                throw new ApiCodecException($"yaml: line {scalar.Start.Line}: {text} has no JSON representation");
        }

        string s = text.Replace("_", "", StringComparison.Ordinal);
        if (s.Length == 0 || !(char.IsAsciiDigit(s[0]) || s[0] is '+' or '-' or '.'))
        {
            return null;
        }

        return double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && double.IsFinite(d)
            ? JsonValue.Create(d)
            : null;
    }
}
