using System.Globalization;
using System.Text.Json.Nodes;
using Korvet.Api;
using Korvet.Api.Core.V1;
using Korvet.Api.Discovery;
using Korvet.Api.Meta.V1;
using Microsoft.Extensions.Logging;

namespace Korvet.Client.Events;

/// <summary>
/// Writes core/v1 Events about objects (what <c>kubectl describe</c> and <c>kubectl get events</c> show): involvedObject,
/// reason, message, type, source.component/host, first/lastTimestamp, count, reportingComponent/Instance. Events go
/// through client-go's correlation (<see cref="EventCorrelator"/>): a repeat bumps <c>count</c> and
/// <c>lastTimestamp</c> of the earlier Event with a merge patch, many similar events fold into one combined Event, and
/// an object's events beyond a burst of 25 are dropped. Correlation runs in call order under one lock; the writes of one
/// correlated event (the same key) follow each other in that order, so a repeat always finds the Event it bumps, while
/// different events are written concurrently (at most <see cref="MaxConcurrentWrites"/> requests in flight, like
/// client-go's events broadcaster, which writes each event on its own goroutine) — a busy component such as the
/// scheduler (a Scheduled event per pod) does not queue one request behind another.
/// <see cref="Normal"/>/<see cref="Warning"/> never throw and never block (failures are logged: events are best
/// effort) and, like client-go's broadcaster queue, drop events while 1,000 are already waiting. Thread-safe.
/// </summary>
public sealed class EventRecorder
{
    public const string TypeNormal = "Normal";
    public const string TypeWarning = "Warning";

    /// <summary>Event writes in flight at once per recorder.</summary>
    public const int MaxConcurrentWrites = 16;

    private const int CacheLimit = 4096;
    private const int MaxQueued = 1000;

    private readonly ResourceClient<Event> _events;
    private readonly string _component;
    private readonly string? _host;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _writes = new(MaxConcurrentWrites, MaxConcurrentWrites);
    private readonly Lock _lock = new();

    /// <summary>Guarded by <see cref="_lock"/> (with the correlator): per key, the stored event and the last write
    /// queued for it.</summary>
    private readonly Dictionary<string, (string Namespace, string Name, int Count)> _seen = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Task> _lastWrite = new(StringComparer.Ordinal);
    private readonly EventCorrelator _correlator;
    private int _queued;

    public EventRecorder(KubernetesClient client, string component, string? host = null, TimeProvider? time = null)
    {
        _events = client.Resource<Event>();
        _component = component;
        _host = host;
        _time = time ?? TimeProvider.System;
        _correlator = new EventCorrelator(_time);
        _logger = client.LoggerFactory.CreateLogger<EventRecorder>();
    }

    public void Normal(IKubernetesObject obj, string reason, string message) => Fire(obj, TypeNormal, reason, message);

    public void Warning(IKubernetesObject obj, string reason, string message) => Fire(obj, TypeWarning, reason, message);

