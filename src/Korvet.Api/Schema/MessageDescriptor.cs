using System.Collections.Frozen;

namespace Korvet.Api.Schema;

/// <summary>How a message appears in JSON when it is not a plain object of its fields (upstream "customJSON").</summary>
public enum JsonForm
{
    /// <summary>An object whose keys are the fields' JSON names (inline fields flattened).</summary>
    Object,
    /// <summary>meta.v1.Time: RFC 3339 string, whole seconds; zero value is null.</summary>
    Time,
    /// <summary>meta.v1.MicroTime: RFC 3339 with 6 fractional digits.</summary>
    MicroTime,
    /// <summary>meta.v1.Duration: Go duration string.</summary>
    Duration,
    /// <summary>resource.Quantity: string.</summary>
    Quantity,
    /// <summary>intstr.IntOrString: number or string.</summary>
    IntOrString,
    /// <summary>Raw JSON embedded as is (runtime.RawExtension, meta.v1.FieldsV1, apiextensions.v1.JSON).</summary>
    RawJson,
    /// <summary>meta.v1.GroupVersion: "group/version".</summary>
    GroupVersion,
    /// <summary>A named slice (e.g. ExtraValue, Verbs): proto {repeated string items = 1}, JSON a plain array.</summary>
    StringArray,
    /// <summary>apiextensions.v1 JSONSchemaPropsOrArray/OrBool/OrStringArray: a schema or an array/bool/strings.</summary>
    SchemaOrOther,
    /// <summary>runtime.Unknown (an envelope, never seen as JSON).</summary>
    Unknown,
}

/// <summary>One API message (a Go struct) with its fields, looked up by number or JSON name. Immutable.</summary>
public sealed class MessageDescriptor
{
    private FrozenDictionary<int, FieldDescriptor>? _byNumber;
    private FrozenDictionary<string, FieldDescriptor>? _byJsonName;

    /// <summary>Full proto name, e.g. <c>k8s.io.api.core.v1.Pod</c>.</summary>
    public required string FullName { get; init; }

    /// <summary>Short name, e.g. <c>Pod</c>.</summary>
    public required string Name { get; init; }

    /// <summary>Proto package, e.g. <c>k8s.io.api.core.v1</c>.</summary>
    public string Package { get; init; } = "";

    /// <summary>Fields in proto declaration order.</summary>
    public required IReadOnlyList<FieldDescriptor> Fields { get; init; }

    public JsonForm JsonForm { get; init; }

    /// <summary>True when the Go type embeds TypeMeta, so its JSON carries <c>apiVersion</c> and <c>kind</c>.</summary>
    public bool EmbedsTypeMeta { get; init; }

    /// <summary>Upstream <c>+structType</c> marker ("atomic"/"granular") when present.</summary>
    public string? StructType { get; init; }

    /// <summary>The field with this protobuf number, or null.</summary>
    public FieldDescriptor? FindByNumber(int number)
    {
        _byNumber ??= Fields.ToFrozenDictionary(f => f.Number);
        return _byNumber.GetValueOrDefault(number);
    }

    /// <summary>The directly declared (non-inline) field with this JSON name, or null. Callers that must see
    /// inlined fields use <see cref="ApiSchema.FindJsonField"/>.</summary>
    public FieldDescriptor? FindByJsonName(string jsonName)
    {
        _byJsonName ??= Fields.Where(f => f.JsonName is not null).ToFrozenDictionary(f => f.JsonName!, StringComparer.Ordinal);
        return _byJsonName.GetValueOrDefault(jsonName);
    }
}
