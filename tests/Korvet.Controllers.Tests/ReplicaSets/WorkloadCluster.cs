using Korvet.Api.Core.V1;
using Korvet.Api.Meta.V1;
using Korvet.Client;

namespace Korvet.Controllers.Tests.ReplicaSets;

/// <summary>
/// A real in-process server, which runs the controller manager (ControllerManager.CreateDefault: ReplicaSet,
/// ReplicationController, Deployment, ...) itself, plus a client built from its kubeconfig. No scheduler or kubelet:
/// tests play the kubelet by writing pod status through the status subresource (<see cref="MarkReadyAsync"/>).
/// </summary>
public sealed class WorkloadCluster : TestCluster
{
    private KubernetesClient? _client;

    public KubernetesClient Client => _client ?? throw new InvalidOperationException("not started");

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _client = new KubernetesClient(ClientOptions.FromKubeconfigFile(Kubeconfig));
    }

    public override async Task DisposeAsync()
    {
        _client?.Dispose();
        await base.DisposeAsync();
    }

    /// <summary>Active (not terminating, not finished) pods of <paramref name="ns"/> matching the selector, live from the API.</summary>
    public async Task<List<Pod>> ActivePodsAsync(string ns, string labelSelector) =>
        [.. (await Client.Resource<Pod>().ListAsync(ns, new ListOptions { LabelSelector = labelSelector })).Items
            .Where(p => p.Metadata?.DeletionTimestamp is null && p.Status?.Phase is not ("Succeeded" or "Failed"))];

    /// <summary>Plays the kubelet: every pending pod matching the selector becomes Running and Ready. Returns how many changed.</summary>
    public async Task<int> MarkReadyAsync(string ns, string labelSelector, int max = int.MaxValue)
    {
        int changed = 0;
        foreach (Pod pod in await ActivePodsAsync(ns, labelSelector))
        {
            if (changed >= max)
            {
                break;
            }

            if (pod.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true)
            {
                continue;
            }

            if (await MarkPodReadyAsync(pod))
            {
                changed++;
            }
        }

        return changed;
    }

    /// <summary>
    /// Writes Running/Ready status on one pod through <see cref="Lifecycle.Objects.UpdatePodStatusAsync"/>, which
    /// retries on a conflict (the scheduler records PodScheduled=False on pods it cannot place, concurrently with this),
    /// so callers never lose a pod to that race. False when the pod is gone.
    /// </summary>
    private async Task<bool> MarkPodReadyAsync(Pod pod)
    {
        var now = new Time(DateTimeOffset.UtcNow);
        try
        {
            await Lifecycle.Objects.UpdatePodStatusAsync(Client, pod.Metadata!.Namespace!, pod.Metadata.Name!, status =>
            {
                status.Phase = "Running";
                status.StartTime = now;
                status.PodIP = "10.244.0.2";
                status.Conditions =
                [
                    new PodCondition { Type = "Ready", Status = "True", LastTransitionTime = now },
                    new PodCondition { Type = "ContainersReady", Status = "True", LastTransitionTime = now },
                ];
            });
            return true;
        }
        catch (ApiException e) when (e.IsNotFound)
        {
            return false;
        }
    }

    /// <summary>
    /// A background "kubelet" for tests: every <paramref name="intervalMs"/> it marks up to <paramref name="perRound"/>
    /// pending pods matching the selector Running and Ready, until disposed.
    /// </summary>
    public IAsyncDisposable StartKubelet(string ns, string labelSelector, int intervalMs = 100, int perRound = int.MaxValue)
    {
        var stop = new CancellationTokenSource();
        Task loop = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    await MarkReadyAsync(ns, labelSelector, perRound);
                    await Task.Delay(intervalMs, stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        });
        return new Stopper(stop, loop);
    }

    private sealed class Stopper(CancellationTokenSource stop, Task loop) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await stop.CancelAsync();
            await loop;
            stop.Dispose();
        }
    }

    /// <summary>Polls <paramref name="check"/> (every 50 ms) until it returns true or the time is up.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> check, string what, int seconds = 20)
    {
        DateTime deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await check())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"timed out waiting for {what}");
            }

            await Task.Delay(50);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class WorkloadCollection : ICollectionFixture<WorkloadCluster>
{
    public const string Name = "workload cluster";
}