    /// <summary>
    /// Records one occurrence and returns the Event as stored (created, or with its count bumped), or null when the
    /// spam filter dropped it.
    /// </summary>
    public async Task<Event?> RecordAsync(IKubernetesObject obj, string type, string reason, string message, CancellationToken ct = default)
    {
        ObjectReference involved = Reference(obj);
        string involvedKey = string.Join('\u0000', involved.Kind, involved.Namespace, involved.Name, involved.Uid, involved.ApiVersion);
        var now = new Time(TruncateToSeconds(_time.GetUtcNow()));
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        string key;
        Task? before;
        lock (_lock)
        {
            EventCorrelator.Decision decision = _correlator.Correlate(_component + '\u0000' + _host, involvedKey, type, reason, message);
            if (decision.Skip)
            {
                return null;
            }

            key = decision.Key;
            message = decision.Message;
            _lastWrite.TryGetValue(key, out before);
            _lastWrite[key] = done.Task;
        }

        try
        {
            if (before is not null)
            {
                await before.ConfigureAwait(false); // never faults: see the finally below
            }

            await _writes.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                return await WriteAsync(involved, key, now, type, reason, message, ct).ConfigureAwait(false);
            }
            finally
            {
                _writes.Release();
            }
        }
        finally
        {
            lock (_lock)
            {
                if (_lastWrite.TryGetValue(key, out Task? last) && last == done.Task)
                {
                    _lastWrite.Remove(key);
                }
            }

            done.SetResult();
        }
    }

    private async Task<Event> WriteAsync(ObjectReference involved, string key, Time now, string type, string reason, string message,
        CancellationToken ct)
    {
        (string Namespace, string Name, int Count) previous;
        bool repeat;
        lock (_lock)
        {
            repeat = _seen.TryGetValue(key, out previous);
        }

        if (repeat)
        {
            int count = previous.Count + 1;
            var patch = new JsonObject
            {
                ["count"] = count,
                ["lastTimestamp"] = now.ToString(),
                ["message"] = message,
            };
            try
            {
                Event bumped = await _events.PatchAsync(previous.Name, previous.Namespace, PatchType.Merge, patch.ToJsonString(), ct: ct)
                    .ConfigureAwait(false);
                lock (_lock)
                {
                    _seen[key] = (previous.Namespace, previous.Name, count);
                }

                return bumped;
            }
            catch (ApiException e) when (e.IsNotFound)
            {
                lock (_lock)
                {
                    _seen.Remove(key); // expired or deleted: start a new one
                }
            }
        }

        string ns = string.IsNullOrEmpty(involved.Namespace) ? "default" : involved.Namespace;
        var ev = new Event
        {
            Metadata = new ObjectMeta
            {
                Name = string.Create(CultureInfo.InvariantCulture, $"{involved.Name}.{_time.GetUtcNow().ToUnixTimeMilliseconds() * 1_000_000 + Random.Shared.Next(1_000_000):x}"),
                Namespace = ns,
            },
            InvolvedObject = involved,
            Reason = reason,
            Message = message,
            Type = type,
            Source = new EventSource { Component = _component, Host = _host },
            FirstTimestamp = now,
            LastTimestamp = now,
            Count = 1,
            ReportingController = _component,
            ReportingInstance = _host ?? "",
        };
        Event created = await _events.CreateAsync(ev, ct).ConfigureAwait(false);
        lock (_lock)
        {
            if (_seen.Count >= CacheLimit)
            {
                _seen.Clear();
            }

            _seen[key] = (ns, created.Metadata!.Name!, 1);
        }

        return created;
    }

    /// <summary>The reference an Event (or an owner) uses for <paramref name="obj"/>.</summary>
    public static ObjectReference Reference(IKubernetesObject obj)
    {
        BuiltinKind? kind = obj.Kind is null || obj.ApiVersion is null ? BuiltinKinds.Find(obj.GetType()) : null;
        return new ObjectReference
        {
            Kind = obj.Kind ?? kind?.Kind,
            ApiVersion = obj.ApiVersion ?? kind?.ApiVersion,
            Name = obj.Metadata?.Name,
            Namespace = obj.Metadata?.Namespace,
            Uid = obj.Metadata?.Uid,
            ResourceVersion = obj.Metadata?.ResourceVersion,
        };
    }

    private void Fire(IKubernetesObject obj, string type, string reason, string message)
    {
        if (Interlocked.Increment(ref _queued) > MaxQueued)
        {
            Interlocked.Decrement(ref _queued);
            if (_logger.IsEnabled(LogLevel.Debug))
            {
                _logger.LogDebug("dropped event {Reason} about {Name}: {Max} events are waiting", reason, obj.Metadata?.Name, MaxQueued);
            }

            return;
        }

        _ = FireAsync(obj, type, reason, message);
    }

    private async Task FireAsync(IKubernetesObject obj, string type, string reason, string message)
    {
        try
        {
            await RecordAsync(obj, type, reason, message).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            if (_logger.IsEnabled(LogLevel.Warning))
            {
                _logger.LogWarning(e, "could not record event {Reason} about {Name}", reason, obj.Metadata?.Name);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _queued);
        }
    }

    private static DateTimeOffset TruncateToSeconds(DateTimeOffset t) => new(t.Ticks - (t.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
}
