using System.Text.Json;

namespace Korvet.ApiGen;

/// <summary>The parts of shared/k8s-api/schema.json the generator uses, read once into plain records.</summary>
internal sealed record SchemaModel(
    IReadOnlyList<PackageModel> Packages,
    IReadOnlyDictionary<string, MessageModel> Messages,
    IReadOnlyList<KindModel> Kinds,
    IReadOnlyList<EnumModel> Enums)
{
    public static SchemaModel Load(string path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
        JsonElement root = doc.RootElement;
        var packages = root.GetProperty("packages").EnumerateArray().Select(p => new PackageModel(
            p.GetProperty("protoPackage").GetString()!,
            p.GetProperty("goPackage").GetString()!,
            Str(p, "group"),
            Str(p, "version"),
            p.GetProperty("registeredTypes").EnumerateArray().Select(e => e.GetString()!).ToList(),
            p.GetProperty("messages").EnumerateArray().Select(e => e.GetString()!).ToList())).ToList();
        var messages = new Dictionary<string, MessageModel>(StringComparer.Ordinal);
        foreach (JsonProperty m in root.GetProperty("messages").EnumerateObject())
        {
            JsonElement v = m.Value;
            messages[m.Name] = new MessageModel(
                v.GetProperty("fullName").GetString()!,
                v.GetProperty("package").GetString()!,
                v.GetProperty("name").GetString()!,
                v.GetProperty("goKind").GetString()!,
                Str(v, "goUnderlying"),
                v.GetProperty("customJSON").GetBoolean(),
                v.GetProperty("embedsTypeMeta").GetBoolean(),
                Str(v, "structType"),
                v.GetProperty("fields").EnumerateArray().Select(ReadField).ToList());
        }

        var kinds = root.GetProperty("kinds").EnumerateArray().Select(k => new KindModel(
            k.GetProperty("group").GetString()!,
            k.GetProperty("version").GetString()!,
            k.GetProperty("kind").GetString()!,
            k.GetProperty("namespaced").ValueKind == JsonValueKind.Null ? null : k.GetProperty("namespaced").GetBoolean(),
            k.GetProperty("protoMessage").GetString()!,
            Str(k, "listKind"))).ToList();
        var enums = root.GetProperty("enums").EnumerateObject().Select(e => new EnumModel(
            e.Name,
            e.Value.GetProperty("values").EnumerateArray().Select(x => x.GetProperty("value").GetString()!).ToList())).ToList();
        return new SchemaModel(packages, messages, kinds, enums);
    }

    private static FieldModel ReadField(JsonElement f)
    {
        JsonElement markers = f.TryGetProperty("markers", out JsonElement mk) ? mk : default;
        return new FieldModel(
            f.GetProperty("name").GetString()!,
            f.GetProperty("number").GetInt32(),
            f.GetProperty("label").GetString()!,
            f.GetProperty("repeated").GetBoolean(),
            f.GetProperty("type").GetString()!,
            f.GetProperty("scalar").GetBoolean(),
            Str(f, "mapKey"),
            Str(f, "mapValue"),
            Str(f, "jsonName"),
            Bool(f, "jsonInline"),
            Bool(f, "omitempty"),
            Str(f, "goName"),
            Bool(f, "goEmbedded"),
            Bool(f, "goPointer"),
            Str(f, "goNamedStringType"),
            Str(markers, "patchStrategy"),
            Str(markers, "patchMergeKey"),
            Str(markers, "listType"),
            markers.ValueKind == JsonValueKind.Object && markers.TryGetProperty("listMapKeys", out JsonElement lmk)
                ? lmk.EnumerateArray().Select(x => x.GetString()!).ToList()
                : [],
            Str(markers, "mapType"),
            Bool(markers, "optional"),
            Bool(markers, "required"),
            Bool(markers, "enum"),
            markers.ValueKind == JsonValueKind.Object && markers.TryGetProperty("default", out JsonElement d) ? d.ToString() : null);
    }

    private static string? Str(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static bool Bool(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.True;
}

internal sealed record PackageModel(string ProtoPackage, string GoPackage, string? Group, string? Version,
    IReadOnlyList<string> RegisteredTypes, IReadOnlyList<string> Messages);

internal sealed record MessageModel(string FullName, string Package, string Name, string GoKind, string? GoUnderlying,
    bool CustomJson, bool EmbedsTypeMeta, string? StructType, IReadOnlyList<FieldModel> Fields);

internal sealed record FieldModel(string Name, int Number, string Label, bool Repeated, string Type, bool IsScalar,
    string? MapKey, string? MapValue, string? JsonName, bool JsonInline, bool OmitEmpty, string? GoName, bool GoEmbedded, bool GoPointer,
    string? GoNamedStringType, string? PatchStrategy, string? PatchMergeKey, string? ListType, IReadOnlyList<string> ListMapKeys,
    string? MapType, bool Optional, bool Required, bool Enum, string? Default)
{
    public bool IsMap => Label == "map";
}

internal sealed record KindModel(string Group, string Version, string Kind, bool? Namespaced, string ProtoMessage, string? ListKind);

internal sealed record EnumModel(string GoType, IReadOnlyList<string> Values);
