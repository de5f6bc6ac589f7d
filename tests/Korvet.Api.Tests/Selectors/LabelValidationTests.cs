using Korvet.Api.Selectors;

namespace Korvet.Api.Tests.Selectors;

public sealed class LabelValidationTests
{
    [Theory]
    [InlineData("a")]
    [InlineData("A1")]
    [InlineData("a-b_c.d")]
    [InlineData("example.com/a")]
    [InlineData("kubernetes.io/metadata.name")]
    [InlineData("a.b-c.d/E")]
    public void Accepts_valid_keys(string key)
    {
        Assert.True(LabelValidation.IsValidKey(key));
        Assert.Empty(LabelValidation.KeyErrors(key));
    }

    [Theory]
    [InlineData("", "name part must be non-empty")]
    [InlineData("-a", "name part must consist of alphanumeric")]
    [InlineData("a-", "name part must consist of alphanumeric")]
    [InlineData("a b", "name part must consist of alphanumeric")]
    [InlineData("/a", "prefix part must be non-empty")]
    [InlineData("a/", "name part must be non-empty")]
    [InlineData("Example.com/a", "prefix part a lowercase RFC 1123 subdomain")]
    [InlineData("ex_ample.com/a", "prefix part a lowercase RFC 1123 subdomain")]
    [InlineData("a..b/a", "prefix part a lowercase RFC 1123 subdomain")]
    [InlineData("a/b/c", "a qualified name must consist of")]
    public void Rejects_invalid_keys(string key, string message)
    {
        Assert.False(LabelValidation.IsValidKey(key));
        Assert.Contains(LabelValidation.KeyErrors(key), e => e.StartsWith(message, StringComparison.Ordinal));
    }

    [Fact]
    public void Enforces_length_limits()
    {
        Assert.True(LabelValidation.IsValidKey(new string('a', 63)));
        Assert.Contains("name part must be no more than 63 characters", LabelValidation.KeyErrors(new string('a', 64)));
        string prefix = string.Join('.', Enumerable.Repeat(new string('p', 50), 5));
        Assert.Equal(254, prefix.Length);
        Assert.Contains("prefix part must be no more than 253 characters", LabelValidation.KeyErrors(prefix + "/a"));
        Assert.True(LabelValidation.IsValidKey(prefix[1..] + "/a"));
    }

    [Theory]
    [InlineData("", true)]
    [InlineData("a", true)]
    [InlineData("1.2_3-X", true)]
    [InlineData("-a", false)]
    [InlineData("a.", false)]
    [InlineData("a/b", false)]
    [InlineData("é", false)]
    public void Validates_values(string value, bool valid)
    {
        Assert.Equal(valid, LabelValidation.IsValidValue(value));
        Assert.Equal(valid, LabelValidation.ValueErrors(value).Count == 0);
    }

    [Fact]
    public void Value_length_limit_is_63()
    {
        Assert.True(LabelValidation.IsValidValue(new string('v', 63)));
        Assert.Equal(["must be no more than 63 characters"], LabelValidation.ValueErrors(new string('v', 64)));
    }
}
