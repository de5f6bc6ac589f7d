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
/// an object's events beyond a burst of 25 are dropped. Writes are serialized per recorder;
/// <see cref="Normal"/>/<see cref="Warning"/> never throw and never block (failures are logged: events are best
/// effort) and, like client-go's broadcaster queue, drop events while 1,000 are already waiting. Thread-safe.
/// </summary>
public sealed class EventRecorder
{
    public const string TypeNormal = "Normal";
    public const string TypeWarning = "Warning";

    private const int CacheLimit = 4096;
    private const int MaxQueued = 1000;

    private readonly ResourceClient<Event> _events;
    private readonly string _component;
    private readonly string? _host;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, (string Namespace, string Name, int Count)> _seen = new(StringComparer.Ordinal);
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
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            EventCorrelator.Decision decision = _correlator.Correlate(_component + '\u0000' + _host, involvedKey, type, reason, message);
            if (decision.Skip)
            {
                return null;
            }

            string key = decision.Key;
            message = decision.Message;
            if (_seen.TryGetValue(key, out var previous))
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
                    _seen[key] = (previous.Namespace, previous.Name, count);
                    return bumped;
                }
                catch (ApiException e) when (e.IsNotFound)
                {
                    _seen.Remove(key); // expired or deleted: start a new one
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
            if (_seen.Count >= CacheLimit)
            {
                _seen.Clear();
            }

            _seen[key] = (ns, created.Metadata!.Name!, 1);
            return created;
        }
        finally
        {
            _gate.Release();
        }
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
