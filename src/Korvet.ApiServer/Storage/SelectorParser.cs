using System.Text.Json;
using System.Text.Json.Nodes;
using Korvet.Api.Selectors;
using Korvet.ApiServer.Errors;
using Korvet.ApiServer.Registry;

namespace Korvet.ApiServer.Storage;

/// <summary>
/// Upstream's selectors: the full label selector grammar (equality and set-based) and each kind's field selector
/// contract (<see cref="KindFields"/>: pods' <c>spec.nodeName</c>, <c>status.phase</c>, ...). Bad selectors answer 400
/// with upstream's message. Stateless; thread-safe.
/// </summary>
public sealed class SelectorParser : ISelectorParser
{
    public ListFilter Parse(ResourceDefinition resource, string? labelSelector, string? fieldSelector)
    {
        LabelSelector labels;
        FieldSelector fields;
        ObjectFields contract = KindFields.For(resource.Group, resource.Plural);
        try
        {
            labels = LabelSelector.Parse(labelSelector);
            fields = contract.Resolve(FieldSelector.Parse(fieldSelector));
        }
        catch (SelectorException e)
        {
            // kubectl adds its own "Unable to find ... that match label selector ..." prefix to list errors.
            throw StatusErrors.BadRequest(e.Message);
        }

        if (labels.IsEverything && fields.IsEverything)
        {
            return ListFilter.Everything;
        }

        Func<JsonElement, bool>? labelMatch = labels.IsEverything ? null : root => labels.Matches(LabelsOf(root));
        Func<JsonElement, bool>? fieldMatch = null;
        if (!fields.IsEverything)
        {
            bool metadataOnly = fields.Requirements.All(r => r.Field is "metadata.name" or "metadata.namespace");
            fieldMatch = metadataOnly
                ? root => fields.Matches(root, static (r, field) => MetadataString(r, field == "metadata.name" ? "name" : "namespace"))
                : root => contract.Matches(fields, JsonObject.Create(root)!);
        }

        string? name = fields.TryGetExactValue("metadata.name", out string n) ? n : null;
        string? ns = fields.TryGetExactValue("metadata.namespace", out string s) ? s : null;
        return new ListFilter(labelMatch, fieldMatch, name, ns);
    }

    private static Dictionary<string, string> LabelsOf(JsonElement root)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (root.TryGetProperty("metadata", out JsonElement meta) && meta.ValueKind == JsonValueKind.Object
            && meta.TryGetProperty("labels", out JsonElement map) && map.ValueKind == JsonValueKind.Object)
        {
            foreach (JsonProperty p in map.EnumerateObject())
            {
                labels[p.Name] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText();
            }
        }

        return labels;
    }

    private static string MetadataString(JsonElement root, string field) =>
        root.TryGetProperty("metadata", out JsonElement meta) && meta.ValueKind == JsonValueKind.Object
        && meta.TryGetProperty(field, out JsonElement v) && v.ValueKind == JsonValueKind.String
            ? v.GetString()!
            : "";
}
