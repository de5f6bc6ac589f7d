using System.Globalization;

namespace Korvet.ApiServer.Http;

/// <summary>How a response body is shaped, chosen from the Accept header.</summary>
public enum ResponseShape
{
    /// <summary>The object or list itself.</summary>
    Object,
    /// <summary>meta.k8s.io Table (kubectl get).</summary>
    Table,
    /// <summary>meta.k8s.io PartialObjectMetadata / PartialObjectMetadataList.</summary>
    PartialObjectMetadata,
}

/// <summary>The serialization of a response body.</summary>
public enum ResponseEncoding
{
    Json,
    Yaml,
    /// <summary><c>k8s\0</c> + runtime.Unknown (objects); length-prefixed raw WatchEvent frames (watches).</summary>
    Protobuf,
}

/// <summary>The outcome of content negotiation: what to send and how to serialize it.</summary>
public readonly record struct Negotiated(ResponseShape Shape, ResponseEncoding Encoding)
{
    public static Negotiated Json { get; } = new(ResponseShape.Object, ResponseEncoding.Json);
}

/// <summary>
/// Accept-header negotiation for resource responses, following upstream's rules: clauses are tried in order of their
/// q-value (0 = not acceptable; ties keep header order); <c>*/*</c> and <c>application/*</c> mean JSON; a clause with
/// <c>as=Table</c> may be JSON or YAML, one with <c>as=PartialObjectMetadata[List]</c> any of the three; protobuf is
/// offered only for kinds that have a protobuf message (not custom resources); watches cannot be YAML (no stream
/// serializer upstream). Pure functions; thread-safe.
/// </summary>
public static class ResponseFormat
{
    public const string Json = "application/json";
    public const string Yaml = "application/yaml";
    public const string Protobuf = "application/vnd.kubernetes.protobuf";
    public const string ProtobufWatch = "application/vnd.kubernetes.protobuf;stream=watch";
    public const string TableV1 = "application/json;as=Table;v=v1;g=meta.k8s.io";
    public const string PartialV1 = "application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io";
    public const string PartialListV1 = "application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io";

    public static readonly string[] Supported = [Json, Yaml, Protobuf, TableV1, PartialV1, PartialListV1];

    /// <summary>
    /// The best acceptable format, or null when nothing acceptable is offered (406). An absent header means JSON.
    /// </summary>
    /// <param name="protobufAllowed">Whether the resource's kind can be encoded as protobuf.</param>
    /// <param name="watch">A watch stream: YAML is not offered.</param>
    public static Negotiated? Negotiate(string? accept, bool protobufAllowed = true, bool watch = false)
    {
        if (string.IsNullOrWhiteSpace(accept))
        {
            return Negotiated.Json;
        }

        foreach (Clause clause in Clauses(accept))
        {
            if (EncodingOf(clause.Type) is not { } encoding
                || (encoding == ResponseEncoding.Protobuf && !protobufAllowed)
                || (encoding == ResponseEncoding.Yaml && watch))
            {
                continue;
            }

            if (clause.As is null)
            {
                return new Negotiated(ResponseShape.Object, encoding);
            }

            if (clause.Group == "meta.k8s.io" && clause.Version is "v1" or "v1beta1")
            {
                if (clause.As == "Table" && encoding != ResponseEncoding.Protobuf)
                {
                    return new Negotiated(ResponseShape.Table, encoding);
                }

                if (clause.As is "PartialObjectMetadata" or "PartialObjectMetadataList")
                {
                    return new Negotiated(ResponseShape.PartialObjectMetadata, encoding);
                }
            }
        }

        return null;
    }

    /// <summary>
    /// The encoding of an error Status: the best clause without <c>as=</c> (upstream negotiates errors with the
    /// default endpoint restrictions, which refuse transformations), JSON when none fits.
    /// </summary>
    public static ResponseEncoding NegotiateStatus(string? accept)
    {
        if (string.IsNullOrWhiteSpace(accept))
        {
            return ResponseEncoding.Json;
        }

        foreach (Clause clause in Clauses(accept))
        {
            if (clause.As is null && EncodingOf(clause.Type) is { } encoding)
            {
                return encoding;
            }
        }

        return ResponseEncoding.Json;
    }

    /// <summary>The media type (no parameters, lower case) of a Content-Type header.</summary>
    public static string MediaType(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType))
        {
            return "";
        }

        int semi = contentType.IndexOf(';');
        return (semi >= 0 ? contentType[..semi] : contentType).Trim().ToLowerInvariant();
    }

    private static ResponseEncoding? EncodingOf(string type) => type switch
    {
        Json or "*/*" or "application/*" => ResponseEncoding.Json,
        Yaml => ResponseEncoding.Yaml,
        Protobuf => ResponseEncoding.Protobuf,
        _ => null,
    };

    private sealed record Clause(string Type, string? As, string? Group, string? Version, double Quality, int Order);

    /// <summary>The acceptable clauses (q &gt; 0), best first.</summary>
    private static IEnumerable<Clause> Clauses(string accept)
    {
        var clauses = new List<Clause>();
        foreach (string text in accept.Split(','))
        {
            string[] parts = text.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 0)
            {
                continue;
            }

            string? asKind = null, group = null, version = null;
            double quality = 1;
            foreach (string p in parts.Skip(1))
            {
                int eq = p.IndexOf('=');
                if (eq <= 0)
                {
                    continue;
                }

                string value = p[(eq + 1)..].Trim().Trim('"');
                switch (p[..eq].Trim().ToLowerInvariant())
                {
                    case "as": asKind = value; break;
                    case "g": group = value; break;
                    case "v": version = value; break;
                    case "q":
                        quality = double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double q) ? Math.Clamp(q, 0, 1) : 0;
                        break;
                }
            }

            if (quality > 0)
            {
                clauses.Add(new Clause(parts[0].ToLowerInvariant(), asKind, group, version, quality, clauses.Count));
            }
        }

        return clauses.OrderByDescending(c => c.Quality).ThenBy(c => c.Order);
    }
}
