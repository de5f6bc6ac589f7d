namespace Korvet.ApiServer.Http;

/// <summary>How a response body is shaped, chosen from the Accept header.</summary>
public enum ResponseShape
{
    /// <summary>The object or list itself, as JSON.</summary>
    Object,
    /// <summary>meta.k8s.io Table (kubectl get).</summary>
    Table,
    /// <summary>meta.k8s.io PartialObjectMetadata / PartialObjectMetadataList.</summary>
    PartialObjectMetadata,
}

/// <summary>Accept-header negotiation for resource responses (upstream's negotiation of media type + params).</summary>
public static class ResponseFormat
{
    public const string Json = "application/json";
    public const string TableV1 = "application/json;as=Table;v=v1;g=meta.k8s.io";
    public const string PartialV1 = "application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io";
    public const string PartialListV1 = "application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io";

    public static readonly string[] Supported = [Json, TableV1, PartialV1, PartialListV1];

    /// <summary>
    /// The first acceptable shape in the Accept header's order, or null when nothing acceptable is offered (406).
    /// Protobuf and YAML are skipped (answered as JSON when the header also allows JSON or anything).
    /// </summary>
    public static ResponseShape? Negotiate(string? accept)
    {
        if (string.IsNullOrWhiteSpace(accept))
        {
            return ResponseShape.Object;
        }

        foreach (string clause in accept.Split(','))
        {
            string[] parts = clause.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 0)
            {
                continue;
            }

            string type = parts[0].ToLowerInvariant();
            string? asKind = null;
            string? group = null;
            string? version = null;
            foreach (string p in parts.Skip(1))
            {
                int eq = p.IndexOf('=');
                if (eq <= 0)
                {
                    continue;
                }

                string value = p[(eq + 1)..].Trim('"');
                switch (p[..eq].Trim())
                {
                    case "as": asKind = value; break;
                    case "g": group = value; break;
                    case "v": version = value; break;
                }
            }

            if (type is not (Json or "*/*" or "application/*"))
            {
                continue;
            }

            if (asKind is null)
            {
                return ResponseShape.Object;
            }

            if (group == "meta.k8s.io" && version is "v1" or "v1beta1")
            {
                if (asKind == "Table")
                {
                    return ResponseShape.Table;
                }

                if (asKind is "PartialObjectMetadata" or "PartialObjectMetadataList")
                {
                    return ResponseShape.PartialObjectMetadata;
                }
            }
        }

        return null;
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
}
