using System.Globalization;
using Korvet.Api.IntStr;

namespace Korvet.Controllers.Deployments;

/// <summary>
/// intstr.GetScaledValueFromIntOrPercent: an integer stays as is; "N%" scales <c>total</c> by N/100, rounded up (surge)
/// or down (unavailable). Anything else is an error, as upstream ("invalid value for IntOrString: ...").
/// </summary>
public static class IntOrPercent
{
    /// <exception cref="FormatException">the string is not "N%" with an integer N.</exception>
    public static int Scaled(IntOrString? value, int total, bool roundUp)
    {
        if (value is null)
        {
            return 0;
        }

        if (value.IsInt)
        {
            return value.IntValue;
        }

        string s = value.StringValue;
        if (!s.EndsWith('%') ||
            !int.TryParse(s.AsSpan(0, s.Length - 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int percent))
        {
            throw new FormatException($"invalid value for IntOrString: invalid type: string is not a percentage: \"{s}\"");
        }

        double scaled = (double)percent * total / 100;
        return roundUp ? (int)Math.Ceiling(scaled) : (int)Math.Floor(scaled);
    }
}
