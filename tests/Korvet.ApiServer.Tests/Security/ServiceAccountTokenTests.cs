using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Korvet.ApiServer.Security;

namespace Korvet.ApiServer.Tests.Security;

public sealed class ServiceAccountTokenTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly TempDir _dir = new();
    private readonly ManualTime _time = new(Start);

    public void Dispose() => _dir.Dispose();

    private ServiceAccountTokenOptions Options => new() { DataDirectory = _dir.Path };

    private ServiceAccountTokens Tokens() => ServiceAccountTokens.LoadOrCreate(Options, _time);

    private static ServiceAccountTokenRequest Request(TimeSpan? lifetime = null) =>
        new("team-a", "builder", "sa-uid", lifetime ?? TimeSpan.FromHours(1));

    private static JsonObject Part(string token, int index) =>
        JsonNode.Parse(Base64Url.DecodeFromChars(token.Split('.')[index]))!.AsObject();

    [Fact]
    public void Issued_token_has_upstream_claims()
    {
        using ServiceAccountTokens tokens = Tokens();
        IssuedToken issued = tokens.Issue(Request() with
        {
            Pod = new BoundObject("web-0", "pod-uid"),
            Node = new BoundObject("node-1", "node-uid"),
        });
        JsonObject header = Part(issued.Token, 0);
        Assert.Equal("RS256", header["alg"]!.GetValue<string>());
        Assert.Equal(tokens.KeyId, header["kid"]!.GetValue<string>());

        JsonObject claims = Part(issued.Token, 1);
        long iat = Start.ToUnixTimeSeconds();
        Assert.Equal("https://kubernetes.default.svc.cluster.local", claims["iss"]!.GetValue<string>());
        Assert.Equal("system:serviceaccount:team-a:builder", claims["sub"]!.GetValue<string>());
        Assert.Equal(["https://kubernetes.default.svc.cluster.local"], claims["aud"]!.AsArray().Select(a => a!.GetValue<string>()));
        Assert.Equal(iat, claims["iat"]!.GetValue<long>());
        Assert.Equal(iat, claims["nbf"]!.GetValue<long>());
        Assert.Equal(iat + 3600, claims["exp"]!.GetValue<long>());
        Assert.True(Guid.TryParse(claims["jti"]!.GetValue<string>(), out _));
        JsonObject k8s = claims["kubernetes.io"]!.AsObject();
        Assert.Equal("team-a", k8s["namespace"]!.GetValue<string>());
        Assert.Equal("builder", k8s["serviceaccount"]!["name"]!.GetValue<string>());
        Assert.Equal("sa-uid", k8s["serviceaccount"]!["uid"]!.GetValue<string>());
        Assert.Equal("web-0", k8s["pod"]!["name"]!.GetValue<string>());
        Assert.Equal("node-uid", k8s["node"]!["uid"]!.GetValue<string>());
        Assert.Null(k8s["secret"]);
        Assert.Equal(Start.AddHours(1), issued.ExpiresAt);
    }

    [Fact]
    public void Valid_token_yields_service_account_user()
    {
        using ServiceAccountTokens tokens = Tokens();
        IssuedToken issued = tokens.Issue(Request() with { Pod = new BoundObject("web-0", "pod-uid"), Node = new BoundObject("n1", "nu") });
        ServiceAccountTokenResult result = tokens.Validate(issued.Token);
        Assert.True(result.IsValid, result.Error);
        ServiceAccountPrincipal p = result.Principal!;
        Assert.Equal(("team-a", "builder", "sa-uid"), (p.Namespace, p.Name, p.Uid));
        Assert.Equal(new BoundObject("web-0", "pod-uid"), p.Pod);
        UserInfo user = p.ToUserInfo();
        Assert.Equal("system:serviceaccount:team-a:builder", user.Name);
        Assert.Equal("sa-uid", user.Uid);
        Assert.Equal(["system:serviceaccounts", "system:serviceaccounts:team-a", "system:authenticated"], user.Groups);
        Assert.Equal(["web-0"], user.Extra["authentication.kubernetes.io/pod-name"]);
        Assert.Equal(["pod-uid"], user.Extra["authentication.kubernetes.io/pod-uid"]);
        Assert.Equal(["n1"], user.Extra["authentication.kubernetes.io/node-name"]);
        Assert.Equal(["JTI=" + p.TokenId], user.Extra["authentication.kubernetes.io/credential-id"]);
    }

    [Fact]
    public void Expired_tokens_are_rejected_after_the_leeway()
    {
        using ServiceAccountTokens tokens = Tokens();
        IssuedToken issued = tokens.Issue(Request(TimeSpan.FromMinutes(10)));
        _time.Advance(TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(59));
        Assert.True(tokens.Validate(issued.Token).IsValid);
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal("service account token has expired", tokens.Validate(issued.Token).Error);
    }

    [Fact]
    public void Tokens_from_the_future_are_rejected()
    {
        using ServiceAccountTokens tokens = Tokens();
        IssuedToken issued = tokens.Issue(Request());
        _time.Now = Start.AddMinutes(-2);
        Assert.Equal("service account token is not valid yet", tokens.Validate(issued.Token).Error);
        _time.Now = Start.AddSeconds(-30);
        Assert.True(tokens.Validate(issued.Token).IsValid);
    }

    [Fact]
    public void Audiences_must_intersect_the_api_audiences()
    {
        using ServiceAccountTokens tokens = Tokens();
        IssuedToken vault = tokens.Issue(Request() with { Audiences = ["vault"] });
        ServiceAccountTokenResult result = tokens.Validate(vault.Token);
        Assert.False(result.IsValid);
        Assert.Equal("token audiences [\"vault\"] is invalid for the target audiences [\"https://kubernetes.default.svc.cluster.local\"]", result.Error);

        using ServiceAccountTokens multi = ServiceAccountTokens.LoadOrCreate(Options with { ApiAudiences = ["api", "vault"] }, _time);
        Assert.True(multi.Validate(vault.Token).IsValid);
        JsonObject claims = Part(multi.Issue(Request()).Token, 1);
        Assert.Equal(["api", "vault"], claims["aud"]!.AsArray().Select(a => a!.GetValue<string>()));
    }

    [Fact]
    public void Tampered_tokens_fail_signature_verification()
    {
        using ServiceAccountTokens tokens = Tokens();
        string[] parts = tokens.Issue(Request()).Token.Split('.');
        JsonObject claims = JsonNode.Parse(Base64Url.DecodeFromChars(parts[1]))!.AsObject();
        claims["sub"] = "system:serviceaccount:kube-system:admin";
        claims["kubernetes.io"]!["namespace"] = "kube-system";
        string forged = parts[0] + "." + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(claims.ToJsonString())) + "." + parts[2];
        Assert.Equal("invalid signature", tokens.Validate(forged).Error);
    }

    [Fact]
    public void Tokens_signed_by_another_key_are_rejected()
    {
        using var other = new TempDir();
        using ServiceAccountTokens theirs = ServiceAccountTokens.LoadOrCreate(new ServiceAccountTokenOptions { DataDirectory = other.Path }, _time);
        using ServiceAccountTokens ours = Tokens();
        Assert.StartsWith("invalid signature", ours.Validate(theirs.Issue(Request()).Token).Error);

        // Same kid but another key: the signature check itself fails.
        string[] parts = theirs.Issue(Request()).Token.Split('.');
        string header = Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{{\"alg\":\"RS256\",\"kid\":\"{ours.KeyId}\"}}"));
        Assert.Equal("invalid signature", ours.Validate(header + "." + parts[1] + "." + parts[2]).Error);
    }

    [Fact]
    public void Unsigned_algorithms_are_refused()
    {
        using ServiceAccountTokens tokens = Tokens();
        string[] parts = tokens.Issue(Request()).Token.Split('.');
        string none = Base64Url.EncodeToString("{\"alg\":\"none\"}"u8);
        Assert.Equal("unsupported signing algorithm", tokens.Validate(none + "." + parts[1] + ".").Error);
    }

    [Theory]
    [InlineData("not-a-jwt")]
    [InlineData("a.b.c")]
    [InlineData("")]
    public void Foreign_or_garbage_tokens_are_not_ours(string token)
    {
        using ServiceAccountTokens tokens = Tokens();
        ServiceAccountTokenResult result = tokens.Validate(token);
        Assert.Same(ServiceAccountTokenResult.NotOurs, result);
    }

    [Fact]
    public void Tokens_of_another_issuer_are_not_ours()
    {
        using ServiceAccountTokens tokens = Tokens();
        using ServiceAccountTokens other = ServiceAccountTokens.LoadOrCreate(Options with { Issuer = "https://other" }, _time);
        Assert.Same(ServiceAccountTokenResult.NotOurs, tokens.Validate(other.Issue(Request()).Token));
    }

    [Fact]
    public void Signing_key_persists_across_restarts()
    {
        string token;
        string kid;
        using (ServiceAccountTokens first = Tokens())
        {
            token = first.Issue(Request()).Token;
            kid = first.KeyId;
        }

        FileModes.AssertOwnerOnly(Options.KeyPath);
        using ServiceAccountTokens second = Tokens();
        Assert.Equal(kid, second.KeyId);
        Assert.True(second.Validate(token).IsValid);
    }

    [Fact]
    public void Jwks_publishes_the_verification_key()
    {
        using ServiceAccountTokens tokens = Tokens();
        using JsonDocument jwks = JsonDocument.Parse(tokens.JwksJson());
        JsonElement key = jwks.RootElement.GetProperty("keys")[0];
        Assert.Equal(tokens.KeyId, key.GetProperty("kid").GetString());
        Assert.Equal("RS256", key.GetProperty("alg").GetString());
        using RSA rsa = RSA.Create(new RSAParameters
        {
            Modulus = Base64Url.DecodeFromChars(key.GetProperty("n").GetString()),
            Exponent = Base64Url.DecodeFromChars(key.GetProperty("e").GetString()),
        });
        string[] parts = tokens.Issue(Request()).Token.Split('.');
        Assert.True(rsa.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), Base64Url.DecodeFromChars(parts[2]),
            HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        Assert.Equal(tokens.KeyId, Base64Url.EncodeToString(SHA256.HashData(rsa.ExportSubjectPublicKeyInfo())));
    }

    [Fact]
    public void Bearer_authenticator_combines_static_and_service_account_tokens()
    {
        using ServiceAccountTokens tokens = Tokens();
        StaticTokenAuthenticator statics = StaticTokenAuthenticator.LoadOrCreate(new TokenAuthOptions { DataDirectory = _dir.Path });
        var auth = new BearerTokenAuthenticator(statics, tokens);

        AuthenticationResult admin = auth.AuthenticateHeader("Bearer " + statics.AdminToken);
        Assert.Equal("system:admin", admin.User!.Name);
        Assert.Null(admin.ServiceAccount);

        AuthenticationResult sa = auth.AuthenticateHeader("Bearer " + tokens.Issue(Request()).Token);
        Assert.Equal("system:serviceaccount:team-a:builder", sa.User!.Name);
        Assert.Equal("sa-uid", sa.ServiceAccount!.Uid);

        AuthenticationResult bad = auth.AuthenticateHeader("Bearer nope");
        Assert.False(bad.IsAuthenticated);
        Assert.Equal("invalid bearer token", bad.Error);

        string shortLived = tokens.Issue(Request(TimeSpan.FromMinutes(10))).Token;
        _time.Advance(TimeSpan.FromHours(2));
        AuthenticationResult expired = auth.AuthenticateHeader("Bearer " + shortLived);
        Assert.False(expired.IsAuthenticated);
        Assert.Equal("service account token has expired", expired.Error);

        Assert.Same(AuthenticationResult.Anonymous, auth.AuthenticateHeader(null));
        Assert.Same(AuthenticationResult.Anonymous, auth.AuthenticateHeader("Basic x"));
    }
}
