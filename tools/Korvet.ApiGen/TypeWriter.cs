using System.Text;

namespace Korvet.ApiGen;

/// <summary>
/// Writes the typed C# classes of <see cref="Naming.TypedPackages"/>, one file per package, plus the
/// System.Text.Json source-generation context and the (apiVersion, kind) → CLR type table.
/// </summary>
internal sealed class TypeWriter(SchemaModel schema, string outDir)
{
    /// <summary>Messages with a hand-written class (custom JSON forms), by proto name → C# type.</summary>
    private static readonly Dictionary<string, string> HandWritten = new(StringComparer.Ordinal)
    {
        ["k8s.io.apimachinery.pkg.apis.meta.v1.Time"] = "global::Korvet.Api.Meta.V1.Time",
        ["k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime"] = "global::Korvet.Api.Meta.V1.MicroTime",
        ["k8s.io.apimachinery.pkg.apis.meta.v1.Duration"] = "global::Korvet.Api.Meta.V1.Duration",
        ["k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1"] = "global::Korvet.Api.Meta.V1.FieldsV1",
        ["k8s.io.apimachinery.pkg.apis.meta.v1.GroupVersion"] = "global::Korvet.Api.Meta.V1.GroupVersion",
        ["k8s.io.apimachinery.pkg.api.resource.Quantity"] = "global::Korvet.Api.Resource.Quantity",
        ["k8s.io.apimachinery.pkg.api.resource.QuantityValue"] = "global::Korvet.Api.Resource.Quantity",
        ["k8s.io.apimachinery.pkg.util.intstr.IntOrString"] = "global::Korvet.Api.IntStr.IntOrString",
        ["k8s.io.apimachinery.pkg.runtime.RawExtension"] = "global::Korvet.Api.Runtime.RawExtension",
        ["k8s.io.apimachinery.pkg.runtime.Unknown"] = "",
        ["k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.v1.JSON"] = "global::Korvet.Api.ApiExtensions.V1.JSON",
        ["k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrArray"] = "global::Korvet.Api.ApiExtensions.V1.JSONSchemaPropsOrArray",
        ["k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrBool"] = "global::Korvet.Api.ApiExtensions.V1.JSONSchemaPropsOrBool",
        ["k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrStringArray"] = "global::Korvet.Api.ApiExtensions.V1.JSONSchemaPropsOrStringArray",
    };

    private readonly List<(string ClrType, string UniqueName)> _generated = [];

    // Collections of generated types, named uniquely for the JSON context (Core.V1.Event vs Events.V1.Event).
    private readonly SortedDictionary<string, string> _collections = new(StringComparer.Ordinal);

    public void Write()
    {
        string dir = Path.Combine(outDir, "Types");
        Directory.CreateDirectory(dir);
        foreach (PackageModel package in schema.Packages.Where(p => Naming.TypedPackages.ContainsKey(p.ProtoPackage)))
        {
            string ns = Naming.TypedPackages[package.ProtoPackage];
            int before = _generated.Count;
            string text = PackageFile(package, ns);
            if (_generated.Count > before)
            {
                File.WriteAllText(Path.Combine(dir, $"{ns}.cs"), text);
            }
        }

        File.WriteAllText(Path.Combine(outDir, "KubernetesJsonContext.cs"), ContextFile());
        File.WriteAllText(Path.Combine(outDir, "ApiTypes.cs"), TypeTableFile());
    }

    private string PackageFile(PackageModel package, string ns)
    {
        var sb = new StringBuilder(DescriptorWriter.Header);
        sb.Append($"\nnamespace Korvet.Api.{ns};\n");
        foreach (string name in package.Messages)
        {
            MessageModel m = schema.Messages[name];
            if (HandWritten.ContainsKey(m.FullName) || IsNamedSlice(m))
            {
                continue;
            }

            _generated.Add(($"global::Korvet.Api.{ns}.{m.Name}", ns.Replace(".", "", StringComparison.Ordinal) + m.Name));
            sb.Append($"\n[global::Korvet.Api.Schema.ProtoMessage({Naming.Literal(m.FullName)})]\n");
            sb.Append($"public sealed partial class {m.Name}");
            int headerEnd = sb.Length;
            sb.Append("\n{\n");
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var types = new Dictionary<string, string>(StringComparer.Ordinal);
            bool first = true;
            if (m.EmbedsTypeMeta)
            {
                Property(sb, ref first, "Kind", "string?", "kind", null, seen, []);
                Property(sb, ref first, "ApiVersion", "string?", "apiVersion", null, seen, []);
            }

            foreach (FieldModel f in Flatten(m))
            {
                // Embedded Go fields (ObjectMeta, ListMeta) are named after their type; the JSON name reads better.
                string propName = f.GoEmbedded ? char.ToUpperInvariant(f.JsonName![0]) + f.JsonName[1..] : Naming.Property(f.GoName!);
                if (propName == m.Name)
                {
                    propName += "Value"; // C# forbids a member named like its enclosing type
                }

                var attributes = new List<string>();
                if (f.PatchStrategy is not null)
                {
                    attributes.Add($"global::Korvet.Api.Schema.PatchStrategy({Naming.Literal(f.PatchStrategy)})");
                }

                if (f.PatchMergeKey is not null)
                {
                    attributes.Add($"global::Korvet.Api.Schema.PatchMergeKey({Naming.Literal(f.PatchMergeKey)})");
                }

                if (f.ListType is not null)
                {
                    string keys = string.Concat(f.ListMapKeys.Select(k => ", " + Naming.Literal(k)));
                    attributes.Add($"global::Korvet.Api.Schema.ListType({Naming.Literal(f.ListType)}{keys})");
                }

                if (f.MapType is not null)
                {
                    attributes.Add($"global::Korvet.Api.Schema.MapType({Naming.Literal(f.MapType)})");
                }

                (string type, string? init) = ClrType(f);
                Property(sb, ref first, propName, type, f.JsonName!, init, seen, attributes);
                types[propName] = type;
            }

            sb.Insert(headerEnd, ObjectInterface(m, types));
            sb.Append("}\n");
        }

        return sb.ToString();
    }

