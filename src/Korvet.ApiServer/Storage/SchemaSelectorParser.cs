using System.Text.Json;
using System.Text.Json.Nodes;
using Korvet.Api.Selectors;
using Korvet.ApiServer.Errors;
using Korvet.ApiServer.Registry;

namespace Korvet.ApiServer.Storage;

/// <summary>
/// Selectors over Korvet.Api's selector library: the full label selector syntax (equality and set-based) and each
/// kind's upstream field selectors (metadata.name/namespace everywhere, plus e.g. pods' spec.nodeName, status.phase).
/// Bad selectors answer 400 with the library's (upstream's) message. Stateless and thread-safe.
/// </summary>
public sealed class SchemaSelectorParser : ISelectorParser
{
    public ListFilter Parse(ResourceDefinition resource, string? labelSelector, string? fieldSelector)
    {
        LabelSelector labels;
        FieldSelector fields;
        ObjectFields objectFields = KindFields.For(resource.Group, resource.Plural);
        try
        {
            labels = LabelSelector.Parse(labelSelector);
            fields = objectFields.Resolve(FieldSelector.Parse(fieldSelector));
        }
        catch (SelectorException e)
        {
            throw StatusErrors.BadRequest(e.Message);
        }

        if (labels.IsEverything && fields.IsEverything)
        {
            return ListFilter.Everything;
        }

        Func<JsonElement, bool>? labelMatch = labels.IsEverything ? null : root => labels.Matches(LabelsOf(root));
        Func<JsonElement, bool>? fieldMatch = fields.IsEverything ? null : root => JsonObject.Create(root) is { } obj && objectFields.Matches(fields, obj);
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
            foreach (JsonProperty label in map.EnumerateObject())
            {
                labels[label.Name] = label.Value.GetString() ?? "";
            }
        }

        return labels;
    }
}
