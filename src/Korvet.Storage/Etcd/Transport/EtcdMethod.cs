namespace Korvet.Storage.Etcd.Transport;

/// <summary>The etcd v3 RPCs Korvet calls.</summary>
internal enum EtcdMethod
{
    Range,
    Put,
    DeleteRange,
    Txn,
    Compact,
    Watch,
    LeaseGrant,
    LeaseRevoke,
    LeaseKeepAlive,
}

/// <summary>Which failed attempts a call may repeat on another member.</summary>
internal enum RetryPolicy
{
    /// <summary>Reads and other idempotent calls: retry any transport or availability failure.</summary>
    Any,

    /// <summary>Compare-and-swap writes: retry any failure (a re-sent CAS applies at most once); the result says
    /// whether an earlier attempt may have been applied.</summary>
    CompareAndSwap,

    /// <summary>Other writes: retry only when the request provably never reached a member.</summary>
    NotSentOnly,
}

/// <summary>A response and whether an earlier attempt of the same call may also have been applied.</summary>
internal readonly record struct CallResult<T>(T Response, bool InDoubt);

internal static class EtcdMethods
{
    /// <summary>gRPC paths (<c>/package.Service/Method</c>), indexed by <see cref="EtcdMethod"/>.</summary>
    public static readonly string[] Paths =
    [
        "/etcdserverpb.KV/Range",
        "/etcdserverpb.KV/Put",
        "/etcdserverpb.KV/DeleteRange",
        "/etcdserverpb.KV/Txn",
        "/etcdserverpb.KV/Compact",
        "/etcdserverpb.Watch/Watch",
        "/etcdserverpb.Lease/LeaseGrant",
        "/etcdserverpb.Lease/LeaseRevoke",
        "/etcdserverpb.Lease/LeaseKeepAlive",
    ];
}
