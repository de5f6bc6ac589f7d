namespace Korvet.Api.Schema;

/// <summary>The wire shape of a field's values.</summary>
public enum FieldKind
{
    /// <summary>A scalar (<see cref="FieldDescriptor.Scalar"/> says which).</summary>
    Scalar,
    /// <summary>A nested message (<see cref="FieldDescriptor.MessageName"/>).</summary>
    Message,
    /// <summary>A map: protobuf repeated entries {key = 1, value = 2}; a JSON object.</summary>
    Map,
}

/// <summary>Protobuf scalar types used by the Kubernetes API (proto2, never packed).</summary>
public enum ScalarType
{
    None,
    String,
    Bool,
    Int32,
    Int64,
    Double,
    /// <summary>Bytes: base64 strings in JSON.</summary>
    Bytes,
}

/// <summary>
/// One field of an API message, as the upstream schema describes it: the single description that drives the
/// JSON names, the protobuf codec, strategic merge patch and the OpenAPI documents. Immutable.
/// </summary>
public sealed class FieldDescriptor
{
    public required string Name { get; init; }

    public required int Number { get; init; }

    /// <summary>The Go struct field name (PascalCase source of the C# property name); null for fields of messages
    /// with a custom JSON form.</summary>
    public string? GoName { get; init; }

    /// <summary>The JSON key; null when the field is inlined into its parent (<see cref="Inline"/>) or has no JSON
    /// form of its own.</summary>
    public required string? JsonName { get; init; }

    /// <summary>True when the field's message is flattened into the parent's JSON object (Go embedded/inline).</summary>
    public bool Inline { get; init; }

    public required FieldKind Kind { get; init; }

    /// <summary>True for repeated (list) fields.</summary>
    public bool Repeated { get; init; }

    /// <summary>The scalar type for <see cref="FieldKind.Scalar"/>, and the map value type for scalar-valued maps.</summary>
    public ScalarType Scalar { get; init; }

    /// <summary>Full proto name of the message type (for <see cref="FieldKind.Message"/> and message-valued maps).</summary>
    public string? MessageName { get; init; }

    /// <summary>For maps: the key's scalar type (always string in the Kubernetes API).</summary>
    public ScalarType MapKey { get; init; }

    /// <summary>JSON omits the field when it holds the zero value.</summary>
    public bool OmitEmpty { get; init; }

    /// <summary>Go pointer field: protobuf writes it only when set. A non-pointer field is always written.</summary>
    public bool Pointer { get; init; }

    /// <summary>Strategic merge patch strategy, e.g. "merge", "retainKeys", "merge,retainKeys"; null = replace.</summary>
    public string? PatchStrategy { get; init; }

    /// <summary>Strategic merge patch merge key of list elements, e.g. "name".</summary>
    public string? PatchMergeKey { get; init; }

    /// <summary>"atomic", "set" or "map" (server-side apply list semantics); null when unmarked.</summary>
    public string? ListType { get; init; }

    /// <summary>Keys identifying elements of a <c>listType=map</c> list, in order.</summary>
    public IReadOnlyList<string> ListMapKeys { get; init; } = [];

    /// <summary>"atomic" or "granular" for maps/structs when marked; null otherwise.</summary>
    public string? MapType { get; init; }

    /// <summary>Marked <c>+optional</c> upstream.</summary>
    public bool Optional { get; init; }

    /// <summary>Marked <c>+required</c> upstream.</summary>
    public bool Required { get; init; }

    /// <summary>The Go named string type when the field is an enum (key into <see cref="ApiSchema.FindEnum"/>).</summary>
    public string? EnumType { get; init; }

    /// <summary>The raw <c>+default=</c> marker text when upstream declares a default (e.g. <c>"ClusterFirst"</c>).</summary>
    public string? Default { get; init; }

    /// <summary>True when the field's patch strategy includes "merge".</summary>
    public bool MergesLists => PatchStrategy is not null && PatchStrategy.Contains("merge", StringComparison.Ordinal);

    /// <summary>True when the field's patch strategy includes "retainKeys".</summary>
    public bool RetainsKeys => PatchStrategy is not null && PatchStrategy.Contains("retainKeys", StringComparison.Ordinal);
}
