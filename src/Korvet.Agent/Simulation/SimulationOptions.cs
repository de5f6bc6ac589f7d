namespace Korvet.Agent.Simulation;

/// <summary>
/// Options of a set of simulated nodes (docs/agent-simulation.md). Immutable; <see cref="Validate"/> once before use.
/// </summary>
/// <param name="Count">Number of nodes, named <c>&lt;NamePrefix&gt;-&lt;i&gt;</c> for i in 0..Count-1.</param>
/// <param name="NamePrefix">Prefix of the node names.</param>
/// <param name="Cpu">Capacity and allocatable <c>cpu</c> (a Quantity string).</param>
/// <param name="Memory">Capacity and allocatable <c>memory</c>.</param>
/// <param name="Pods">Capacity and allocatable <c>pods</c>.</param>
/// <param name="Labels">Extra node labels (on top of hostname, os, arch and <c>type=simulated</c>).</param>
/// <param name="LeaseRenewInterval">How often each node's Lease in kube-node-lease is renewed (kubelet: 10 s).</param>
/// <param name="LeaseDurationSeconds">The Lease's leaseDurationSeconds (kubelet: 40).</param>
/// <param name="StatusReportInterval">How often the Ready condition heartbeat is refreshed when nothing changed
/// (kubelet's nodeStatusReportFrequency is 5 min; 1 min here keeps <c>kubectl describe</c> fresh).</param>
/// <param name="DefaultRunTime">How long a restartPolicy Never/OnFailure pod runs before it succeeds, unless the pod's
/// <c>korvet.io/sim-run-seconds</c> annotation says otherwise.</param>
/// <param name="PodCidr">IPv4 range carved into one block per node for pod IPs.</param>
/// <param name="NodeCidr">IPv4 range the nodes' InternalIPs come from (data only: nothing is sent there).</param>
/// <param name="Workers">How many pod status writes run at once.</param>
public sealed record SimulationOptions(
    int Count,
    string NamePrefix = "korvet-sim",
    string Cpu = "32",
    string Memory = "256Gi",
    string Pods = "110",
    IReadOnlyDictionary<string, string>? Labels = null,
    TimeSpan? LeaseRenewInterval = null,
    int LeaseDurationSeconds = 40,
    TimeSpan? StatusReportInterval = null,
    TimeSpan? DefaultRunTime = null,
    string PodCidr = "10.42.0.0/16",
    string NodeCidr = "10.41.0.0/16",
    int Workers = 16)
{
    public TimeSpan RenewInterval => LeaseRenewInterval ?? TimeSpan.FromSeconds(10);

    public TimeSpan ReportInterval => StatusReportInterval ?? TimeSpan.FromMinutes(1);

    public TimeSpan RunTime => DefaultRunTime ?? TimeSpan.FromSeconds(2);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad option.</summary>
    public void Validate()
    {
        if (Count < 1)
        {
            throw new ArgumentException($"--simulate {Count}: need at least one node");
        }

        if (string.IsNullOrEmpty(NamePrefix) || NamePrefix.Length > 200)
        {
            throw new ArgumentException($"--node-name-prefix '{NamePrefix}': must be 1-200 characters");
        }

        foreach (string quantity in new[] { Cpu, Memory, Pods })
        {
            if (!Api.Resource.Quantity.TryParse(quantity, out _))
            {
                throw new ArgumentException($"invalid quantity '{quantity}'");
            }
        }

        if (Workers < 1 || LeaseDurationSeconds < 1)
        {
            throw new ArgumentException("workers and lease duration must be positive");
        }

        _ = new AddressBlocks(PodCidr, Count);
        _ = new AddressBlocks(NodeCidr, 1);
    }
}
