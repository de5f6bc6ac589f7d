using static Korvet.ApiServer.Tests.Kubectl.KubectlAssert;

namespace Korvet.ApiServer.Tests.Kubectl;

/// <summary><c>auth whoami</c>, <c>auth can-i</c> and <c>create token</c> (TokenRequest) whose JWT the server accepts.</summary>
public sealed class KubectlAuthTests : IClassFixture<ApiOnlyCluster>
{
    private readonly TestCluster _server;

    public KubectlAuthTests(ApiOnlyCluster server) => _server = server;

    [KubectlFact]
    public async Task WhoAmIAndCanI()
    {
        var whoami = await _server.RunAsync("auth", "whoami");
        Succeeded(whoami);
        Assert.Matches(@"Username\s+system:admin", whoami.Out);
        Assert.Matches(@"Groups\s+\[system:masters system:authenticated\]", whoami.Out);

        var canI = await _server.RunAsync("auth", "can-i", "create", "pods");
        Succeeded(canI);
        Assert.Equal("yes", canI.Out.Trim());

        // SelfSubjectRulesReview: until RBAC exists an authenticated user may do everything.
        var list = await _server.RunAsync("auth", "can-i", "--list");
        Succeeded(list);
        Assert.Matches(@"(?m)^\*\.\*\s+\[\]\s+\[\]\s+\[\*\]\s*$", list.Out);
        Assert.Matches(@"(?m)^\s+\[\*\]\s+\[\]\s+\[\*\]\s*$", list.Out);

        // SubjectAccessReview (what kube-rbac-proxy and webhooks ask) is answered, never stored.
        const string review = """
            {"apiVersion":"authorization.k8s.io/v1","kind":"SubjectAccessReview",
             "spec":{"user":"ann","resourceAttributes":{"verb":"get","resource":"pods","namespace":"default"}}}
            """;
        var sar = await _server.RunWithInputAsync(review, "create", "-f", "-", "-o", "jsonpath={.status.allowed}");
        Succeeded(sar);
        Assert.Equal("true", sar.Out.Trim());
    }

    [KubectlFact]
    public async Task ServiceAccountTokenAuthenticatesUntilTheAccountIsDeleted()
    {
        Succeeded(await _server.RunAsync("create", "serviceaccount", "bot"));
        var token = await _server.RunAsync("create", "token", "bot", "--duration=20m");
        Succeeded(token);
        string jwt = token.Out.Trim();
        Assert.Equal(3, jwt.Split('.').Length);

        var whoami = await _server.RunAsync("--token", jwt, "auth", "whoami");
        Succeeded(whoami);
        Assert.Matches(@"Username\s+system:serviceaccount:default:bot", whoami.Out);
        Assert.Matches(@"Groups\s+\[system:serviceaccounts system:serviceaccounts:default system:authenticated\]", whoami.Out);

        // TokenReview (webhook token authentication, kube-rbac-proxy) answers with the server's own verdict.
        string review = """{"apiVersion":"authentication.k8s.io/v1","kind":"TokenReview","spec":{"token":"TOKEN"}}""".Replace("TOKEN", jwt, StringComparison.Ordinal);
        var reviewed = await _server.RunWithInputAsync(review, "create", "-f", "-", "-o", "jsonpath={.status.authenticated} {.status.user.username}");
        Succeeded(reviewed);
        Assert.Equal("true system:serviceaccount:default:bot", reviewed.Out.Trim());
        var bogus = await _server.RunWithInputAsync(review.Replace(jwt, "not-a-token", StringComparison.Ordinal), "create", "-f", "-", "-o",
            "jsonpath={.status.authenticated}");
        Succeeded(bogus);
        Assert.Equal("false", bogus.Out.Trim());

        Failed(await _server.RunAsync("create", "token", "bot", "--duration=1m"), "may not specify a duration less than 10 minutes");
        Failed(await _server.RunAsync("create", "token", "nobody"), "serviceaccounts \"nobody\" not found");

        Succeeded(await _server.RunAsync("delete", "serviceaccount", "bot"));
        Failed(await _server.RunAsync("--token", jwt, "get", "ns"), "Unauthorized");
        Failed(await _server.RunAsync("--token", "not-a-token", "get", "ns"), "Unauthorized");
    }
}
