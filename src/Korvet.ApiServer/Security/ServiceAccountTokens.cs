using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Korvet.ApiServer.Security;

/// <summary>
/// Issues and validates service account JWTs like upstream's TokenRequest tokens: RS256 with a
/// <c>kid</c> derived from the public key, claims <c>iss</c>, <c>sub</c>, <c>aud</c>, <c>exp</c>, <c>iat</c>,
/// <c>nbf</c>, <c>jti</c> and the private <c>kubernetes.io</c> claim (namespace, serviceaccount, optional pod,
/// secret and node bindings). The RSA-2048 signing key is generated on first start and kept in the data dir.
/// Thread-safe; time comes from the <see cref="TimeProvider"/>.
/// </summary>
public sealed class ServiceAccountTokens : IDisposable
{
    private const string KubernetesClaim = "kubernetes.io";
    private readonly RSA _key;
    private readonly ServiceAccountTokenOptions _options;
    private readonly TimeProvider _time;
    private readonly byte[] _header;

    private ServiceAccountTokens(RSA key, ServiceAccountTokenOptions options, TimeProvider time)
    {
        _key = key;
        _options = options;
        _time = time;
        KeyId = Base64Url.EncodeToString(SHA256.HashData(key.ExportSubjectPublicKeyInfo()));
        _header = Encoding.UTF8.GetBytes(Base64Url.EncodeToString(
            Encoding.UTF8.GetBytes($"{{\"alg\":\"RS256\",\"kid\":\"{KeyId}\"}}")));
    }

    /// <summary>The <c>kid</c> of the signing key: base64url SHA-256 of its DER public key (as upstream).</summary>
    public string KeyId { get; }

    /// <summary>The audiences a token gets when its request names none (the API audiences).</summary>
    public IReadOnlyList<string> DefaultAudiences => _options.EffectiveAudiences;

    /// <summary>Loads the signing key from the data dir, creating it on first start.</summary>
    public static ServiceAccountTokens LoadOrCreate(ServiceAccountTokenOptions options, TimeProvider time)
    {
        RSA key;
        if (File.Exists(options.KeyPath))
        {
            key = RSA.Create();
            key.ImportFromPem(File.ReadAllText(options.KeyPath));
        }
        else
        {
            key = RSA.Create(2048);
            SecureFiles.WriteAllText(options.KeyPath, key.ExportPkcs8PrivateKeyPem() + "\n", secret: true);
        }

        return new ServiceAccountTokens(key, options, time);
    }

    /// <summary>Signs a token for <paramref name="request"/>, valid from now for its lifetime.</summary>
    public IssuedToken Issue(ServiceAccountTokenRequest request)
    {
        DateTimeOffset now = _time.GetUtcNow();
        long iat = now.ToUnixTimeSeconds();
        long exp = iat + (long)request.Lifetime.TotalSeconds;
        IReadOnlyList<string> audiences = request.Audiences is { Count: > 0 } a ? a : _options.EffectiveAudiences;

        var payload = new ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(payload))
        {
            w.WriteStartObject();
            w.WriteStartArray("aud");
            foreach (string audience in audiences)
            {
                w.WriteStringValue(audience);
            }

            w.WriteEndArray();
            w.WriteNumber("exp", exp);
            w.WriteNumber("iat", iat);
            w.WriteString("iss", _options.Issuer);
            w.WriteString("jti", Guid.NewGuid().ToString());
            w.WriteStartObject(KubernetesClaim);
            w.WriteString("namespace", request.Namespace);
            WriteBound(w, "node", request.Node);
            WriteBound(w, "pod", request.Pod);
            WriteBound(w, "secret", request.Secret);
            WriteBound(w, "serviceaccount", new BoundObject(request.Name, request.Uid));
            w.WriteEndObject();
            w.WriteNumber("nbf", iat);
            w.WriteString("sub", $"system:serviceaccount:{request.Namespace}:{request.Name}");
            w.WriteEndObject();
        }

        string signingInput = Encoding.UTF8.GetString(_header) + "." + Base64Url.EncodeToString(payload.WrittenSpan);
        byte[] signature = _key.SignData(Encoding.UTF8.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return new IssuedToken(signingInput + "." + Base64Url.EncodeToString(signature), DateTimeOffset.FromUnixTimeSeconds(exp));
    }

    /// <summary>
    /// Validates a bearer token. Tokens that are not JWTs from our issuer are "not ours"; tokens from our issuer
    /// must carry a valid signature, be within exp/nbf/iat (with leeway) and name one of the API audiences.
    /// </summary>
    public ServiceAccountTokenResult Validate(string token)
    {
        string[] parts = token.Split('.');
        if (parts.Length != 3 || !TryDecode(parts[1], out byte[] payloadBytes))
        {
            return ServiceAccountTokenResult.NotOurs;
        }

        JsonDocument payload;
        try
        {
            payload = JsonDocument.Parse(payloadBytes);
        }
        catch (JsonException)
        {
            return ServiceAccountTokenResult.NotOurs;
        }

        using (payload)
        {
            JsonElement claims = payload.RootElement;
            if (claims.ValueKind != JsonValueKind.Object || !claims.TryGetProperty("iss", out JsonElement iss)
                || iss.ValueKind != JsonValueKind.String || iss.GetString() != _options.Issuer)
            {
                return ServiceAccountTokenResult.NotOurs;
            }

            string? error = VerifySignature(parts) ?? VerifyTimes(claims);
            if (error is not null)
            {
                return new ServiceAccountTokenResult(null, error);
            }

            return ReadPrincipal(claims);
        }
    }

