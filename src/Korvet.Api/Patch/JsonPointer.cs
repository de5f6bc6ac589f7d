namespace Korvet.Api.Patch;

/// <summary>RFC 6901 JSON pointers: <c>/a/b~1c/~0d</c>; "" is the whole document.</summary>
public static class JsonPointer
{
    /// <summary>Splits and unescapes a pointer (<c>~1</c> → <c>/</c>, then <c>~0</c> → <c>~</c>).</summary>
    /// <returns>False when the pointer is neither "" nor starts with "/".</returns>
    public static bool TryParse(string pointer, out string[] segments)
    {
        if (pointer.Length == 0)
        {
            segments = [];
            return true;
        }

        if (pointer[0] != '/')
        {
            segments = [];
            return false;
        }

        segments = pointer[1..].Split('/');
        for (int i = 0; i < segments.Length; i++)
        {
            segments[i] = Unescape(segments[i]);
        }

        return true;
    }

    public static string Unescape(string segment) =>
        segment.Contains('~', StringComparison.Ordinal) ? segment.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal) : segment;

    public static string Escape(string segment) =>
        segment.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);
}
