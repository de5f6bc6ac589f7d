using System.Globalization;

namespace Korvet.ApiServer.Services;

/// <summary>An inclusive range of node ports, written as upstream's <c>--service-node-port-range</c> accepts it:
/// <c>30000-32767</c> or <c>30000+2767</c> (base plus size). Immutable.</summary>
public sealed record PortRange(int Min, int Max)
{
    public static PortRange Default { get; } = new(30000, 32767);

    /// <exception cref="ArgumentException">Not a range of ports 1-65535 with min ≤ max.</exception>
    public static PortRange Parse(string text)
    {
        string[] parts = text.Trim().Split('-', '+');
        if (parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int low)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int second))
        {
            int high = text.Contains('+', StringComparison.Ordinal) ? low + second : second;
            if (low is >= 1 and <= 65535 && high is >= 1 and <= 65535 && low <= high)
            {
                return new PortRange(low, high);
            }
        }

        throw new ArgumentException($"invalid service node port range \"{text}\" (expected e.g. 30000-32767)", nameof(text));
    }

    public int Size => Max - Min + 1;

    public bool Contains(long port) => port >= Min && port <= Max;

    /// <summary>As upstream prints it in errors: <c>30000-32767</c>.</summary>
    public override string ToString() => $"{Min.ToString(CultureInfo.InvariantCulture)}-{Max.ToString(CultureInfo.InvariantCulture)}";
}
