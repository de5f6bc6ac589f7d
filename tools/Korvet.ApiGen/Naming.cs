using System.Text;

namespace Korvet.ApiGen;

/// <summary>Names and literals for the generated C#.</summary>
internal static class Naming
{
    private static readonly string[] StrippedPrefixes =
    [
        "k8s.io.apimachinery.pkg.apis.", "k8s.io.apimachinery.pkg.", "k8s.io.apiextensions_apiserver.pkg.apis.", "k8s.io.api.",
    ];

    /// <summary>C# namespaces (below Korvet.Api) of the proto packages that get typed classes.</summary>
    public static readonly IReadOnlyDictionary<string, string> TypedPackages = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["k8s.io.apimachinery.pkg.apis.meta.v1"] = "Meta.V1",
        ["k8s.io.apimachinery.pkg.runtime"] = "Runtime",
        ["k8s.io.apimachinery.pkg.api.resource"] = "Resource",
        ["k8s.io.apimachinery.pkg.util.intstr"] = "IntStr",
        ["k8s.io.api.core.v1"] = "Core.V1",
        ["k8s.io.api.apps.v1"] = "Apps.V1",
        ["k8s.io.api.batch.v1"] = "Batch.V1",
        ["k8s.io.api.coordination.v1"] = "Coordination.V1",
        ["k8s.io.api.events.v1"] = "Events.V1",
        ["k8s.io.api.discovery.v1"] = "Discovery.V1",
        ["k8s.io.api.networking.v1"] = "Networking.V1",
        ["k8s.io.api.policy.v1"] = "Policy.V1",
        ["k8s.io.api.rbac.v1"] = "Rbac.V1",
        ["k8s.io.api.scheduling.v1"] = "Scheduling.V1",
        ["k8s.io.api.storage.v1"] = "Storage.V1",
        ["k8s.io.api.autoscaling.v1"] = "Autoscaling.V1",
        ["k8s.io.api.autoscaling.v2"] = "Autoscaling.V2",
        ["k8s.io.api.authentication.v1"] = "Authentication.V1",
        ["k8s.io.api.authorization.v1"] = "Authorization.V1",
        ["k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.v1"] = "ApiExtensions.V1",
        ["k8s.io.api.admissionregistration.v1"] = "AdmissionRegistration.V1",
        ["k8s.io.api.certificates.v1"] = "Certificates.V1",
        ["k8s.io.api.node.v1"] = "Node.V1",
        ["k8s.io.api.flowcontrol.v1"] = "FlowControl.V1",
    };

    /// <summary>"k8s.io.api.core.v1" → "CoreV1"; "k8s.io.apimachinery.pkg.api.resource" → "ApiResource".</summary>
    public static string PackageId(string protoPackage)
    {
        string rest = protoPackage;
        foreach (string prefix in StrippedPrefixes)
        {
            if (rest.StartsWith(prefix, StringComparison.Ordinal))
            {
                rest = rest[prefix.Length..];
                break;
            }
        }

        return string.Concat(rest.Split('.').Select(s => char.ToUpperInvariant(s[0]) + s[1..]));
    }

    /// <summary>
    /// Go field name → .NET property name: acronyms longer than two letters become Pascal case
    /// ("APIVersion" → "ApiVersion", "UID" → "Uid", "PodIPs" stays), the rest is kept.
    /// </summary>
    public static string Property(string goName)
    {
        var sb = new StringBuilder(goName.Length);
        int i = 0;
        while (i < goName.Length)
        {
            if (!char.IsUpper(goName[i]))
            {
                sb.Append(goName[i++]);
                continue;
            }

            int start = i;
            while (i < goName.Length && char.IsUpper(goName[i]))
            {
                i++;
            }

            int runEnd = i;
            bool pluralAcronym = i < goName.Length && goName[i] == 's' && (i + 1 == goName.Length || char.IsUpper(goName[i + 1]));
            if (runEnd - start > 1 && i < goName.Length && char.IsLower(goName[i]) && !pluralAcronym)
            {
                runEnd--; // the last capital starts the next word
            }

            string acronym = goName[start..runEnd];
            sb.Append(acronym.Length > 2 ? acronym[0] + acronym[1..].ToLowerInvariant() : acronym);
            i = runEnd;
        }

        return sb.ToString();
    }

    public static string Literal(string? s)
    {
        if (s is null)
        {
            return "null";
        }

        var sb = new StringBuilder("\"");
        foreach (char c in s)
        {
            sb.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ when c < ' ' => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        }

        return sb.Append('"').ToString();
    }

    public static string Bool(bool b) => b ? "true" : "false";
}
