using Korvet.Api.Coordination.V1;
using Korvet.Api.Meta.V1;
using Microsoft.Extensions.Logging;

namespace Korvet.Client.LeaderElection;

/// <summary>Leader election settings (client-go's defaults: 15 s lease, 10 s renew deadline, 2 s retry). Immutable.</summary>
/// <param name="Namespace">Namespace of the Lease (e.g. kube-system).</param>
/// <param name="Name">Name of the Lease (e.g. kube-controller-manager).</param>
/// <param name="Identity">This candidate's identity (unique per process: hostname + random suffix).</param>
/// <param name="ReleaseOnCancel">On stop, give the lease up (empty holder) so another candidate takes over at once.</param>
public sealed record LeaderElectionOptions(
    string Namespace,
    string Name,
    string Identity,
    TimeSpan? LeaseDuration = null,
    TimeSpan? RenewDeadline = null,
    TimeSpan? RetryPeriod = null,
    bool ReleaseOnCancel = false)
{
    public TimeSpan EffectiveLeaseDuration => LeaseDuration ?? TimeSpan.FromSeconds(15);

    public TimeSpan EffectiveRenewDeadline => RenewDeadline ?? TimeSpan.FromSeconds(10);

    public TimeSpan EffectiveRetryPeriod => RetryPeriod ?? TimeSpan.FromSeconds(2);
}

/// <summary>
/// Leader election on a coordination.k8s.io/v1 Lease, as client-go's leaderelection: a candidate takes the lease when
/// it is free or when its record has not changed for leaseDurationSeconds (judged by this process's clock, so clock
/// skew between candidates does not matter), and the leader renews every retry period. Every write is an update with
/// the read resourceVersion (optimistic concurrency), so two candidates never both win. When renewing fails for the
/// renew deadline the leader's token is cancelled. Leases record holderIdentity, leaseDurationSeconds, acquireTime,
/// renewTime and leaseTransitions. One <see cref="RunAsync"/> at a time.
/// </summary>
public sealed class LeaderElector
{
    private readonly ResourceClient<Lease> _leases;
    private readonly LeaderElectionOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private string? _observedRecord;
    private long _observedAt;
    private volatile bool _isLeader;

    public LeaderElector(KubernetesClient client, LeaderElectionOptions options, TimeProvider? time = null)
    {
        _leases = client.Resource<Lease>();
        _options = options;
        _time = time ?? TimeProvider.System;
        _logger = client.LoggerFactory.CreateLogger<LeaderElector>();
    }

    public bool IsLeader => _isLeader;

    public string Identity => _options.Identity;

