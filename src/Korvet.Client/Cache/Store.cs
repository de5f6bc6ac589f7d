using Korvet.Api;

namespace Korvet.Client.Cache;

/// <summary>
/// The informer's cache: objects by key (<c>namespace/name</c>, or <c>name</c> for cluster-scoped kinds) plus named
/// indexes (<see cref="NamespaceIndex"/> is built in). Thread-safe: readers and the informer's single writer take one
/// lock; objects handed out are the cached instances and must be treated as read-only (copy before mutating).
/// </summary>
public sealed class Store<T>
    where T : class, IKubernetesObject
{
    public const string NamespaceIndex = "namespace";

    private readonly Lock _lock = new();
    private readonly Dictionary<string, T> _items = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Func<T, IEnumerable<string>>> _indexers = new(StringComparer.Ordinal);

    // index name → index value → keys; and key → values it is indexed under (for removal).
    private readonly Dictionary<string, Dictionary<string, HashSet<string>>> _indexes = new(StringComparer.Ordinal);

    public Store() => AddIndex(NamespaceIndex, o => o.Metadata?.Namespace is { } ns ? [ns] : []);

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _items.Count;
            }
        }
    }

    /// <summary>Adds an index; existing objects are indexed at once. Names are unique.</summary>
    public void AddIndex(string name, Func<T, IEnumerable<string>> indexer)
    {
        lock (_lock)
        {
            if (!_indexers.TryAdd(name, indexer))
            {
                throw new ArgumentException($"index {name} already exists", nameof(name));
            }

            var index = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
            _indexes[name] = index;
            foreach ((string key, T obj) in _items)
            {
                foreach (string value in indexer(obj))
                {
                    Bucket(index, value).Add(key);
                }
            }
        }
    }

    public T? Get(string key)
    {
        lock (_lock)
        {
            return _items.GetValueOrDefault(key);
        }
    }

    public T? Get(string? ns, string name) => Get(ObjectKey.Of(ns, name));

    public List<T> List()
    {
        lock (_lock)
        {
            return [.. _items.Values];
        }
    }

    public List<string> Keys()
    {
        lock (_lock)
        {
            return [.. _items.Keys];
        }
    }

    /// <summary>Objects whose index <paramref name="indexName"/> yields <paramref name="value"/>.</summary>
    public List<T> ByIndex(string indexName, string value)
    {
        lock (_lock)
        {
            if (!_indexes.TryGetValue(indexName, out var index))
            {
                throw new ArgumentException($"no index {indexName}", nameof(indexName));
            }

            return index.TryGetValue(value, out var keys) ? [.. keys.Select(k => _items[k])] : [];
        }
    }

    /// <summary>Inserts or replaces; returns the previous object.</summary>
    internal T? Upsert(T obj)
    {
        string key = ObjectKey.Of(obj);
        lock (_lock)
        {
            T? old = RemoveLocked(key);
            _items[key] = obj;
            foreach ((string name, var indexer) in _indexers)
            {
                foreach (string value in indexer(obj))
                {
                    Bucket(_indexes[name], value).Add(key);
                }
            }

            return old;
        }
    }

    internal T? Remove(string key)
    {
        lock (_lock)
        {
            return RemoveLocked(key);
        }
    }

    private T? RemoveLocked(string key)
    {
        if (!_items.Remove(key, out T? old))
        {
            return null;
        }

        foreach ((string name, var indexer) in _indexers)
        {
            var index = _indexes[name];
            foreach (string value in indexer(old))
            {
                if (index.TryGetValue(value, out var keys) && keys.Remove(key) && keys.Count == 0)
                {
                    index.Remove(value);
                }
            }
        }

        return old;
    }

    private static HashSet<string> Bucket(Dictionary<string, HashSet<string>> index, string value)
    {
        if (!index.TryGetValue(value, out var keys))
        {
            keys = new HashSet<string>(StringComparer.Ordinal);
            index[value] = keys;
        }

        return keys;
    }
}
