namespace Korvet.Client;

/// <summary>The four patch formats of the API (the Content-Type of a PATCH).</summary>
public enum PatchType
{
    /// <summary>RFC 6902 JSON patch (<c>application/json-patch+json</c>).</summary>
    Json,

    /// <summary>RFC 7386 JSON merge patch (<c>application/merge-patch+json</c>).</summary>
    Merge,

    /// <summary>Strategic merge patch (<c>application/strategic-merge-patch+json</c>).</summary>
    StrategicMerge,

    /// <summary>Server-side apply (<c>application/apply-patch+yaml</c>; JSON is valid YAML); needs a field manager.</summary>
    Apply,
}
