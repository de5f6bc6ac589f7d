using Korvet.Api.Selectors;

namespace Korvet.Api.Tests.Selectors;

public sealed class LabelSelectorParseTests
{
    [Theory]
    [InlineData("", "")]
    [InlineData("x=a", "x=a")]
    [InlineData("x==a", "x==a")]
    [InlineData("x!=a", "x!=a")]
    [InlineData("x", "x")]
    [InlineData("!x", "!x")]
    [InlineData("x>1", "x>1")]
    [InlineData("x<5", "x<5")]
    [InlineData("x in (b,a)", "x in (a,b)")]
    [InlineData("x notin (a)", "x notin (a)")]
    [InlineData("x=a,y!=b", "x=a,y!=b")]
    [InlineData("y!=b,x=a", "x=a,y!=b")]
    [InlineData("  x = a ,  y  ", "x=a,y")]
    [InlineData("\tx\n=\ra", "x=a")]
    [InlineData("x=", "x=")]
    [InlineData("x=,y=b", "x=,y=b")]
    [InlineData("x in (a,a,b)", "x in (a,b)")]
    [InlineData("x in ()", "x in ()")]
    [InlineData("x in (,a)", "x in (,a)")]
    [InlineData("x in (a,)", "x in (,a)")]
    [InlineData("x in (a,,b)", "x in (,a,b)")]
    [InlineData("x in (in,notin)", "x in (in,notin)")]
    [InlineData("x=in", "x=in")]
    [InlineData("example.com/app=web", "example.com/app=web")]
    [InlineData("a.b-c_d=E.f-G_h", "a.b-c_d=E.f-G_h")]
    [InlineData("x=a,x!=b", "x=a,x!=b")]
    public void Parses_and_prints_canonical_form(string text, string expected)
    {
        Assert.Equal(expected, LabelSelector.Parse(text).ToString());
    }

    [Fact]
    public void Keywords_are_keys_when_not_in_operator_position()
    {
        LabelSelector s = LabelSelector.Parse("in,notin=x");
        Assert.Equal(2, s.Requirements.Count);
        Assert.Equal(SelectorOperator.Exists, s.Requirements[0].Operator);
        Assert.Equal("in", s.Requirements[0].Key);
        Assert.Equal("notin", s.Requirements[1].Key);
    }

    [Theory]
    [InlineData("x=a", SelectorOperator.Equals, new[] { "a" })]
    [InlineData("x==a", SelectorOperator.DoubleEquals, new[] { "a" })]
    [InlineData("x!=a", SelectorOperator.NotEquals, new[] { "a" })]
    [InlineData("x in (a, b)", SelectorOperator.In, new[] { "a", "b" })]
    [InlineData("x notin (b,a)", SelectorOperator.NotIn, new[] { "a", "b" })]
    [InlineData("x", SelectorOperator.Exists, new string[0])]
    [InlineData("!x", SelectorOperator.DoesNotExist, new string[0])]
    [InlineData("x>10", SelectorOperator.GreaterThan, new[] { "10" })]
    [InlineData("x<10", SelectorOperator.LessThan, new[] { "10" })]
    public void Parses_each_operator(string text, SelectorOperator op, string[] values)
    {
        LabelRequirement r = Assert.Single(LabelSelector.Parse(text).Requirements);
        Assert.Equal("x", r.Key);
        Assert.Equal(op, r.Operator);
        Assert.Equal(values, r.Values);
    }

    [Fact]
    public void Empty_and_null_are_everything()
    {
        Assert.True(LabelSelector.Parse(null).IsEverything);
        Assert.True(LabelSelector.Parse("").IsEverything);
        Assert.True(LabelSelector.Parse("   ").IsEverything);
    }

    [Theory]
    [InlineData("x=a,", "found '', expected: identifier after ','")]
    [InlineData("x=a,,y", "found ',', expected: identifier after ','")]
    [InlineData(",x", "found ',', expected: !, identifier, or 'end of string'")]
    [InlineData("=a", "found '=', expected: !, identifier, or 'end of string'")]
    [InlineData("x=a y=b", "found 'y', expected: ',' or 'end of string'")]
    [InlineData("x=a=b", "found '=', expected: ',' or 'end of string'")]
    [InlineData("!x=a", "found '=', expected: ',' or 'end of string'")]
    [InlineData("!", "found '', expected: identifier")]
    [InlineData("!!x", "found '!', expected: identifier")]
    [InlineData("x y", "found 'y', expected: in, notin, =, ==, !=, gt, lt")]
    [InlineData("x (", "found '(', expected: in, notin, =, ==, !=, gt, lt")]
    [InlineData("x in a", "found 'a' expected: '('")]
    [InlineData("x in (a b)", "found 'b', expected: ',' or ')'")]
    [InlineData("x in (a", "found '', expected: ',' or ')'")]
    [InlineData("x in (=)", "found '=', expected: ',', ')' or identifier")]
    [InlineData("x in (a,=)", "found '=', expected: ',', or identifier")]
    [InlineData("x=(", "found '(', expected: identifier")]
    public void Rejects_malformed_text_with_upstream_messages(string text, string message)
    {
        var e = Assert.Throws<SelectorException>(() => LabelSelector.Parse(text));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Rejects_invalid_key_with_field_error()
    {
        var e = Assert.Throws<SelectorException>(() => LabelSelector.Parse("-x=a"));
        Assert.StartsWith("unable to parse requirement: : Invalid value: \"-x\": name part must consist of alphanumeric characters", e.Message);
        Assert.Contains("regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_invalid_value_with_field_error()
    {
        var e = Assert.Throws<SelectorException>(() => LabelSelector.Parse("x=-a"));
        Assert.StartsWith("unable to parse requirement: values[0][x]: Invalid value: \"-a\": a valid label must be an empty string", e.Message);
    }

    [Fact]
    public void Rejects_too_long_value()
    {
        string longValue = new('a', 64);
        var e = Assert.Throws<SelectorException>(() => LabelSelector.Parse("x=" + longValue));
        Assert.Contains("must be no more than 63 characters", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("x>a")]
    [InlineData("x<1.5")]
    [InlineData("x>")]
    public void Rejects_non_integer_bounds(string text)
    {
        var e = Assert.Throws<SelectorException>(() => LabelSelector.Parse(text));
        Assert.Contains("for 'Gt', 'Lt' operators, the value must be an integer", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Negative_bounds_are_not_valid_label_values()
    {
        var e = Assert.Throws<SelectorException>(() => LabelSelector.Parse("x<-5"));
        Assert.StartsWith("unable to parse requirement: values[0][x]: Invalid value: \"-5\"", e.Message);
    }

    [Fact]
    public void Several_errors_in_one_requirement_are_aggregated()
    {
        var e = Assert.Throws<SelectorException>(() => LabelSelector.Parse("x>-a"));
        Assert.StartsWith("unable to parse requirement: [values[0]: Invalid value: \"-a\": for 'Gt', 'Lt' operators, the value must be an integer, values[0][x]:", e.Message);
    }

    [Fact]
    public void Sorting_by_key_is_stable()
    {
        LabelSelector s = LabelSelector.Parse("b=1,a!=2,b!=3,a=4");
        Assert.Equal("a!=2,a=4,b=1,b!=3", s.ToString());
    }
}
