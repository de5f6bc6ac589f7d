using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Korvet.Api.Schema;

namespace Korvet.ApiServer.Codecs;

/// <summary>
/// Schema-driven unknown-field checks for request bodies (upstream strict decoding): walks a decoded object along its
/// kind's message, removes every key the message does not declare (built-in types keep only their Go struct fields,
/// so unknown keys are never stored) and reports each as <c>unknown field "spec.replicasx"</c> (paths with dots,
/// list items as <c>[0]</c>). Maps accept any key; raw-JSON and custom JSON forms accept any value. Also finds keys
/// repeated within one JSON object (<c>duplicate field "spec.replicas"</c>). Stateless over an immutable schema;
/// thread-safe.
/// </summary>
public sealed partial class FieldValidator
{
    private readonly ApiSchema _schema;

    public FieldValidator(ApiSchema schema)
    {
        _schema = schema;
    }

    /// <summary>Removes unknown fields from <paramref name="obj"/> in place and appends a problem per field to
    /// <paramref name="problems"/> when it is not null.</summary>
    public void Prune(JsonObject obj, MessageDescriptor message, List<string>? problems) =>
        new Walk(_schema, problems, AllowDirectives: false).Object(obj, message, []);

    /// <summary>Like <see cref="Prune"/> for a JSON merge or strategic merge patch: keys starting with <c>$</c>
    /// (<c>$patch</c>, <c>$setElementOrder/...</c>, <c>$retainKeys</c>, ...) are patch directives, not fields.</summary>
    public void PrunePatch(JsonObject patch, MessageDescriptor message, List<string>? problems) =>
        new Walk(_schema, problems, AllowDirectives: true).Object(patch, message, []);

    /// <summary>The keys repeated within one object of a JSON text, as <c>duplicate field "a.b"</c> problems. The text
    /// must already be valid JSON.</summary>
    public static void FindDuplicates(ReadOnlySpan<byte> json, List<string> problems)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 100 });
        // One frame per open container: the keys seen (objects only), the path segment that leads into it and, for
        // arrays, the index of the next item.
        var keys = new List<HashSet<string>?>();
        var path = new List<string>();
        var indexes = new List<int>();
        string? pendingKey = null;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName:
                    pendingKey = reader.GetString()!;
                    if (!keys[^1]!.Add(pendingKey))
                    {
                        path.Add(pendingKey);
                        problems.Add($"duplicate field \"{Join(path)}\"");
                        path.RemoveAt(path.Count - 1);
                    }

                    break;
                case JsonTokenType.StartObject:
                case JsonTokenType.StartArray:
                    if (keys.Count > 0)
                    {
                        path.Add(Segment(keys, indexes, pendingKey));
                    }

                    keys.Add(reader.TokenType == JsonTokenType.StartObject ? new HashSet<string>(StringComparer.Ordinal) : null);
                    indexes.Add(0);
                    break;
                case JsonTokenType.EndObject:
                case JsonTokenType.EndArray:
                    keys.RemoveAt(keys.Count - 1);
                    indexes.RemoveAt(indexes.Count - 1);
                    if (path.Count > 0 && keys.Count > 0)
                    {
                        path.RemoveAt(path.Count - 1);
                    }

                    AdvanceArray(keys, indexes);
                    break;
                default:
                    AdvanceArray(keys, indexes);
                    break;
            }
        }
    }

    /// <summary>Parses valid JSON into nodes, keeping the last value of a repeated key (as Go's decoder does).</summary>
    public static JsonNode? ParseLastWins(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        return Build(JsonElement.ParseValue(ref reader));
    }

    private static JsonNode? Build(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var obj = new JsonObject();
                foreach (JsonProperty property in element.EnumerateObject())
                {
                    obj[property.Name] = Build(property.Value);
                }

                return obj;
            case JsonValueKind.Array:
                var array = new JsonArray();
                foreach (JsonElement item in element.EnumerateArray())
                {
                    array.Add(Build(item));
                }

                return array;
            case JsonValueKind.Null:
                return null;
            default:
                return JsonValue.Create(element);
        }
    }

    private static string Segment(List<HashSet<string>?> keys, List<int> indexes, string? pendingKey) =>
        keys[^1] is null ? $"[{indexes[^1]}]" : pendingKey!;

    private static void AdvanceArray(List<HashSet<string>?> keys, List<int> indexes)
    {
        if (keys.Count > 0 && keys[^1] is null)
        {
            indexes[^1]++;
        }
    }

    /// <summary>One walk's settings; the path list is the walk's only mutable state.</summary>
    private readonly record struct Walk(ApiSchema Schema, List<string>? Problems, bool AllowDirectives)
    {
        public void Object(JsonObject obj, MessageDescriptor message, List<string> path)
        {
            List<string>? unknown = null;
            foreach ((string key, JsonNode? value) in obj)
            {
                if ((message.EmbedsTypeMeta && key is "apiVersion" or "kind") || (AllowDirectives && key.StartsWith('$')))
                {
                    continue;
                }

                FieldDescriptor? field = Schema.FindJsonField(message, key);
                if (field is null)
                {
                    (unknown ??= []).Add(key);
                    if (Problems is not null)
                    {
                        path.Add(key);
                        Problems.Add($"unknown field \"{Join(path)}\"");
                        path.RemoveAt(path.Count - 1);
                    }

                    continue;
                }

                if (value is null || field.MessageName is null)
                {
                    continue;
                }

                MessageDescriptor? child = Schema.FindMessage(field.MessageName);
                if (child is null || child.JsonForm != JsonForm.Object)
                {
                    continue;
                }

                path.Add(key);
                if (field.Kind == FieldKind.Map)
                {
                    if (value is JsonObject map)
                    {
                        foreach ((string entryKey, JsonNode? entry) in map)
                        {
                            path.Add(entryKey);
                            Value(entry, child, path);
                            path.RemoveAt(path.Count - 1);
                        }
                    }
                }
                else if (field.Repeated && value is JsonArray list)
                {
                    for (int i = 0; i < list.Count; i++)
                    {
                        path.Add($"[{i}]");
                        Value(list[i], child, path);
                        path.RemoveAt(path.Count - 1);
                    }
                }
                else
                {
                    Value(value, child, path);
                }

                path.RemoveAt(path.Count - 1);
            }

            if (unknown is not null)
            {
                foreach (string key in unknown)
                {
                    obj.Remove(key);
                }
            }
        }

        private void Value(JsonNode? value, MessageDescriptor message, List<string> path)
        {
            if (value is JsonObject nested)
            {
                Object(nested, message, path);
            }
        }
    }

    private static string Join(List<string> path)
    {
        var text = new StringBuilder();
        foreach (string segment in path)
        {
            if (text.Length > 0 && !segment.StartsWith('['))
            {
                text.Append('.');
            }

            text.Append(segment);
        }

        return text.ToString();
    }
}
