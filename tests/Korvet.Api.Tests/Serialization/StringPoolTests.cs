using System.Text;
using Korvet.Api.Serialization;

namespace Korvet.Api.Tests.Serialization;

public sealed class StringPoolTests
{
    [Fact]
    public void EqualStringsShareOneInstanceWhetherReadAsTextOrUtf8()
    {
        var pool = new StringPool(64);
        string first = pool.Get(new string("kube-system".AsSpan()));
        Assert.Same(first, pool.Get(new string("kube-system".AsSpan())));
        Assert.Same(first, pool.Get("kube-system"u8));
        Assert.Equal("kube-system", first);
    }

    [Fact]
    public void LongAndNonAsciiTextIsDecodedCorrectlyButNotPooled()
    {
        var pool = new StringPool(64);
        string longText = new('a', StringPool.MaxLength + 1);
        Assert.NotSame(pool.Get(Encoding.ASCII.GetBytes(longText)), pool.Get(Encoding.ASCII.GetBytes(longText)));
        Assert.Equal("grüße", pool.Get(Encoding.UTF8.GetBytes("grüße")));
        Assert.NotSame(pool.Get(Encoding.UTF8.GetBytes("grüße")), pool.Get(Encoding.UTF8.GetBytes("grüße")));
        Assert.Same(string.Empty, pool.Get(""u8));
    }

    [Fact]
    public void ABoundedPoolStaysCorrectWhenSlotsCollide()
    {
        var pool = new StringPool(4);
        var seen = new Dictionary<string, string>();
        for (int round = 0; round < 3; round++)
        {
            for (int i = 0; i < 100; i++)
            {
                string text = "value-" + i;
                string got = pool.Get(Encoding.ASCII.GetBytes(text));
                Assert.Equal(text, got);
                seen[text] = got;
            }
        }

        Assert.Equal(100, seen.Count);
    }
}
