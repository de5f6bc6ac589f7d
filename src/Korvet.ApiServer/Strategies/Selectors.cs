using System.Text.Json.Nodes;
using Korvet.ApiServer.Errors;

namespace Korvet.ApiServer.Strategies;

/// <summary>Label selectors of workloads: validation, matching against template labels, and the template checks.</summary>
internal static class Selectors
{
    /// <summary>True when a metav1.LabelSelector selects <paramref name="labels"/>.</summary>
    public static bool Matches(JsonObject selector, JsonObject? labels)
    {
        foreach (KeyValuePair<string, JsonNode?> pair in JsonFields.Obj(selector, "matchLabels") ?? [])
        {
            if (labels?[pair.Key] is not JsonNode v || (string?)v != (string?)pair.Value)
            {
                return false;
            }
        }

        foreach ((_, JsonObject expr) in JsonFields.Items(selector, "matchExpressions"))
        {
            string key = JsonFields.Str(expr, "key");
            string? value = labels?[key] is JsonNode n ? (string?)n : null;
            var values = (expr["values"] as JsonArray)?.Select(x => (string?)x).ToList() ?? [];
            bool ok = JsonFields.Str(expr, "operator") switch
            {
                "In" => value is not null && values.Contains(value),
                "NotIn" => value is null || !values.Contains(value),
                "Exists" => value is not null,
                "DoesNotExist" => value is null,
                _ => false,
            };
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    public static bool IsEmpty(JsonObject selector) =>
        JsonFields.Obj(selector, "matchLabels") is null or { Count: 0 } && selector["matchExpressions"] is not JsonArray { Count: > 0 };

    /// <summary>
    /// The apps/v1 workload rules: selector required and non-empty and valid, template labels matching it, the template
    /// metadata and pod spec valid (restartPolicy as given).
    /// </summary>
    public static void ValidateWorkload(JsonObject? spec, string emptyMessage, List<StatusCause> causes, params string[] restartPolicies)
    {
        JsonObject? template = JsonFields.Obj(spec, "template");
        JsonObject? templateLabels = JsonFields.Path(template, "metadata", "labels");
        if (spec?["selector"] is not JsonObject selector)
        {
            causes.Add(FieldErrors.Required("spec.selector", ""));
        }
        else
        {
            ValidateSelector(selector, "spec.selector", causes);
            if (IsEmpty(selector))
            {
                causes.Add(FieldErrors.InvalidRaw("spec.selector", FieldErrors.GoLabelSelector(selector), emptyMessage));
            }
            else if (!Matches(selector, templateLabels))
            {
                causes.Add(FieldErrors.InvalidRaw("spec.template.metadata.labels", FieldErrors.GoStringMap(templateLabels),
                    "`selector` does not match template `labels`"));
            }
        }

        ValidateTemplate(template, "spec.template", causes, restartPolicies);
    }

    public static void ValidateTemplate(JsonObject? template, string path, List<StatusCause> causes, params string[] restartPolicies)
    {
        if (template is null)
        {
            causes.Add(FieldErrors.Required(path, ""));
            return;
        }

        MetaValidation.ValidateMeta(JsonFields.Obj(template, "metadata"), path + ".metadata", causes);
        PodValidation.Spec(JsonFields.Obj(template, "spec"), path + ".spec", causes, restartPolicies);
    }

    public static void ValidateSelector(JsonObject selector, string path, List<StatusCause> causes)
    {
        if (JsonFields.Obj(selector, "matchLabels") is { } matchLabels)
        {
            MetaValidation.ValidateLabels(matchLabels, path + ".matchLabels", causes);
        }

        foreach ((int i, JsonObject expr) in JsonFields.Items(selector, "matchExpressions"))
        {
            string at = $"{path}.matchExpressions[{i}]";
            string op = JsonFields.Str(expr, "operator");
            int count = (expr["values"] as JsonArray)?.Count ?? 0;
            switch (op)
            {
                case "In" or "NotIn":
                    if (count == 0)
                    {
                        causes.Add(FieldErrors.Required(at + ".values", "must be specified when `operator` is 'In' or 'NotIn'"));
                    }

                    break;
                case "Exists" or "DoesNotExist":
                    if (count > 0)
                    {
                        causes.Add(FieldErrors.Forbidden(at + ".values", "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
                    }

                    break;
                default:
                    causes.Add(FieldErrors.Invalid(at + ".operator", op, "not a valid selector operator"));
                    break;
            }

            foreach (string msg in MetaValidation.QualifiedName(JsonFields.Str(expr, "key")))
            {
                causes.Add(FieldErrors.Invalid(at + ".key", JsonFields.Str(expr, "key"), msg));
            }
        }
    }
}
