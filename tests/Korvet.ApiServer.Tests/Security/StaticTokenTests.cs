using Korvet.ApiServer.Security;

namespace Korvet.ApiServer.Tests.Security;

public sealed class StaticTokenTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Admin_token_is_generated_once_and_kept_private()
    {
        var options = new TokenAuthOptions { DataDirectory = _dir.Path };
        StaticTokenAuthenticator first = StaticTokenAuthenticator.LoadOrCreate(options);
        Assert.Matches("^[0-9a-f]{64}$", first.AdminToken);
        FileModes.AssertOwnerOnly(options.AdminTokenPath);
        StaticTokenAuthenticator second = StaticTokenAuthenticator.LoadOrCreate(options);
        Assert.Equal(first.AdminToken, second.AdminToken);
        Assert.NotEqual(first.AdminToken, StaticTokenAuthenticator.LoadOrCreate(options with { DataDirectory = Path.Combine(_dir.Path, "other") }).AdminToken);
    }

    [Fact]
    public void Admin_token_authenticates_as_system_admin()
    {
        StaticTokenAuthenticator auth = StaticTokenAuthenticator.LoadOrCreate(new TokenAuthOptions { DataDirectory = _dir.Path });
        UserInfo? user = auth.Authenticate(auth.AdminToken);
        Assert.NotNull(user);
        Assert.Equal("system:admin", user.Name);
        Assert.Equal(["system:masters", "system:authenticated"], user.Groups);
        Assert.Null(auth.Authenticate(auth.AdminToken + "x"));
        Assert.Null(auth.Authenticate(""));
    }

    [Fact]
    public void Token_file_users_authenticate_with_their_groups()
    {
        string file = Path.Combine(_dir.Path, "tokens.csv");
        File.WriteAllText(file, "t1,alice,u1,\"dev,ops\"\nt2,bob,u2\r\n\n,nobody,u3\nt3,carol,u4,system:authenticated,extra\n");
        StaticTokenAuthenticator auth = StaticTokenAuthenticator.LoadOrCreate(new TokenAuthOptions { DataDirectory = _dir.Path, TokenFile = file });
        UserInfo alice = auth.Authenticate("t1")!;
        Assert.Equal(("alice", "u1"), (alice.Name, alice.Uid));
        Assert.Equal(["dev", "ops", "system:authenticated"], alice.Groups);
        Assert.Equal(["system:authenticated"], auth.Authenticate("t2")!.Groups);
        Assert.Equal(["system:authenticated"], auth.Authenticate("t3")!.Groups);
        Assert.Null(auth.Authenticate("t4"));
        Assert.NotNull(auth.Authenticate(auth.AdminToken));
    }

    [Fact]
    public void Token_file_parsing_follows_go_csv()
    {
        IReadOnlyList<(string Token, UserInfo User)> entries = TokenFile.Parse(
            "\"a,b\",\"user \"\"q\"\"\",uid\nx,y,z,\"g1,\ng2\"\nx,later,z2\n", "f");
        Assert.Equal(3, entries.Count);
        Assert.Equal("a,b", entries[0].Token);
        Assert.Equal("user \"q\"", entries[0].User.Name);
        Assert.Equal(["g1", "\ng2", "system:authenticated"], entries[1].User.Groups);
        Assert.Equal("later", entries[2].User.Name);
    }

    [Fact]
    public void Later_duplicate_token_wins()
    {
        string file = Path.Combine(_dir.Path, "tokens.csv");
        File.WriteAllText(file, "t,first,1\nt,second,2\n");
        StaticTokenAuthenticator auth = StaticTokenAuthenticator.LoadOrCreate(new TokenAuthOptions { DataDirectory = _dir.Path, TokenFile = file });
        Assert.Equal("second", auth.Authenticate("t")!.Name);
    }

    [Theory]
    [InlineData("t,user\n", "token file 'f' must have at least 3 columns (token, user name, user uid), found 2")]
    [InlineData("t,us\"er,uid\n", "parse error on line 1: bare \" in non-quoted-field")]
    [InlineData("\"t,user,uid\n", "parse error on line 2: extraneous or missing \" in quoted-field")]
    public void Malformed_token_files_are_rejected(string text, string message)
    {
        var e = Assert.Throws<InvalidDataException>(() => TokenFile.Parse(text, "f"));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Parses_websocket_protocol_tokens()
    {
        string encoded = System.Buffers.Text.Base64Url.EncodeToString("my-token"u8);
        Assert.True(BearerTokenAuthenticator.TryGetWebSocketBearerToken(
            "v5.channel.k8s.io, base64url.bearer.authorization.k8s.io." + encoded + ", v4.channel.k8s.io", out string token, out string rest));
        Assert.Equal("my-token", token);
        Assert.Equal("v5.channel.k8s.io,v4.channel.k8s.io", rest);
        Assert.False(BearerTokenAuthenticator.TryGetWebSocketBearerToken("v5.channel.k8s.io", out _, out string unchanged));
        Assert.Equal("v5.channel.k8s.io", unchanged);
        Assert.False(BearerTokenAuthenticator.TryGetWebSocketBearerToken("base64url.bearer.authorization.k8s.io.", out _, out _));
        Assert.False(BearerTokenAuthenticator.TryGetWebSocketBearerToken("base64url.bearer.authorization.k8s.io.***", out _, out _));
        Assert.False(BearerTokenAuthenticator.TryGetWebSocketBearerToken(null, out _, out _));
    }

    [Theory]
    [InlineData("Bearer abc", true, "abc")]
    [InlineData("bearer abc", true, "abc")]
    [InlineData("BEARER abc extra", true, "abc")]
    [InlineData("Bearer  abc", false, "")]
    [InlineData("Bearer", false, "")]
    [InlineData("Basic abc", false, "")]
    [InlineData("", false, "")]
    [InlineData(null, false, "")]
    public void Parses_bearer_headers_like_upstream(string? header, bool ok, string token)
    {
        Assert.Equal(ok, BearerTokenAuthenticator.TryGetBearerToken(header, out string parsed));
        Assert.Equal(token, parsed);
    }
}
