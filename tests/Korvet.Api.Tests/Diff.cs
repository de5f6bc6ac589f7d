using System.Text.Json.Nodes;

namespace Korvet.Api.Tests;

/// <summary>Names the first differences between two JSON trees, for assertion messages.</summary>
public static class Diff
{
    public static string Describe(JsonNode? expected, JsonNode? actual)
    {
        var lines = new List<string>();
        Walk("$", expected, actual, lines);
        return string.Join("\n", lines.Take(10));
    }

    private static void Walk(string path, JsonNode? e, JsonNode? a, List<string> lines)
    {
        if (lines.Count >= 10 || JsonNode.DeepEquals(e, a))
        {
            return;
        }

        if (e is JsonObject eo && a is JsonObject ao)
        {
            foreach (string key in eo.Select(kv => kv.Key).Union(ao.Select(kv => kv.Key)))
            {
                bool inE = eo.ContainsKey(key), inA = ao.ContainsKey(key);
                if (!inE || !inA)
                {
                    lines.Add($"{path}.{key}: {(inE ? "missing" : "unexpected")} ({(inE ? eo[key] : ao[key])?.ToJsonString() ?? "null"})");
                }
                else
                {
                    Walk($"{path}.{key}", eo[key], ao[key], lines);
                }
            }

            return;
        }

        if (e is JsonArray ea && a is JsonArray aa && ea.Count == aa.Count)
        {
            for (int i = 0; i < ea.Count; i++)
            {
                Walk($"{path}[{i}]", ea[i], aa[i], lines);
            }

            return;
        }

        string Short(JsonNode? n) => n?.ToJsonString() is { } s ? (s.Length > 200 ? s[..200] + "..." : s) : "null";
        lines.Add($"{path}: expected {Short(e)}, got {Short(a)}");
    }
}