    /// <summary>The public key as a JSON Web Key Set (for <c>/openid/v1/jwks</c>).</summary>
    public string JwksJson()
    {
        RSAParameters p = _key.ExportParameters(false);
        return $"{{\"keys\":[{{\"use\":\"sig\",\"kty\":\"RSA\",\"kid\":\"{KeyId}\",\"alg\":\"RS256\","
            + $"\"n\":\"{Base64Url.EncodeToString(p.Modulus)}\",\"e\":\"{Base64Url.EncodeToString(p.Exponent)}\"}}]}}";
    }

    public void Dispose() => _key.Dispose();

    private string? VerifySignature(string[] parts)
    {
        if (!TryDecode(parts[0], out byte[] headerBytes) || !TryDecode(parts[2], out byte[] signature))
        {
            return "malformed token";
        }

        try
        {
            using JsonDocument header = JsonDocument.Parse(headerBytes);
            if (!header.RootElement.TryGetProperty("alg", out JsonElement alg) || alg.ValueKind != JsonValueKind.String || alg.GetString() != "RS256")
            {
                return "unsupported signing algorithm";
            }

            if (header.RootElement.TryGetProperty("kid", out JsonElement kid) && (kid.ValueKind != JsonValueKind.String || kid.GetString() != KeyId))
            {
                return "invalid signature: unknown key id";
            }
        }
        catch (JsonException)
        {
            return "malformed token";
        }

        byte[] signingInput = Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]);
        return _key.VerifyData(signingInput, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            ? null
            : "invalid signature";
    }

    private string? VerifyTimes(JsonElement claims)
    {
        long now = _time.GetUtcNow().ToUnixTimeSeconds();
        long leeway = (long)_options.Leeway.TotalSeconds;
        if (!TryGetTime(claims, "exp", out long exp))
        {
            return "service account token has no expiry";
        }

        if (now > exp + leeway)
        {
            return "service account token has expired";
        }

        if (TryGetTime(claims, "nbf", out long nbf) && now + leeway < nbf)
        {
            return "service account token is not valid yet";
        }

        if (TryGetTime(claims, "iat", out long iat) && now + leeway < iat)
        {
            return "service account token is issued in the future";
        }

        return null;
    }

    private ServiceAccountTokenResult ReadPrincipal(JsonElement claims)
    {
        var audiences = new List<string>();
        if (claims.TryGetProperty("aud", out JsonElement aud))
        {
            if (aud.ValueKind == JsonValueKind.String)
            {
                audiences.Add(aud.GetString()!);
            }
            else if (aud.ValueKind == JsonValueKind.Array)
            {
                audiences.AddRange(aud.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!));
            }
        }

        IReadOnlyList<string> accepted = _options.EffectiveAudiences;
        if (!audiences.Any(accepted.Contains))
        {
            return new ServiceAccountTokenResult(null,
                $"token audiences [{string.Join(" ", audiences.Select(x => $"\"{x}\""))}] is invalid for the target audiences [{string.Join(" ", accepted.Select(x => $"\"{x}\""))}]");
        }

        if (!claims.TryGetProperty(KubernetesClaim, out JsonElement k8s) || k8s.ValueKind != JsonValueKind.Object
            || StringOf(k8s, "namespace") is not { Length: > 0 } ns
            || ReadBound(k8s, "serviceaccount") is not { Name.Length: > 0 } serviceAccount)
        {
            return new ServiceAccountTokenResult(null, "token could not be validated: missing kubernetes.io claims");
        }

        TryGetTime(claims, "exp", out long exp);
        return new ServiceAccountTokenResult(new ServiceAccountPrincipal(
            ns, serviceAccount.Name, serviceAccount.Uid, audiences, DateTimeOffset.FromUnixTimeSeconds(exp),
            StringOf(claims, "jti"), ReadBound(k8s, "pod"), ReadBound(k8s, "secret"), ReadBound(k8s, "node")), null);
    }

    private static void WriteBound(Utf8JsonWriter w, string name, BoundObject? bound)
    {
        if (bound is null)
        {
            return;
        }

        w.WriteStartObject(name);
        w.WriteString("name", bound.Name);
        w.WriteString("uid", bound.Uid);
        w.WriteEndObject();
    }

    private static BoundObject? ReadBound(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out JsonElement o) && o.ValueKind == JsonValueKind.Object
            ? new BoundObject(StringOf(o, "name") ?? "", StringOf(o, "uid") ?? "")
            : null;

    private static string? StringOf(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static bool TryGetTime(JsonElement claims, string name, out long value)
    {
        value = 0;
        if (!claims.TryGetProperty(name, out JsonElement v) || v.ValueKind != JsonValueKind.Number)
        {
            return false;
        }

        if (!v.TryGetInt64(out value))
        {
            value = (long)v.GetDouble();
        }

        return true;
    }

    private static bool TryDecode(string part, out byte[] bytes)
    {
        try
        {
            bytes = Base64Url.DecodeFromChars(part);
            return true;
        }
        catch (FormatException)
        {
            bytes = [];
            return false;
        }
    }
}
