using System.Text;
using System.Text.Json;
using Korvet.ApiServer.Errors;

namespace Korvet.ApiServer.Storage;

/// <summary>
/// Upstream's opaque list continue token: base64 of <c>{"v":"meta.k8s.io/v1","rv":N,"start":"&lt;key after prefix&gt;\u0000"}</c>
/// where start is the next key to read, relative to the list prefix.
/// </summary>
public static class ContinueToken
{
    public static string Encode(long revision, string lastKeyRelative)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("v", "meta.k8s.io/v1");
            writer.WriteNumber("rv", revision);
            writer.WriteString("start", lastKeyRelative + "\0");
            writer.WriteEndObject();
        }

        return Convert.ToBase64String(buffer.ToArray()).Replace('+', '-').Replace('/', '_').TrimEnd('=');
    }

    /// <summary>Decodes a token into (revision, last key relative to the prefix); 400 BadRequest when malformed.</summary>
    public static (long Revision, string AfterRelative) Decode(string token)
    {
        try
        {
            string b64 = token.Replace('-', '+').Replace('_', '/');
            b64 = b64.PadRight(b64.Length + ((4 - (b64.Length % 4)) % 4), '=');
            using JsonDocument doc = JsonDocument.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(b64)));
            JsonElement root = doc.RootElement;
            if (root.GetProperty("v").GetString() != "meta.k8s.io/v1")
            {
                throw new FormatException("bad version");
            }

            long rv = root.GetProperty("rv").GetInt64();
            string start = root.GetProperty("start").GetString() ?? "";
            if (rv <= 0 || !start.EndsWith('\0') || start.Contains("..", StringComparison.Ordinal))
            {
                throw new FormatException("bad start");
            }

            return (rv, start[..^1]);
        }
        catch (Exception e) when (e is FormatException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw StatusErrors.BadRequest("continue key is not valid: " + e.Message);
        }
    }
}
