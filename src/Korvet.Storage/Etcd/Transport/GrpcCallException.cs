namespace Korvet.Storage.Etcd.Transport;

/// <summary>gRPC status codes (the subset Korvet distinguishes; numbers from the gRPC spec).</summary>
internal enum GrpcStatusCode
{
    Ok = 0,
    Cancelled = 1,
    Unknown = 2,
    InvalidArgument = 3,
    DeadlineExceeded = 4,
    NotFound = 5,
    AlreadyExists = 6,
    PermissionDenied = 7,
    ResourceExhausted = 8,
    FailedPrecondition = 9,
    Aborted = 10,
    OutOfRange = 11,
    Unimplemented = 12,
    Internal = 13,
    Unavailable = 14,
    DataLoss = 15,
    Unauthenticated = 16,
}

/// <summary>How a failed attempt relates to the request it carried; decides whether a retry is safe.</summary>
internal enum FailureKind
{
    /// <summary>The server answered with a definitive gRPC error; retrying elsewhere does not help.</summary>
    Final,

    /// <summary>The request never reached the member (connection refused or failed): any retry is safe.</summary>
    NotSent,

    /// <summary>The request may or may not have been applied (connection lost mid-call, timeout, server said
    /// Unavailable). Only compare-and-swap writes may be re-sent.</summary>
    InDoubt,
}

/// <summary>A failed gRPC attempt against one member.</summary>
internal sealed class GrpcCallException : Exception
{
    public GrpcCallException(GrpcStatusCode status, string message, FailureKind kind, Exception? inner = null)
        : base(message, inner)
    {
        Status = status;
        Kind = kind;
    }

    public GrpcStatusCode Status { get; }

    public FailureKind Kind { get; }

    /// <summary>Whether another member might answer where this one failed.</summary>
    public bool Retryable => Kind != FailureKind.Final;
}
