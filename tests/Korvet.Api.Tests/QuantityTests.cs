using Korvet.Api.Resource;

namespace Korvet.Api.Tests;

public sealed class QuantityTests
{
    [Theory]
    [InlineData("0", "0")]
    [InlineData("-0", "0")]
    [InlineData("0Gi", "0")]
    [InlineData("1000m", "1")]
    [InlineData("1500m", "1500m")]
    [InlineData("1.5", "1500m")]
    [InlineData("0.1", "100m")]
    [InlineData("0.5", "500m")]
    [InlineData("1.0", "1")]
    [InlineData("+1", "1")]
    [InlineData("-1.5", "-1500m")]
    [InlineData("100m", "100m")]
    [InlineData("2000", "2k")]
    [InlineData("1500", "1500")]
    [InlineData("1000k", "1M")]
    [InlineData("1k", "1k")]
    [InlineData("12345678n", "12345678n")]
    [InlineData("1000000n", "1m")]
    [InlineData("0.1n", "1n")]
    [InlineData("-0.1n", "-1n")]
    [InlineData("1u", "1u")]
    [InlineData("1E", "1E")]
    [InlineData("1Ki", "1Ki")]
    [InlineData("1024Mi", "1Gi")]
    [InlineData("1.5Gi", "1536Mi")]
    [InlineData("0.5Gi", "512Mi")]
    [InlineData("1023Ki", "1023Ki")]
    [InlineData("100Mi", "100Mi")]
    [InlineData("0.1Ki", "102400m")]
    [InlineData("512", "512")]
    [InlineData("5Ei", "5Ei")]
    [InlineData("1e3", "1e3")]
    [InlineData("1E3", "1e3")]
    [InlineData("1e-3", "1e-3")]
    [InlineData("1000e-3", "1")]
    [InlineData("1.5e3", "1500")]
    [InlineData("12e6", "12e6")]
    public void ParsesAndCanonicalizes(string input, string canonical)
    {
        Quantity q = Quantity.Parse(input);
        Assert.Equal(canonical, q.ToString());
        Assert.Equal(canonical, Quantity.Parse(canonical).ToString());
        Assert.Equal(q, Quantity.Parse(canonical));
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("1.2.3")]
    [InlineData("1Kb")]
    [InlineData("1KiB")]
    [InlineData("e3")]
    [InlineData("1e")]
    [InlineData(".")]
    [InlineData("1 Mi")]
    [InlineData("Mi")]
    [InlineData("--1")]
    [InlineData("1e3.5")]
    [InlineData("0x10")]
    public void RejectsMalformed(string input)
    {
        Assert.False(Quantity.TryParse(input, out _, out string? error));
        Assert.False(string.IsNullOrEmpty(error));
        Assert.Throws<FormatException>(() => Quantity.Parse(input));
    }

    [Fact]
    public void ComparesByValue()
    {
        Assert.Equal(Quantity.Parse("1Gi"), Quantity.Parse("1024Mi"));
        Assert.True(Quantity.Parse("1") < Quantity.Parse("1001m"));
        Assert.True(Quantity.Parse("1k") > Quantity.Parse("999"));
        Assert.Equal(0, Quantity.Parse("1000m").CompareTo(Quantity.Parse("1")));
    }

    [Fact]
    public void ScalesRoundingUp()
    {
        Assert.Equal(2, Quantity.Parse("1500m").Value());
        Assert.Equal(1500, Quantity.Parse("1500m").MilliValue());
        Assert.Equal(1, Quantity.Parse("0.1m").MilliValue());
        Assert.Equal(1073741824, Quantity.Parse("1Gi").Value());
        Assert.Equal(-1, Quantity.Parse("-1500m").Value());
    }
}
