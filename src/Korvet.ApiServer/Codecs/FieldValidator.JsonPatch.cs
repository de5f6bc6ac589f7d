using System.Text.Json.Nodes;
using Korvet.Api.Schema;

namespace Korvet.ApiServer.Codecs;

public sealed partial class FieldValidator
{
    /// <summary>
    /// Unknown fields a JSON patch (RFC 6902) would put into the object. Stored objects never hold unknown fields, so
    /// the patched result has one exactly when an <c>add</c>/<c>replace</c>/<c>copy</c>/<c>move</c> targets a path
    /// the schema does not declare, or an added value holds one; checking the operations is checking the result
    /// without applying it. Values are pruned in place; <c>add</c> operations to an undeclared path are removed from
    /// <paramref name="ops"/> (decoding the patched object would drop that field). Each finding is appended to
    /// <paramref name="problems"/> as <c>unknown field "spec.x"</c>.
    /// </summary>
    public void PruneJsonPatch(JsonArray ops, MessageDescriptor message, List<string> problems)
    {
        var dropped = new List<JsonNode>();
        foreach (JsonNode? op in ops)
        {
            if (op is not JsonObject operation || operation["op"]?.GetValueKind() != System.Text.Json.JsonValueKind.String
                || operation["path"]?.GetValueKind() != System.Text.Json.JsonValueKind.String)
            {
                continue;
            }

            string kind = operation["op"]!.GetValue<string>();
            if (kind is not ("add" or "replace" or "copy" or "move"))
            {
                continue;
            }

            List<string> segments = PointerSegments(operation["path"]!.GetValue<string>());
            var path = new List<string>();
            Target target = Resolve(message, segments, path);
            if (target.Unknown)
            {
                problems.Add($"unknown field \"{Join(path)}\"");
                if (kind == "add")
                {
                    dropped.Add(operation);
                }

                continue;
            }

            if (kind is not ("add" or "replace") || target.Message is null)
            {
                continue;
            }

            var walk = new Walk(_schema, problems, AllowDirectives: false);
            JsonNode? value = operation["value"];
            switch (target.Container)
            {
                case FieldKind.Map when value is JsonObject map:
                    foreach ((string key, JsonNode? entry) in map)
                    {
                        path.Add(key);
                        if (entry is JsonObject nested)
                        {
                            walk.Object(nested, target.Message, path);
                        }

                        path.RemoveAt(path.Count - 1);
                    }

                    break;
                case FieldKind.Message when target.List && value is JsonArray list:
                    for (int i = 0; i < list.Count; i++)
                    {
                        path.Add($"[{i}]");
                        if (list[i] is JsonObject nested)
                        {
                            walk.Object(nested, target.Message, path);
                        }

                        path.RemoveAt(path.Count - 1);
                    }

                    break;
                default:
                    if (!target.List && target.Container != FieldKind.Map && value is JsonObject obj)
                    {
                        walk.Object(obj, target.Message, path);
                    }

                    break;
            }
        }

        foreach (JsonNode op in dropped)
        {
            ops.Remove(op);
        }
    }

    /// <summary>Where a JSON pointer lands: the message of the value there (null: a scalar or free-form value), whether
    /// the value is the whole map or list of a field, or that the pointer names an undeclared field.</summary>
    private readonly record struct Target(MessageDescriptor? Message, FieldKind Container, bool List, bool Unknown);

    private Target Resolve(MessageDescriptor root, List<string> segments, List<string> path)
    {
        MessageDescriptor? current = root;
        for (int i = 0; i < segments.Count; i++)
        {
            if (current is null || current.JsonForm != JsonForm.Object)
            {
                return new Target(null, FieldKind.Scalar, false, false);
            }

            string segment = segments[i];
            if (current.EmbedsTypeMeta && path.Count == 0 && segment is "apiVersion" or "kind")
            {
                return new Target(null, FieldKind.Scalar, false, false);
            }

            FieldDescriptor? field = _schema.FindJsonField(current, segment);
            path.Add(segment);
            if (field is null)
            {
                return new Target(null, FieldKind.Scalar, false, true);
            }

            MessageDescriptor? child = field.MessageName is null ? null : _schema.FindMessage(field.MessageName);
            if (field.Kind == FieldKind.Map || field.Repeated)
            {
                if (i == segments.Count - 1)
                {
                    return new Target(child, field.Kind == FieldKind.Map ? FieldKind.Map : FieldKind.Message, field.Kind != FieldKind.Map, false);
                }

                i++;
                path.Add(field.Kind == FieldKind.Map ? segments[i] : $"[{segments[i]}]");
            }

            current = child;
        }

        return new Target(current, FieldKind.Message, false, false);
    }

    /// <summary>RFC 6901 reference tokens (<c>~1</c> → <c>/</c>, <c>~0</c> → <c>~</c>).</summary>
    private static List<string> PointerSegments(string pointer)
    {
        var segments = new List<string>();
        if (pointer.Length == 0)
        {
            return segments;
        }

        foreach (string raw in pointer.TrimStart('/').Split('/'))
        {
            segments.Add(raw.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal));
        }

        return segments;
    }
}
