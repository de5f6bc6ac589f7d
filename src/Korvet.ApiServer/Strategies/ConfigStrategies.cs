using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Korvet.ApiServer.Errors;
using Korvet.ApiServer.Registry;

namespace Korvet.ApiServer.Strategies;

/// <summary>
/// core/v1 ConfigMap: key syntax, no key in both data and binaryData, total size at most 1 MiB, and no change of
/// data/binaryData (or of <c>immutable</c> back to false) once <c>immutable: true</c> is stored.
/// </summary>
internal sealed class ConfigMapStrategy : KindStrategy
{
    public const int MaxSize = 1024 * 1024;

    public ConfigMapStrategy(ResourceDefinition resource)
        : base(resource)
    {
    }

    protected override void ApplyDefaults(JsonObject obj)
    {
    }

    protected override void ValidateObject(JsonObject obj, List<StatusCause> causes)
    {
        long total = 0;
        var data = obj["data"] as JsonObject;
        var binary = obj["binaryData"] as JsonObject;
        foreach (KeyValuePair<string, JsonNode?> pair in data ?? [])
        {
            Keys.Validate(pair.Key, $"data[{pair.Key}]", causes);
            total += pair.Value is JsonValue v && v.TryGetValue(out string? s) ? Encoding.UTF8.GetByteCount(s) : 0;
        }

        foreach (KeyValuePair<string, JsonNode?> pair in binary ?? [])
        {
            Keys.Validate(pair.Key, $"binaryData[{pair.Key}]", causes);
            if (data?.ContainsKey(pair.Key) == true)
            {
                causes.Add(FieldErrors.Invalid($"binaryData[{pair.Key}]", pair.Key, "duplicate of key present in data"));
            }

            total += Keys.DecodedLength(pair.Value);
        }

        if (total > MaxSize)
        {
            causes.Add(FieldErrors.TooLong("", MaxSize));
        }
    }

    protected override void ValidateTransition(JsonObject obj, JsonObject old, List<StatusCause> causes) =>
        Keys.ValidateImmutable(obj, old, causes, "data", "binaryData");
}

/// <summary>
/// core/v1 Secret: type Opaque by default, <c>stringData</c> merged into <c>data</c> (as upstream's conversion does),
/// key syntax, 1 MiB total, the keys each built-in type requires, immutable type, and <c>immutable: true</c> rules.
/// </summary>
internal sealed class SecretStrategy : KindStrategy
{
    public SecretStrategy(ResourceDefinition resource)
        : base(resource)
    {
    }

    protected override void ApplyDefaults(JsonObject obj)
    {
        JsonFields.DefaultString(obj, "type", "Opaque");
        if (obj["stringData"] is JsonObject stringData)
        {
            JsonObject data = JsonFields.Child(obj, "data");
            foreach (KeyValuePair<string, JsonNode?> pair in stringData)
            {
                data[pair.Key] = Convert.ToBase64String(Encoding.UTF8.GetBytes(JsonFields.Str(stringData, pair.Key)));
            }

            obj.Remove("stringData");
        }
    }

    protected override void ValidateObject(JsonObject obj, List<StatusCause> causes)
    {
        var data = obj["data"] as JsonObject;
        long total = 0;
        foreach (KeyValuePair<string, JsonNode?> pair in data ?? [])
        {
            Keys.Validate(pair.Key, $"data[{pair.Key}]", causes);
            total += Keys.DecodedLength(pair.Value);
        }

        if (total > ConfigMapStrategy.MaxSize)
        {
            causes.Add(FieldErrors.TooLong("data", ConfigMapStrategy.MaxSize));
        }

        switch (JsonFields.Str(obj, "type"))
        {
            case "kubernetes.io/service-account-token":
                if (JsonFields.Str(JsonFields.Path(obj, "metadata", "annotations"), "kubernetes.io/service-account.name").Length == 0)
                {
                    causes.Add(FieldErrors.Required("metadata.annotations[kubernetes.io/service-account.name]", ""));
                }

                break;
            case "kubernetes.io/dockercfg":
                RequireJson(data, ".dockercfg", causes);
                break;
            case "kubernetes.io/dockerconfigjson":
                RequireJson(data, ".dockerconfigjson", causes);
                break;
            case "kubernetes.io/basic-auth":
                if (data?.ContainsKey("username") != true && data?.ContainsKey("password") != true)
                {
                    causes.Add(FieldErrors.Required("data[username]", ""));
                    causes.Add(FieldErrors.Required("data[password]", ""));
                }

                break;
            case "kubernetes.io/ssh-auth":
                Require(data, "ssh-privatekey", causes);
                break;
            case "kubernetes.io/tls":
                Require(data, "tls.key", causes);
                Require(data, "tls.crt", causes);
                break;
        }
    }

    private static void Require(JsonObject? data, string key, List<StatusCause> causes)
    {
        if (data?.ContainsKey(key) != true)
        {
            causes.Add(FieldErrors.Required($"data[{key}]", ""));
        }
    }

    private static void RequireJson(JsonObject? data, string key, List<StatusCause> causes)
    {
        if (data?[key] is not JsonValue value || !value.TryGetValue(out string? encoded))
        {
            causes.Add(FieldErrors.Required($"data[{key}]", ""));
            return;
        }

        try
        {
            using JsonDocument _ = JsonDocument.Parse(Convert.FromBase64String(encoded));
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            causes.Add(FieldErrors.Invalid($"data[{key}]", "<secret contents redacted>", "invalid character in JSON"));
        }
    }

    protected override void ValidateTransition(JsonObject obj, JsonObject old, List<StatusCause> causes)
    {
        Immutable(obj, old, "type", "type", causes);
        Keys.ValidateImmutable(obj, old, causes, "data");
    }
}

/// <summary>Key and immutability rules shared by ConfigMaps and Secrets.</summary>
internal static class Keys
{
    public static void Validate(string key, string path, List<StatusCause> causes)
    {
        foreach (string msg in MetaValidation.ConfigMapKeyErrors(key))
        {
            causes.Add(FieldErrors.Invalid(path, key, msg));
        }
    }

    /// <summary>Decoded size of a base64 value (what upstream counts), without decoding it.</summary>
    public static long DecodedLength(JsonNode? value)
    {
        if (value is not JsonValue v || !v.TryGetValue(out string? s))
        {
            return 0;
        }

        int padding = s.EndsWith("==", StringComparison.Ordinal) ? 2 : s.EndsWith('=') ? 1 : 0;
        return Math.Max(0, s.Length / 4 * 3 - padding);
    }

    public static void ValidateImmutable(JsonObject obj, JsonObject old, List<StatusCause> causes, params string[] fields)
    {
        if (!JsonFields.Bool(old, "immutable"))
        {
            return;
        }

        if (!JsonFields.Bool(obj, "immutable"))
        {
            causes.Add(FieldErrors.Forbidden("immutable", "field is immutable when `immutable` is set"));
        }

        foreach (string field in fields)
        {
            if (!JsonNode.DeepEquals(obj[field], old[field]))
            {
                causes.Add(FieldErrors.Forbidden(field, "field is immutable when `immutable` is set"));
            }
        }
    }
}
