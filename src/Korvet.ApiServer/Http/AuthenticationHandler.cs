using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Korvet.ApiServer.Errors;
using Korvet.ApiServer.Registry;
using Korvet.ApiServer.Security;
using Korvet.ApiServer.Storage;

namespace Korvet.ApiServer.Http;

/// <summary>
/// The virtual (never stored) review resources and the TokenRequest subresource:
/// <c>selfsubjectaccessreviews</c>, <c>subjectaccessreviews</c>, <c>localsubjectaccessreviews</c> and
/// <c>selfsubjectrulesreviews</c> (authorization.k8s.io/v1; every authenticated user is allowed everything until RBAC
/// exists, so the rules are <c>*</c>),
/// <c>selfsubjectreviews</c> (authentication.k8s.io/v1: who am I), <c>tokenreviews</c> (who a given bearer token is, as
/// the server's own authenticator decides) and <c>serviceaccounts/token</c> (signed, expiring
/// JWTs for an existing service account, optionally bound to a pod or secret). Stateless; thread-safe.
/// </summary>
public sealed class AuthenticationHandler
{
    private const long DefaultExpirationSeconds = 3600;
    private const long MinExpirationSeconds = 600;
    private const long MaxExpirationSeconds = (1L << 32) - 1;

    private readonly GenericStore _store;
    private readonly ResourceRegistry _registry;
    private readonly ServiceAccountTokens? _tokens;
    private readonly TimeProvider _time;
    private readonly Authentication.IRequestAuthenticator _authenticator;

    public AuthenticationHandler(GenericStore store, ResourceRegistry registry, ServiceAccountTokens? tokens, TimeProvider time,
        Authentication.IRequestAuthenticator authenticator)
    {
        _store = store;
        _registry = registry;
        _tokens = tokens;
        _time = time;
        _authenticator = authenticator;
    }

    /// <summary>True when this handler serves the request's resource (and subresource).</summary>
    public static bool Handles(ResourceDefinition resource, string subresource) =>
        (resource.Group, resource.Plural, subresource) is ("authorization.k8s.io", "selfsubjectaccessreviews", "")
            or ("authorization.k8s.io", "subjectaccessreviews", "") or ("authorization.k8s.io", "localsubjectaccessreviews", "")
            or ("authorization.k8s.io", "selfsubjectrulesreviews", "")
            or ("authentication.k8s.io", "selfsubjectreviews", "") or ("authentication.k8s.io", "tokenreviews", "")
            or ("", "serviceaccounts", "token");

    /// <summary>Answers the create; <paramref name="body"/> is the decoded request object.</summary>
    public async Task<byte[]> CreateAsync(ResourceDefinition resource, string ns, string name, JsonObject body, UserInfo user,
        CancellationToken cancellationToken)
    {
        switch (resource.Plural)
        {
            case "selfsubjectaccessreviews" or "subjectaccessreviews" or "localsubjectaccessreviews":
                return Serialize(new JsonObject
                {
                    ["kind"] = resource.Kind,
                    ["apiVersion"] = "authorization.k8s.io/v1",
                    ["metadata"] = new JsonObject { ["creationTimestamp"] = null },
                    ["spec"] = body["spec"]?.DeepClone() ?? new JsonObject(),
                    ["status"] = new JsonObject { ["allowed"] = true, ["reason"] = "authenticated users are allowed (no RBAC yet)" },
                });
            case "selfsubjectrulesreviews":
                return Serialize(new JsonObject
                {
                    ["kind"] = "SelfSubjectRulesReview",
                    ["apiVersion"] = "authorization.k8s.io/v1",
                    ["metadata"] = new JsonObject { ["creationTimestamp"] = null },
                    ["spec"] = body["spec"]?.DeepClone() ?? new JsonObject(),
                    ["status"] = new JsonObject
                    {
                        ["resourceRules"] = new JsonArray(new JsonObject
                        {
                            ["verbs"] = new JsonArray("*"), ["apiGroups"] = new JsonArray("*"), ["resources"] = new JsonArray("*"),
                        }),
                        ["nonResourceRules"] = new JsonArray(new JsonObject
                        {
                            ["verbs"] = new JsonArray("*"), ["nonResourceURLs"] = new JsonArray("*"),
                        }),
                        ["incomplete"] = false,
                    },
                });
            case "selfsubjectreviews":
                return Serialize(new JsonObject
                {
                    ["kind"] = "SelfSubjectReview",
                    ["apiVersion"] = "authentication.k8s.io/v1",
                    ["metadata"] = new JsonObject { ["creationTimestamp"] = Timestamps.Format(_time.GetUtcNow()) },
                    ["status"] = new JsonObject { ["userInfo"] = UserInfoJson(user) },
                });
            case "tokenreviews":
                return await ReviewTokenAsync(body, cancellationToken);
            default:
                return await IssueTokenAsync(resource, ns, name, body, cancellationToken);
        }
    }

    /// <summary>Upstream's TokenReview: the spec comes back with status.authenticated and the user; an empty token is
    /// a 400. Audiences asked for are echoed (Korvet's tokens are all for the API server).</summary>
    private async Task<byte[]> ReviewTokenAsync(JsonObject body, CancellationToken cancellationToken)
    {
        var spec = body["spec"] as JsonObject ?? new JsonObject();
        string token = spec["token"] is JsonValue t && t.TryGetValue(out string? text) ? text : "";
        if (token.Length == 0)
        {
            throw StatusErrors.BadRequest("token is required for TokenReview in authentication");
        }

        UserInfo? user = await _authenticator.AuthenticateTokenAsync(token, cancellationToken);
        var status = new JsonObject { ["authenticated"] = user is not null, ["user"] = user is null ? new JsonObject() : UserInfoJson(user) };
        if (user is not null && spec["audiences"] is JsonArray { Count: > 0 } audiences)
        {
            status["audiences"] = audiences.DeepClone();
        }

        return Serialize(new JsonObject
        {
            ["kind"] = "TokenReview",
            ["apiVersion"] = "authentication.k8s.io/v1",
            ["metadata"] = new JsonObject { ["creationTimestamp"] = null },
            ["spec"] = spec.DeepClone(),
            ["status"] = status,
        });
    }

