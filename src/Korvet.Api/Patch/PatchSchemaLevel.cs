using Korvet.Api.Schema;

namespace Korvet.Api.Patch;

/// <summary>What the strategic merge patch knows about one list field: its strategy and merge key.</summary>
/// <param name="Merge">Patch strategy includes "merge": lists merge (by key for objects, as a set for scalars).</param>
/// <param name="Replace">Patch strategy is "replace" (maps are replaced, not merged).</param>
/// <param name="MergeKey">The merge key of object elements, or "".</param>
/// <param name="Known">False when the schema does not describe the field (merge-patch semantics apply).</param>
internal readonly record struct FieldPatchMeta(bool Merge, bool Replace, string MergeKey, bool Known = true)
{
    public static FieldPatchMeta None => new(false, false, "", Known: false);
}

/// <summary>
/// The schema context of one JSON object while a strategic merge patch walks it: a message (fields known), a map
/// (any key; values share one schema), or nothing (unknown fields, CRDs: merge-patch semantics).
/// </summary>
internal readonly record struct PatchSchemaLevel(ApiSchema? Schema, MessageDescriptor? Message, bool IsMap, MessageDescriptor? MapValue)
{
    public static PatchSchemaLevel Unknown => default;

    public string Name => Message?.Name ?? (IsMap ? "map" : "unknown");

    public static PatchSchemaLevel ForMessage(ApiSchema schema, MessageDescriptor? message) =>
        message is null || message.JsonForm != JsonForm.Object ? Unknown : new PatchSchemaLevel(schema, message, false, null);

    /// <summary>Looks up a key of this object: the patch metadata of the field and the level of its value (for a
    /// list: of its elements).</summary>
    public (FieldPatchMeta Meta, PatchSchemaLevel Child) Lookup(string key)
    {
        if (Schema is null)
        {
            return (FieldPatchMeta.None, Unknown);
        }

        if (IsMap)
        {
            return (FieldPatchMeta.None, ForMessage(Schema, MapValue));
        }

        FieldDescriptor? field = Message is null ? null : Schema.FindJsonField(Message, key);
        if (field is null)
        {
            return (FieldPatchMeta.None, Unknown);
        }

        FieldPatchMeta meta = MetaOf(field);
        MessageDescriptor? valueMessage = field.MessageName is null ? null : Schema.FindMessage(field.MessageName);
        PatchSchemaLevel child = field.Kind == FieldKind.Map
            ? new PatchSchemaLevel(Schema, null, true, valueMessage)
            : ForMessage(Schema, valueMessage);
        return (meta, child);
    }

    private static FieldPatchMeta MetaOf(FieldDescriptor field)
    {
        if (field.PatchStrategy is null)
        {
            return new FieldPatchMeta(false, false, field.PatchMergeKey ?? "");
        }

        bool merge = false;
        bool replace = false;
        foreach (string strategy in field.PatchStrategy.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            switch (strategy)
            {
                case "merge": merge = true; break;
                case "replace": replace = true; break;
                case "retainKeys": break;
                default:
                    throw new PatchException(PatchErrorKind.Internal, $"unexpected patch strategy: {field.PatchStrategy}");
            }
        }

        return new FieldPatchMeta(merge, replace, field.PatchMergeKey ?? "");
    }
}
