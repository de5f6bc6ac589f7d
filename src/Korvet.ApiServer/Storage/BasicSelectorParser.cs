using System.Text.Json;
using Korvet.ApiServer.Errors;
using Korvet.ApiServer.Registry;

namespace Korvet.ApiServer.Storage;

/// <summary>
/// The selector subset every resource supports: label requirements <c>k=v</c>, <c>k==v</c>, <c>k!=v</c>, and field
/// requirements on <c>metadata.name</c> / <c>metadata.namespace</c> with <c>=</c>, <c>==</c>, <c>!=</c>, comma-joined.
/// Set-based label syntax and per-kind fields are the full parser's job (see <see cref="ISelectorParser"/>).
/// </summary>
public sealed class BasicSelectorParser : ISelectorParser
{
    public ListFilter Parse(ResourceDefinition resource, string? labelSelector, string? fieldSelector)
    {
        Func<JsonElement, bool>? labels = null;
        if (!string.IsNullOrWhiteSpace(labelSelector))
        {
            var reqs = ParseRequirements(labelSelector, "label selector");
            labels = root =>
            {
                JsonElement map = default;
                bool hasLabels = root.TryGetProperty("metadata", out JsonElement meta)
                    && meta.TryGetProperty("labels", out map) && map.ValueKind == JsonValueKind.Object;
                foreach ((string key, bool equal, string value) in reqs)
                {
                    string? actual = hasLabels && map.TryGetProperty(key, out JsonElement v) ? v.GetString() : null;
                    if (equal ? actual != value : actual == value)
                    {
                        return false;
                    }
                }

                return true;
            };
        }

        Func<JsonElement, bool>? fields = null;
        string? name = null;
        string? ns = null;
        if (!string.IsNullOrWhiteSpace(fieldSelector))
        {
            var reqs = ParseRequirements(fieldSelector, "field selector");
            foreach ((string key, bool equal, string value) in reqs)
            {
                if (key is not ("metadata.name" or "metadata.namespace"))
                {
                    throw StatusErrors.BadRequest(
                        $"\"{key}\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\"");
                }

                if (equal && key == "metadata.name")
                {
                    name = value;
                }
                else if (equal)
                {
                    ns = value;
                }
            }

            fields = root =>
            {
                root.TryGetProperty("metadata", out JsonElement meta);
                foreach ((string key, bool equal, string value) in reqs)
                {
                    string field = key == "metadata.name" ? "name" : "namespace";
                    string actual = meta.ValueKind == JsonValueKind.Object && meta.TryGetProperty(field, out JsonElement v)
                        ? v.GetString() ?? "" : "";
                    if (equal ? actual != value : actual == value)
                    {
                        return false;
                    }
                }

                return true;
            };
        }

        return labels is null && fields is null ? ListFilter.Everything : new ListFilter(labels, fields, name, ns);
    }

    private static List<(string Key, bool Equal, string Value)> ParseRequirements(string selector, string what)
    {
        var result = new List<(string, bool, string)>();
        foreach (string raw in selector.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            int ne = raw.IndexOf("!=", StringComparison.Ordinal);
            int eq = raw.IndexOf('=');
            if (ne > 0)
            {
                result.Add((raw[..ne].Trim(), false, raw[(ne + 2)..].Trim()));
            }
            else if (eq > 0)
            {
                int valueStart = eq + 1 < raw.Length && raw[eq + 1] == '=' ? eq + 2 : eq + 1;
                result.Add((raw[..eq].Trim(), true, raw[valueStart..].Trim()));
            }
            else
            {
                throw StatusErrors.BadRequest($"unable to parse requirement: {what} \"{raw}\" is not supported here yet");
            }
        }

        return result;
    }
}