    /// <summary>
    /// " : IKubernetesObject" for kinds (TypeMeta + ObjectMeta), " : IKubernetesList&lt;T&gt;" for lists (TypeMeta +
    /// ListMeta + items), else empty.
    /// </summary>
    private static string ObjectInterface(MessageModel m, Dictionary<string, string> types)
    {
        if (!m.EmbedsTypeMeta || !types.TryGetValue("Metadata", out string? meta))
        {
            return "";
        }

        if (meta == "global::Korvet.Api.Meta.V1.ObjectMeta?")
        {
            return " : global::Korvet.Api.IKubernetesObject";
        }

        const string listPrefix = "global::System.Collections.Generic.List<";
        if (meta == "global::Korvet.Api.Meta.V1.ListMeta?" && types.TryGetValue("Items", out string? items) &&
            items.StartsWith(listPrefix, StringComparison.Ordinal) && items.EndsWith(">?", StringComparison.Ordinal))
        {
            return $" : global::Korvet.Api.IKubernetesList<{items[listPrefix.Length..^2]}>";
        }

        return "";
    }

    private static void Property(StringBuilder sb, ref bool first, string name, string type, string jsonName, string? init,
        HashSet<string> seen, List<string> attributes)
    {
        if (!seen.Add(name) || !seen.Add("json:" + jsonName))
        {
            throw new InvalidOperationException($"duplicate property {name} / {jsonName}");
        }

        if (!first)
        {
            sb.Append('\n');
        }

        first = false;
        sb.Append($"    [global::System.Text.Json.Serialization.JsonPropertyName({Naming.Literal(jsonName)})]\n");
        foreach (string a in attributes)
        {
            sb.Append($"    [{a}]\n");
        }

        sb.Append($"    public {type} {name} {{ get; set; }}");
        sb.Append(init is null ? "\n" : $" = {init};\n");
    }

    /// <summary>The message's JSON-visible fields with inline (embedded) sub-messages flattened, in declaration order.</summary>
    private IEnumerable<FieldModel> Flatten(MessageModel m)
    {
        foreach (FieldModel f in m.Fields)
        {
            if (f.JsonInline)
            {
                foreach (FieldModel inner in Flatten(schema.Messages[f.Type]))
                {
                    yield return inner;
                }
            }
            else if (f.JsonName is not null)
            {
                yield return f;
            }
        }
    }

    /// <summary>The C# type of a field and its initializer. Non-pointer, non-omitempty scalars are non-nullable (Go
    /// writes their zero value); everything else is nullable and omitted from JSON when null.</summary>
    private (string Type, string? Init) ClrType(FieldModel f)
    {
        if (f.IsMap)
        {
            string value = DescriptorWriter.IsScalarName(f.MapValue!) ? ScalarType(f.MapValue!) : MessageType(f.MapValue!);
            string dict = $"global::System.Collections.Generic.Dictionary<string, {value}>";
            _collections[dict] = "Dictionary" + UniquePart(value);
            return (dict + "?", null);
        }

        string element = f.IsScalar ? ScalarType(f.Type) : MessageType(f.Type);
        if (f.Repeated)
        {
            string list = $"global::System.Collections.Generic.List<{element}>";
            _collections[list] = "List" + UniquePart(element);
            return (list + "?", null);
        }

        if (!f.IsScalar || f.Type == "bytes" || f.GoPointer || f.OmitEmpty)
        {
            return (element + "?", null);
        }

        return f.Type == "string" ? ("string", "\"\"") : (element, null);
    }

    private string MessageType(string fullName)
    {
        if (HandWritten.TryGetValue(fullName, out string? hand))
        {
            return hand.Length > 0 ? hand : throw new InvalidOperationException($"{fullName} has no C# type");
        }

        MessageModel m = schema.Messages[fullName];
        if (IsNamedSlice(m))
        {
            return "global::System.Collections.Generic.List<string>";
        }

        if (!Naming.TypedPackages.TryGetValue(m.Package, out string? ns))
        {
            throw new InvalidOperationException($"{fullName} is referenced by a typed package but its package is not typed");
        }

        return $"global::Korvet.Api.{ns}.{m.Name}";
    }

