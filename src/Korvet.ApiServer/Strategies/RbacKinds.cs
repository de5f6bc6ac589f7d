using System.Text.Json.Nodes;
using Korvet.ApiServer.Errors;

namespace Korvet.ApiServer.Strategies;

/// <summary>rbac.authorization.k8s.io/v1: subject and roleRef API-group defaults, rule and binding validation.</summary>
internal static class RbacKinds
{
    public const string Group = "rbac.authorization.k8s.io";

    public static readonly KindRules Role = new() { Validate = (obj, causes) => Rules(obj, causes, false) };

    public static readonly KindRules ClusterRole = new() { Validate = (obj, causes) => Rules(obj, causes, true) };

    public static readonly KindRules RoleBinding = Binding("Role", "ClusterRole");

    public static readonly KindRules ClusterRoleBinding = Binding("ClusterRole");

    private static void Rules(JsonObject obj, List<StatusCause> causes, bool cluster)
    {
        foreach ((int i, JsonObject rule) in JsonFields.Items(obj, "rules"))
        {
            string at = $"rules[{i}]";
            if (rule["verbs"] is not JsonArray { Count: > 0 })
            {
                causes.Add(FieldErrors.Required(at + ".verbs", "verbs must contain at least one value"));
            }

            if (rule["nonResourceURLs"] is JsonArray { Count: > 0 } urls)
            {
                string value = "[]string{" + string.Join(", ", urls.Select(u => FieldErrors.Quote((string?)u ?? ""))) + "}";
                if (!cluster)
                {
                    causes.Add(FieldErrors.InvalidRaw(at + ".nonResourceURLs", value, "namespaced rules cannot apply to non-resource URLs"));
                }

                if (rule["apiGroups"] is JsonArray { Count: > 0 } || rule["resources"] is JsonArray { Count: > 0 } || rule["resourceNames"] is JsonArray { Count: > 0 })
                {
                    causes.Add(FieldErrors.InvalidRaw(at + ".nonResourceURLs", value, "rules cannot apply to both regular resources and non-resource URLs"));
                }

                continue;
            }

            if (rule["apiGroups"] is not JsonArray { Count: > 0 })
            {
                causes.Add(FieldErrors.Required(at + ".apiGroups", "resource rules must supply at least one api group"));
            }

            if (rule["resources"] is not JsonArray { Count: > 0 })
            {
                causes.Add(FieldErrors.Required(at + ".resources", "resource rules must supply at least one resource"));
            }
        }
    }

    private static KindRules Binding(params string[] roleKinds) => new()
    {
        Defaults = obj =>
        {
            if (obj["roleRef"] is JsonObject roleRef)
            {
                JsonFields.DefaultString(roleRef, "apiGroup", Group);
            }

            foreach ((_, JsonObject subject) in JsonFields.Items(obj, "subjects"))
            {
                if (JsonFields.Str(subject, "kind") is "User" or "Group")
                {
                    JsonFields.DefaultString(subject, "apiGroup", Group);
                }
            }
        },
        Validate = (obj, causes) =>
        {
            JsonObject? roleRef = JsonFields.Obj(obj, "roleRef");
            if (JsonFields.Str(roleRef, "apiGroup") != Group)
            {
                causes.Add(FieldErrors.NotSupported("roleRef.apiGroup", JsonFields.Str(roleRef, "apiGroup"), Group));
            }

            string kind = JsonFields.Str(roleRef, "kind");
            if (!roleKinds.Contains(kind))
            {
                causes.Add(FieldErrors.NotSupported("roleRef.kind", kind, roleKinds));
            }

            if (JsonFields.Str(roleRef, "name").Length == 0)
            {
                causes.Add(FieldErrors.Required("roleRef.name", ""));
            }

            foreach ((int i, JsonObject subject) in JsonFields.Items(obj, "subjects"))
            {
                string at = $"subjects[{i}]";
                if (JsonFields.Str(subject, "name").Length == 0)
                {
                    causes.Add(FieldErrors.Required(at + ".name", ""));
                }

                string subjectKind = JsonFields.Str(subject, "kind");
                switch (subjectKind)
                {
                    case "ServiceAccount":
                        if (JsonFields.Str(subject, "apiGroup").Length > 0)
                        {
                            causes.Add(FieldErrors.NotSupported(at + ".apiGroup", JsonFields.Str(subject, "apiGroup"), ""));
                        }

                        if (roleKinds.Length == 1 && JsonFields.Str(subject, "namespace").Length == 0)
                        {
                            causes.Add(FieldErrors.Required(at + ".namespace", ""));
                        }

                        break;
                    case "User" or "Group":
                        if (JsonFields.Str(subject, "apiGroup") != Group)
                        {
                            causes.Add(FieldErrors.NotSupported(at + ".apiGroup", JsonFields.Str(subject, "apiGroup"), Group));
                        }

                        break;
                    default:
                        causes.Add(FieldErrors.NotSupported(at + ".kind", subjectKind, "ServiceAccount", "User", "Group"));
                        break;
                }
            }
        },
        ValidateUpdate = (obj, old, causes) =>
        {
            if (!JsonNode.DeepEquals(obj["roleRef"], old["roleRef"]))
            {
                JsonObject? r = JsonFields.Obj(obj, "roleRef");
                causes.Add(FieldErrors.InvalidRaw("roleRef",
                    $"rbac.RoleRef{{APIGroup:{FieldErrors.Quote(JsonFields.Str(r, "apiGroup"))}, Kind:{FieldErrors.Quote(JsonFields.Str(r, "kind"))}, Name:{FieldErrors.Quote(JsonFields.Str(r, "name"))}}}",
                    "cannot change roleRef"));
            }
        },
    };
}
