namespace Korvet.Api.Schema;

/// <summary>Ties a typed API class to its descriptor (<see cref="ApiSchema.GetMessage"/>).</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class ProtoMessageAttribute(string fullName) : Attribute
{
    public string FullName { get; } = fullName;
}

/// <summary>Upstream <c>patchStrategy</c> of a field ("merge", "retainKeys", "merge,retainKeys").</summary>
[AttributeUsage(AttributeTargets.Property, Inherited = false)]
public sealed class PatchStrategyAttribute(string strategy) : Attribute
{
    public string Strategy { get; } = strategy;
}

/// <summary>Upstream <c>patchMergeKey</c>: the key that identifies list elements in a strategic merge patch.</summary>
[AttributeUsage(AttributeTargets.Property, Inherited = false)]
public sealed class PatchMergeKeyAttribute(string key) : Attribute
{
    public string Key { get; } = key;
}

/// <summary>Upstream <c>+listType</c> ("atomic", "set", "map") and, for maps, the <c>+listMapKey</c>s in order.</summary>
[AttributeUsage(AttributeTargets.Property, Inherited = false)]
public sealed class ListTypeAttribute(string listType, params string[] mapKeys) : Attribute
{
    public string ListType { get; } = listType;

    public IReadOnlyList<string> MapKeys { get; } = mapKeys;
}

/// <summary>Upstream <c>+mapType</c> ("atomic" or "granular").</summary>
[AttributeUsage(AttributeTargets.Property, Inherited = false)]
public sealed class MapTypeAttribute(string mapType) : Attribute
{
    public string MapType { get; } = mapType;
}
