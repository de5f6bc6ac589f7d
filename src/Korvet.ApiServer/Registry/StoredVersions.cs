namespace Korvet.ApiServer.Registry;

/// <summary>
/// Resources served at one group-version but stored as another's objects (upstream's cohabiting resources and
/// multi-version kinds): the handlers talk to the store with <see cref="Conversion.Storage"/> and convert bodies in
/// and objects out at the HTTP edge, so both group-versions read and write the same objects and share one watch
/// cache. Today: events.k8s.io/v1 Event ⇄ core/v1 Event (<see cref="RenameConversion"/>) and autoscaling/v1 ⇄
/// autoscaling/v2 HorizontalPodAutoscaler (<see cref="HpaConversion"/>, stored as v2 like upstream). Immutable;
/// thread-safe.
/// </summary>
public sealed class StoredVersions
{
    private readonly Dictionary<(string Group, string Version, string Plural), Conversion> _conversions = [];

    public StoredVersions(ResourceRegistry registry)
    {
        if (registry.Find("events.k8s.io", "v1", "events") is { } events && registry.Find("", "v1", "events") is { } core)
        {
            _conversions[("events.k8s.io", "v1", "events")] = new RenameConversion(core, events, EventFields);
        }

        if (registry.Find("autoscaling", "v1", "horizontalpodautoscalers") is { } hpaV1
            && registry.Find("autoscaling", "v2", "horizontalpodautoscalers") is { } hpaV2)
        {
            _conversions[("autoscaling", "v1", "horizontalpodautoscalers")] = new HpaConversion(hpaV2, hpaV1);
        }
    }

    /// <summary>events.k8s.io/v1 name → core/v1 name (upstream's pkg/apis/events/v1 conversion).</summary>
    private static readonly IReadOnlyList<(string Served, string Stored)> EventFields =
    [
        ("regarding", "involvedObject"),
        ("note", "message"),
        ("reportingController", "reportingComponent"),
        ("deprecatedSource", "source"),
        ("deprecatedFirstTimestamp", "firstTimestamp"),
        ("deprecatedLastTimestamp", "lastTimestamp"),
        ("deprecatedCount", "count"),
    ];

    /// <summary>The conversion for a served resource, or null when it is stored as itself.</summary>
    public Conversion? For(ResourceDefinition served) =>
        _conversions.GetValueOrDefault((served.Group, served.Version, served.Plural));
}
