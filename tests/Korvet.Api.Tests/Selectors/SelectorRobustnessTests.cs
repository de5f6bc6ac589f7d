using Korvet.Api.Selectors;

namespace Korvet.Api.Tests.Selectors;

/// <summary>Seeded random selector text: parsing either succeeds or throws <see cref="SelectorException"/>, and the
/// canonical text of a parsed selector parses back to itself.</summary>
public sealed class SelectorRobustnessTests
{
    private static readonly string[] Pieces =
    [
        "a", "b", "app", "x.io/k", "in", "notin", "(", ")", ",", "=", "==", "!=", "!", ">", "<", " ", "\t", "1", "-1", "v",
        "\\", "\\,", "\\=", "é", "/", "-", "_", ".",
    ];

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    public void Label_selectors(int seed)
    {
        var random = new Random(seed);
        int parsed = 0;
        for (int i = 0; i < 20000; i++)
        {
            string text = RandomText(random);
            LabelSelector selector;
            try
            {
                selector = LabelSelector.Parse(text);
            }
            catch (SelectorException)
            {
                continue;
            }

            parsed++;
            string canonical = selector.ToString();
            Assert.Equal(canonical, LabelSelector.Parse(canonical).ToString());
            selector.Matches(new Dictionary<string, string> { ["a"] = "1", ["app"] = "v" });
        }

        Assert.True(parsed > 1000, $"parsed {parsed}");
    }

    [Theory]
    [InlineData(13)]
    public void Field_selectors(int seed)
    {
        var random = new Random(seed);
        int parsed = 0;
        for (int i = 0; i < 20000; i++)
        {
            string text = RandomText(random);
            FieldSelector selector;
            try
            {
                selector = FieldSelector.Parse(text);
            }
            catch (SelectorException)
            {
                continue;
            }

            parsed++;
            string canonical = selector.ToString();
            Assert.Equal(canonical, FieldSelector.Parse(canonical).ToString());
        }

        Assert.True(parsed > 1000, $"parsed {parsed}");
    }

    private static string RandomText(Random random)
    {
        var parts = new string[random.Next(0, 8)];
        for (int i = 0; i < parts.Length; i++)
        {
            parts[i] = Pieces[random.Next(Pieces.Length)];
        }

        return string.Concat(parts);
    }
}
