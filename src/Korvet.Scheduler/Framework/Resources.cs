using Korvet.Api.Core.V1;
using Korvet.Api.Resource;

namespace Korvet.Scheduler.Framework;

/// <summary>
/// An amount of schedulable resources in integer units: milli-CPU, bytes of memory and ephemeral storage, a pod
/// count, and extended (scalar) resources by name. Mutable; owned by one NodeInfo or PodInfo.
/// </summary>
public sealed class Resources
{
    public const string CpuName = "cpu";
    public const string MemoryName = "memory";
    public const string EphemeralStorageName = "ephemeral-storage";
    public const string PodsName = "pods";

    /// <summary>Upstream's defaults for containers that request nothing, used only for scoring (non-zero requests).</summary>
    public const long DefaultMilliCpuRequest = 100;
    public const long DefaultMemoryRequest = 200 * 1024 * 1024;

    public long MilliCpu { get; set; }

    public long Memory { get; set; }

    public long EphemeralStorage { get; set; }

    public long AllowedPods { get; set; }

    /// <summary>Extended resources (e.g. <c>example.com/gpu</c>, hugepages), null when there are none.</summary>
    public Dictionary<string, long>? Scalar { get; private set; }

    public bool IsZero => MilliCpu == 0 && Memory == 0 && EphemeralStorage == 0 && (Scalar is null || Scalar.Values.All(v => v == 0));

    public long ScalarValue(string name) => Scalar is not null && Scalar.TryGetValue(name, out long v) ? v : 0;

    public void SetScalar(string name, long value)
    {
        Scalar ??= new Dictionary<string, long>(StringComparer.Ordinal);
        Scalar[name] = value;
    }

    /// <summary>Reads a node's allocatable (or any resource list).</summary>
    public static Resources FromList(IReadOnlyDictionary<string, Quantity>? list)
    {
        var r = new Resources();
        if (list is null)
        {
            return r;
        }

        foreach ((string name, Quantity q) in list)
        {
            switch (name)
            {
                case CpuName: r.MilliCpu = q.MilliValue(); break;
                case MemoryName: r.Memory = q.Value(); break;
                case EphemeralStorageName: r.EphemeralStorage = q.Value(); break;
                case PodsName: r.AllowedPods = q.Value(); break;
                default:
                    if (IsScalar(name))
                    {
                        r.SetScalar(name, q.Value());
                    }

                    break;
            }
        }

        return r;
    }

    /// <summary>Extended resources and hugepages; not cpu/memory/storage/pods and not the "requests." quota names.</summary>
    public static bool IsScalar(string name) => name is not (CpuName or MemoryName or EphemeralStorageName or PodsName) && !name.StartsWith("requests.", StringComparison.Ordinal);

    public void Add(Resources other)
    {
        MilliCpu += other.MilliCpu;
        Memory += other.Memory;
        EphemeralStorage += other.EphemeralStorage;
        if (other.Scalar is not null)
        {
            foreach ((string name, long v) in other.Scalar)
            {
                SetScalar(name, ScalarValue(name) + v);
            }
        }
    }

    public void Subtract(Resources other)
    {
        MilliCpu -= other.MilliCpu;
        Memory -= other.Memory;
        EphemeralStorage -= other.EphemeralStorage;
        if (other.Scalar is not null)
        {
            foreach ((string name, long v) in other.Scalar)
            {
                SetScalar(name, ScalarValue(name) - v);
            }
        }
    }

    private void Max(Resources other)
    {
        MilliCpu = Math.Max(MilliCpu, other.MilliCpu);
        Memory = Math.Max(Memory, other.Memory);
        EphemeralStorage = Math.Max(EphemeralStorage, other.EphemeralStorage);
        if (other.Scalar is not null)
        {
            foreach ((string name, long v) in other.Scalar)
            {
                SetScalar(name, Math.Max(ScalarValue(name), v));
            }
        }
    }

    public Resources Clone()
    {
        var copy = new Resources { MilliCpu = MilliCpu, Memory = Memory, EphemeralStorage = EphemeralStorage, AllowedPods = AllowedPods };
        if (Scalar is not null)
        {
            copy.Scalar = new Dictionary<string, long>(Scalar, StringComparer.Ordinal);
        }

        return copy;
    }

    /// <summary>
    /// Upstream's effective pod request: the sum of the app containers and the restartable (sidecar) init containers,
    /// or — when larger, per resource — the peak while an ordinary init container runs next to the sidecars started
    /// before it; plus spec.overhead. With <paramref name="nonZero"/>, containers that omit cpu or memory count as
    /// 100m / 200 MiB (the scoring view).
    /// </summary>
    public static Resources PodRequests(PodSpec? spec, bool nonZero)
    {
        var sum = new Resources();
        if (spec is null)
        {
            return sum;
        }

        foreach (Container c in spec.Containers ?? [])
        {
            sum.Add(ContainerRequests(c, nonZero));
        }

        var sidecars = new Resources();
        var initPeak = new Resources();
        foreach (Container c in spec.InitContainers ?? [])
        {
            Resources request = ContainerRequests(c, nonZero);
            if (c.RestartPolicy == "Always")
            {
                sum.Add(request);
                sidecars.Add(request);
                initPeak.Max(sidecars);
            }
            else
            {
                request.Add(sidecars);
                initPeak.Max(request);
            }
        }

        sum.Max(initPeak);
        if (spec.Overhead is { Count: > 0 } overhead)
        {
            sum.Add(FromList(overhead));
        }

        return sum;
    }

    private static Resources ContainerRequests(Container c, bool nonZero)
    {
        // The API server defaults a missing request to the limit; objects stored without that defaulting read the same.
        Dictionary<string, Quantity>? requests = c.Resources?.Requests;
        if (c.Resources?.Limits is { Count: > 0 } limits)
        {
            requests = new Dictionary<string, Quantity>(requests ?? [], StringComparer.Ordinal);
            foreach ((string name, Quantity limit) in limits)
            {
                requests.TryAdd(name, limit);
            }
        }

        Resources r = FromList(requests);
        r.AllowedPods = 0;
        if (nonZero)
        {
            if (requests is null || !requests.ContainsKey(CpuName))
            {
                r.MilliCpu = DefaultMilliCpuRequest;
            }

            if (requests is null || !requests.ContainsKey(MemoryName))
            {
                r.Memory = DefaultMemoryRequest;
            }
        }

        return r;
    }
}