    private async Task<byte[]> IssueTokenAsync(ResourceDefinition serviceAccounts, string ns, string name, JsonObject body,
        CancellationToken cancellationToken)
    {
        if (_tokens is null)
        {
            throw StatusErrors.NoSuchResource();
        }

        if ((string?)body["kind"] is { Length: > 0 } kind && kind != "TokenRequest")
        {
            throw StatusErrors.BadRequest($"the kind in the data ({kind}) does not match the expected kind (TokenRequest)");
        }

        var spec = body["spec"] as JsonObject ?? new JsonObject();
        long expiration = spec["expirationSeconds"] is JsonValue e && e.TryGetValue(out long seconds) ? seconds
            : spec["expirationSeconds"] is JsonValue e32 && e32.TryGetValue(out int seconds32) ? seconds32
            : DefaultExpirationSeconds;
        if (expiration < MinExpirationSeconds || expiration > MaxExpirationSeconds)
        {
            string why = expiration < MinExpirationSeconds ? "may not specify a duration less than 10 minutes" : "may not specify a duration larger than 2^32 seconds";
            throw new StatusException(422, "Invalid", $"TokenRequest.authentication.k8s.io \"{name}\" is invalid: spec.expirationSeconds: Invalid value: {expiration}: {why}",
                new StatusDetails(name, "authentication.k8s.io", "TokenRequest",
                    [new StatusCause("FieldValueInvalid", $"Invalid value: {expiration}: {why}", "spec.expirationSeconds")]));
        }

        StoredObject account = await _store.GetAsync(serviceAccounts, ns, name, "", cancellationToken);
        string uid = UidOf(account);
        List<string> audiences = spec["audiences"] is JsonArray a ? a.Select(x => (string?)x ?? "").Where(x => x.Length > 0).ToList() : [];
        BoundObject? pod = null;
        BoundObject? secret = null;
        if (spec["boundObjectRef"] is JsonObject bound && (string?)bound["name"] is { Length: > 0 } boundName)
        {
            string boundKind = (string?)bound["kind"] ?? "";
            ResourceDefinition target = boundKind switch
            {
                "Pod" => _registry.Find("", "v1", "pods")!,
                "Secret" => _registry.Find("", "v1", "secrets")!,
                _ => throw StatusErrors.BadRequest($"cannot bind token to object of kind \"{boundKind}\": only Pod and Secret are supported"),
            };
            StoredObject obj = await _store.GetAsync(target, ns, boundName, "", cancellationToken);
            string boundUid = UidOf(obj);
            if ((string?)bound["uid"] is { Length: > 0 } wanted && wanted != boundUid)
            {
                throw new StatusException(409, "Conflict",
                    $"Operation cannot be fulfilled on {target.Plural} \"{boundName}\": the UID in the bound object reference ({wanted}) does not match the UID in record. The object might have been deleted and then recreated");
            }

            if (boundKind == "Pod")
            {
                pod = new BoundObject(boundName, boundUid);
            }
            else
            {
                secret = new BoundObject(boundName, boundUid);
            }
        }

        IssuedToken issued = _tokens.Issue(new ServiceAccountTokenRequest(ns, name, uid, TimeSpan.FromSeconds(expiration), audiences, pod, secret));
        var responseSpec = (JsonObject)spec.DeepClone();
        responseSpec["expirationSeconds"] = expiration;
        if (audiences.Count == 0)
        {
            responseSpec["audiences"] = new JsonArray(ServiceAccountAudiences().Select(x => (JsonNode?)x).ToArray());
        }

        responseSpec["boundObjectRef"] ??= null;
        return Serialize(new JsonObject
        {
            ["kind"] = "TokenRequest",
            ["apiVersion"] = "authentication.k8s.io/v1",
            ["metadata"] = new JsonObject
            {
                ["name"] = name,
                ["namespace"] = ns,
                ["creationTimestamp"] = Timestamps.Format(_time.GetUtcNow()),
            },
            ["spec"] = responseSpec,
            ["status"] = new JsonObject
            {
                ["token"] = issued.Token,
                ["expirationTimestamp"] = Timestamps.Format(issued.ExpiresAt),
            },
        });
    }

    private IReadOnlyList<string> ServiceAccountAudiences() => _tokens?.DefaultAudiences ?? [];

    private static string UidOf(StoredObject obj)
    {
        using JsonDocument doc = obj.Parse();
        return doc.RootElement.TryGetProperty("metadata", out JsonElement meta) && meta.TryGetProperty("uid", out JsonElement uid) ? uid.GetString() ?? "" : "";
    }

    private static JsonObject UserInfoJson(UserInfo user)
    {
        var info = new JsonObject { ["username"] = user.Name };
        if (user.Uid.Length > 0)
        {
            info["uid"] = user.Uid;
        }

        info["groups"] = new JsonArray(user.Groups.Select(g => (JsonNode?)g).ToArray());
        if (user.Extra.Count > 0)
        {
            var extra = new JsonObject();
            foreach ((string key, IReadOnlyList<string> values) in user.Extra.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                extra[key] = new JsonArray(values.Select(v => (JsonNode?)v).ToArray());
            }

            info["extra"] = extra;
        }

        return info;
    }

    private static byte[] Serialize(JsonObject obj) => Encoding.UTF8.GetBytes(obj.ToJsonString());
}
