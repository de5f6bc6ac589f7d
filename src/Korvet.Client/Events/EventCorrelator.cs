namespace Korvet.Client.Events;

/// <summary>
/// client-go's event correlator for one recorder, so a busy controller cannot flood the API server with Events:
/// <list type="number">
/// <item>aggregation: events that differ only in message (same source, object, type, reason) are counted per
/// 10-minute window; from the 10th distinct message on they fold into one Event whose message is
/// <c>(combined from similar events): </c> + the latest message;</item>
/// <item>de-duplication: an event whose key was seen before updates that Event's count (the recorder patches it);</item>
/// <item>spam filter: a token bucket per source and object, burst 25, refilled one token per 5 minutes; an event
/// without a token is dropped.</item>
/// </list>
/// Caches are bounded (cleared when they reach 4,096 keys). Not thread-safe: the recorder serializes calls.
/// </summary>
internal sealed class EventCorrelator(TimeProvider time)
{
    public const int SpamBurst = 25;
    public const int MaxSimilarMessages = 10;
    public const string CombinedPrefix = "(combined from similar events): ";
    private const int CacheLimit = 4096;

    private static readonly TimeSpan SpamRefill = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan AggregationWindow = TimeSpan.FromMinutes(10);

    private readonly Dictionary<string, (double Tokens, DateTimeOffset Last)> _buckets = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (HashSet<string> Messages, DateTimeOffset Last)> _similar = new(StringComparer.Ordinal);

    /// <summary>What to record: nothing (<c>Skip</c>), or <c>Message</c> under the de-duplication key <c>Key</c>.</summary>
    public readonly record struct Decision(bool Skip, string Message, string Key);

    public Decision Correlate(string source, string involved, string type, string reason, string message)
    {
        DateTimeOffset now = time.GetUtcNow();
        string aggregateKey = string.Join('\u0000', source, involved, type, reason);
        if (!_similar.TryGetValue(aggregateKey, out var similar) || now - similar.Last > AggregationWindow)
        {
            Bound(_similar);
            similar = ([], now);
        }

        similar.Messages.Add(message);
        _similar[aggregateKey] = (similar.Messages, now);
        (string text, string key) = similar.Messages.Count < MaxSimilarMessages
            ? (message, aggregateKey + '\u0000' + message)
            : (CombinedPrefix + message, aggregateKey);

        return new Decision(!TakeToken(string.Join('\u0000', source, involved), now), text, key);
    }

    private bool TakeToken(string spamKey, DateTimeOffset now)
    {
        if (!_buckets.TryGetValue(spamKey, out var bucket))
        {
            Bound(_buckets);
            bucket = (SpamBurst, now);
        }

        double tokens = Math.Min(SpamBurst, bucket.Tokens + ((now - bucket.Last) / SpamRefill));
        bool allowed = tokens >= 1;
        _buckets[spamKey] = (allowed ? tokens - 1 : tokens, now);
        return allowed;
    }

    private static void Bound<TValue>(Dictionary<string, TValue> cache)
    {
        if (cache.Count >= CacheLimit)
        {
            cache.Clear();
        }
    }
}