    /// <summary>
    /// Campaigns until elected, then runs <paramref name="onStartedLeading"/> with a token cancelled when leadership
    /// is lost or <paramref name="ct"/> fires; returns after the callback has finished (lost, stopped, or the callback
    /// returned — then the lease is not renewed any more). Throws nothing but cancellation of <paramref name="ct"/>
    /// before election.
    /// </summary>
    public async Task RunAsync(Func<CancellationToken, Task> onStartedLeading, CancellationToken ct)
    {
        while (!await TryAcquireOrRenewAsync(ct).ConfigureAwait(false))
        {
            await Task.Delay(Jitter(_options.EffectiveRetryPeriod), _time, ct).ConfigureAwait(false);
        }

        _isLeader = true;
        if (_logger.IsEnabled(LogLevel.Information))
        {
            _logger.LogInformation("{Identity} acquired lease {Namespace}/{Name}", _options.Identity, _options.Namespace, _options.Name);
        }

        using var leading = CancellationTokenSource.CreateLinkedTokenSource(ct);
        Task callback = Task.Run(() => onStartedLeading(leading.Token), CancellationToken.None);
        try
        {
            await RenewLoopAsync(callback, leading).ConfigureAwait(false);
        }
        finally
        {
            _isLeader = false;
            await leading.CancelAsync().ConfigureAwait(false);
            try
            {
                await callback.ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (leading.IsCancellationRequested)
            {
                // the leader's work stopped because leadership ended
            }

            if (_options.ReleaseOnCancel)
            {
                await ReleaseAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task RenewLoopAsync(Task callback, CancellationTokenSource leading)
    {
        long lastRenew = _time.GetTimestamp();
        while (!leading.IsCancellationRequested && !callback.IsCompleted)
        {
            try
            {
                await Task.WhenAny(callback, Task.Delay(_options.EffectiveRetryPeriod, _time, leading.Token)).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            if (leading.IsCancellationRequested || callback.IsCompleted)
            {
                return;
            }

            bool renewed;
            try
            {
                renewed = await TryAcquireOrRenewAsync(leading.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (leading.IsCancellationRequested)
            {
                // Stopped (or lost) while a renewal was in flight: leadership ends here, not with an exception.
                return;
            }

            if (renewed)
            {
                lastRenew = _time.GetTimestamp();
            }
            else if (_time.GetElapsedTime(lastRenew) >= _options.EffectiveRenewDeadline || !OwnsObservedRecord())
            {
                if (_logger.IsEnabled(LogLevel.Warning))
                {
                    _logger.LogWarning("{Identity} lost lease {Namespace}/{Name}", _options.Identity, _options.Namespace, _options.Name);
                }

                return;
            }
        }
    }

    /// <summary>One attempt: create, take over an expired lease, or renew our own. False on any failure.</summary>
    internal async Task<bool> TryAcquireOrRenewAsync(CancellationToken ct)
    {
        DateTimeOffset now = _time.GetUtcNow();
        int seconds = Math.Max(1, (int)Math.Ceiling(_options.EffectiveLeaseDuration.TotalSeconds));
        try
        {
            Lease? lease = await _leases.TryGetAsync(_options.Name, _options.Namespace, ct).ConfigureAwait(false);
            if (lease is null)
            {
                Lease created = await _leases.CreateAsync(new Lease
                {
                    Metadata = new ObjectMeta { Name = _options.Name, Namespace = _options.Namespace },
                    Spec = new LeaseSpec
                    {
                        HolderIdentity = _options.Identity,
                        LeaseDurationSeconds = seconds,
                        AcquireTime = new MicroTime(now),
                        RenewTime = new MicroTime(now),
                        LeaseTransitions = 0,
                    },
                }, ct).ConfigureAwait(false);
                Observe(created);
                return true;
            }

            Observe(lease);
            LeaseSpec spec = lease.Spec ??= new LeaseSpec();
            bool mine = spec.HolderIdentity == _options.Identity;
            if (!mine && !string.IsNullOrEmpty(spec.HolderIdentity) &&
                _time.GetElapsedTime(_observedAt) < TimeSpan.FromSeconds(spec.LeaseDurationSeconds ?? seconds))
            {
                return false; // held by someone else and not expired
            }

            if (!mine)
            {
                spec.AcquireTime = new MicroTime(now);
                spec.LeaseTransitions = (spec.LeaseTransitions ?? 0) + 1;
                spec.HolderIdentity = _options.Identity;
            }

            spec.LeaseDurationSeconds = seconds;
            spec.RenewTime = new MicroTime(now);
            Observe(await _leases.UpdateAsync(lease, ct).ConfigureAwait(false));
            return true;
        }
        catch (ApiException e) when (e.IsConflict || e.IsAlreadyExists)
        {
            return false; // another candidate wrote first
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            if (_logger.IsEnabled(LogLevel.Warning))
            {
                _logger.LogWarning(e, "{Identity}: lease {Namespace}/{Name} not acquired or renewed", _options.Identity, _options.Namespace, _options.Name);
            }

            return false;
        }
    }

    // Remembers when the lease record last changed, by our clock: expiry is "unchanged for leaseDurationSeconds".
    private void Observe(Lease lease)
    {
        string record = string.Join('|', lease.Spec?.HolderIdentity, lease.Spec?.RenewTime?.ToString(), lease.Spec?.LeaseTransitions);
        if (record != _observedRecord)
        {
            _observedRecord = record;
            _observedAt = _time.GetTimestamp();
        }
    }

    private bool OwnsObservedRecord() => _observedRecord?.StartsWith(_options.Identity + "|", StringComparison.Ordinal) == true;

    private async Task ReleaseAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            Lease? lease = await _leases.TryGetAsync(_options.Name, _options.Namespace, timeout.Token).ConfigureAwait(false);
            if (lease?.Spec?.HolderIdentity == _options.Identity)
            {
                lease.Spec.HolderIdentity = null;
                lease.Spec.LeaseDurationSeconds = 1;
                lease.Spec.RenewTime = new MicroTime(_time.GetUtcNow());
                await _leases.UpdateAsync(lease, timeout.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e)
        {
            if (_logger.IsEnabled(LogLevel.Warning))
            {
                _logger.LogWarning(e, "{Identity}: could not release lease {Namespace}/{Name}", _options.Identity, _options.Namespace, _options.Name);
            }
        }
    }

    private static TimeSpan Jitter(TimeSpan period) => period + TimeSpan.FromTicks((long)(period.Ticks * 0.2 * Random.Shared.NextDouble()));
}