    private static string UniquePart(string clrType) =>
        new string(clrType.Replace("global::Korvet.Api.", "", StringComparison.Ordinal).Replace("global::System.Collections.Generic.", "", StringComparison.Ordinal)
            .Where(char.IsLetterOrDigit).ToArray()) is { } s && s.Length > 0 ? char.ToUpperInvariant(s[0]) + s[1..] : clrType;

    private static string ScalarType(string type) => type switch
    {
        "string" => "string",
        "bool" => "bool",
        "int32" => "int",
        "int64" => "long",
        "double" => "double",
        "bytes" => "byte[]",
        _ => throw new InvalidOperationException($"unknown scalar {type}"),
    };

    private static bool IsNamedSlice(MessageModel m) => m.GoKind == "named" && m.GoUnderlying == "[]string";

    private string ContextFile()
    {
        var sb = new StringBuilder(DescriptorWriter.Header);
        sb.Append("\nusing System.Text.Json.Serialization;\n\nnamespace Korvet.Api.Serialization;\n\n");
        sb.Append("/// <summary>System.Text.Json source-generated metadata for every typed API class. Options match Go's\n");
        sb.Append("/// encoding/json output where it matters: null (unset) members are omitted. Depth limit 256 (deep CRD schemas).</summary>\n");
        sb.Append("[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, MaxDepth = 256)]\n");
        foreach ((string clr, string unique) in _generated)
        {
            sb.Append($"[JsonSerializable(typeof({clr}), TypeInfoPropertyName = {Naming.Literal(unique)})]\n");
        }

        foreach ((string clr, string unique) in _collections)
        {
            sb.Append($"[JsonSerializable(typeof({clr}), TypeInfoPropertyName = {Naming.Literal(unique)})]\n");
        }

        foreach (string hand in HandWritten.Values.Where(h => h.Length > 0).Distinct(StringComparer.Ordinal))
        {
            string unique = hand.Replace("global::Korvet.Api.", "", StringComparison.Ordinal).Replace(".", "", StringComparison.Ordinal);
            sb.Append($"[JsonSerializable(typeof({hand}), TypeInfoPropertyName = {Naming.Literal(unique)})]\n");
        }

        sb.Append("public sealed partial class KubernetesJsonContext : JsonSerializerContext;\n");
        return sb.ToString();
    }

    private string TypeTableFile()
    {
        var sb = new StringBuilder(DescriptorWriter.Header);
        sb.Append("\nusing System.Collections.Frozen;\n\nnamespace Korvet.Api.Generated;\n\n");
        sb.Append("/// <summary>The typed class of each (apiVersion, kind) that has one; meta.k8s.io types are found under every\n");
        sb.Append("/// group version by <see cref=\"Find\"/>. Immutable.</summary>\n");
        sb.Append("public static class ApiTypes\n{\n");
        sb.Append("    private static readonly FrozenDictionary<(string ApiVersion, string Kind), global::System.Type> ByKind =\n");
        sb.Append("        new global::System.Collections.Generic.Dictionary<(string ApiVersion, string Kind), global::System.Type>\n        {\n");
        var done = new HashSet<(string, string)>();
        foreach (PackageModel p in schema.Packages.Where(p => Naming.TypedPackages.ContainsKey(p.ProtoPackage) && p.Group is not null && p.Version is not null))
        {
            string apiVersion = p.Group!.Length == 0 ? p.Version! : $"{p.Group}/{p.Version}";
            string ns = Naming.TypedPackages[p.ProtoPackage];
            IEnumerable<string> names = p.RegisteredTypes.Concat(schema.Kinds
                .Where(k => k.ProtoMessage.StartsWith(p.ProtoPackage + ".", StringComparison.Ordinal))
                .SelectMany(k => k.ListKind is null ? new[] { k.Kind } : [k.Kind, k.ListKind]));
            foreach (string t in names)
            {
                if (schema.Messages.TryGetValue(p.ProtoPackage + "." + t, out MessageModel? m) && !HandWritten.ContainsKey(m.FullName)
                    && !IsNamedSlice(m) && done.Add((apiVersion, t)))
                {
                    sb.Append($"            [({Naming.Literal(apiVersion)}, {Naming.Literal(t)})] = typeof(global::Korvet.Api.{ns}.{t}),\n");
                }
            }
        }

        sb.Append("        }.ToFrozenDictionary();\n\n");
        sb.Append("    /// <summary>The class for <paramref name=\"kind\"/> in <paramref name=\"apiVersion\"/>, falling back to the\n");
        sb.Append("    /// meta.k8s.io/v1 type of that name (Status, DeleteOptions, WatchEvent, ...); null when there is none.</summary>\n");
        sb.Append("    public static global::System.Type? Find(string apiVersion, string kind) =>\n");
        sb.Append("        ByKind.GetValueOrDefault((apiVersion, kind)) ?? ByKind.GetValueOrDefault((\"meta.k8s.io/v1\", kind));\n}\n");
        return sb.ToString();
    }
}
