using System.Collections.Concurrent;
using Korvet.Client;
using Korvet.Client.Cache;
using Korvet.Client.Events;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Korvet.Controllers;

/// <summary>
/// What every controller gets: the API client, the shared informers (one list+watch per type for all controllers), an
/// event recorder per component name, the clock and the options. Thread-safe.
/// </summary>
public sealed class ControllerContext
{
    private readonly ConcurrentDictionary<string, EventRecorder> _recorders = new(StringComparer.Ordinal);

    public ControllerContext(KubernetesClient client, SharedInformerFactory informers, ControllerManagerOptions? options = null,
        TimeProvider? time = null, ILoggerFactory? loggerFactory = null, string? host = null)
    {
        Client = client;
        Informers = informers;
        Options = options ?? new ControllerManagerOptions();
        Time = time ?? TimeProvider.System;
        LoggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        Host = host;
    }

    public KubernetesClient Client { get; }

    public SharedInformerFactory Informers { get; }

    public ControllerManagerOptions Options { get; }

    public TimeProvider Time { get; }

    public ILoggerFactory LoggerFactory { get; }

    /// <summary>Host name written to events' source.host, or null.</summary>
    public string? Host { get; }

    /// <summary>The recorder for events from <paramref name="component"/> (e.g. "replicaset-controller").</summary>
    public EventRecorder Events(string component) => _recorders.GetOrAdd(component, c => new EventRecorder(Client, c, Host, Time));
}
