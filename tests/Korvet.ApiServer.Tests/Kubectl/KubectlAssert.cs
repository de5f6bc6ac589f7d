namespace Korvet.ApiServer.Tests.Kubectl;

internal static class KubectlAssert
{
    public static void Succeeded((int Exit, string Out, string Err) result) =>
        Assert.True(result.Exit == 0, $"kubectl failed ({result.Exit}): {result.Err}{result.Out}");

    public static void Failed((int Exit, string Out, string Err) result, string expectedError)
    {
        Assert.True(result.Exit != 0, $"kubectl unexpectedly succeeded: {result.Out}");
        Assert.Contains(expectedError, result.Err, StringComparison.Ordinal);
    }
}
