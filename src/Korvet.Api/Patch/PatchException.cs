namespace Korvet.Api.Patch;

/// <summary>How the API server answers a patch that cannot be applied, mirroring upstream's handler
/// (<c>apiserver/pkg/endpoints/handlers/patch.go</c>).</summary>
public enum PatchErrorKind
{
    /// <summary>400 BadRequest: the patch is not valid JSON or a directive is malformed.</summary>
    BadRequest,
    /// <summary>422 Invalid: a JSON patch operation failed (missing path, failed test), lists of lists in a
    /// strategic merge patch.</summary>
    Invalid,
    /// <summary>500 InternalError: what upstream's strategic merge code returns as a plain error (missing merge
    /// key, unknown <c>$patch</c> value, <c>$setElementOrder</c> mismatch).</summary>
    Internal,
    /// <summary>413: more JSON patch operations than upstream allows (10,000).</summary>
    RequestEntityTooLarge,
}

/// <summary>A patch that cannot be parsed or applied; nothing was changed. The message is upstream's text where
/// practical.</summary>
public sealed class PatchException : Exception
{
    public PatchException(PatchErrorKind kind, string message)
        : base(message)
    {
        Kind = kind;
    }

    public PatchErrorKind Kind { get; }

    /// <summary>The HTTP status upstream answers with.</summary>
    public int StatusCode => Kind switch
    {
        PatchErrorKind.BadRequest => 400,
        PatchErrorKind.Invalid => 422,
        PatchErrorKind.RequestEntityTooLarge => 413,
        _ => 500,
    };
}
