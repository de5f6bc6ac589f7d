using Korvet.Api.Selectors;
using Korvet.Api.Serialization;

namespace Korvet.ApiServer.Storage;

/// <summary>
/// A parsed label + field selector for lists, watches and deletecollection, evaluated against each object's
/// <see cref="SelectableView"/> (extracted once per object version, so filtering never re-parses objects).
/// Immutable and thread-safe. <see cref="Name"/> / <see cref="Namespace"/> are set when the field selector pins them
/// with equality, so the watch path can reject events without looking at the object.
/// </summary>
public sealed class ListFilter
{
    private readonly LabelSelector? _labels;
    private readonly FieldSelector? _fields;
    private readonly ObjectFields _contract;
    private readonly StringPool? _strings;

    /// <param name="labels">null or "everything" = no label requirement.</param>
    /// <param name="fields">A selector already resolved by <paramref name="contract"/>; null = no field requirement.</param>
    /// <param name="contract">The kind's field selector contract.</param>
    /// <param name="strings">Shares the strings of the views this filter extracts.</param>
    public ListFilter(LabelSelector? labels, FieldSelector? fields, ObjectFields contract, StringPool strings)
    {
        _labels = labels is { IsEverything: false } ? labels : null;
        _fields = fields is { IsEverything: false } ? fields : null;
        _contract = contract;
        _strings = strings;
        Name = _fields?.TryGetExactValue("metadata.name", out string n) == true ? n : null;
        Namespace = _fields?.TryGetExactValue("metadata.namespace", out string s) == true ? s : null;
    }

    private ListFilter()
    {
        _contract = ObjectFields.Default;
    }

    public static ListFilter Everything { get; } = new();

    /// <summary>True when no label or field requirement exists (upstream then reports remainingItemCount).</summary>
    public bool IsEmpty => _labels is null && _fields is null;

    public string? Name { get; }

    public string? Namespace { get; }

    public bool Matches(StoredObject obj)
    {
        if (IsEmpty)
        {
            return true;
        }

        SelectableView view = obj.Selectable(_contract, _strings!);
        if (_fields is not null)
        {
            foreach (FieldRequirement r in _fields.Requirements)
            {
                if (!r.Matches(view.Field(r.Field)))
                {
                    return false;
                }
            }
        }

        return _labels is null || _labels.Matches(view.Labels);
    }
}

/// <summary>
/// Builds a <see cref="ListFilter"/> from the raw <c>labelSelector</c> / <c>fieldSelector</c> query values.
/// Implementations throw a 400 <see cref="Errors.StatusException"/> for a bad selector. The full set-based label
/// selector and per-kind field selectors plug in here.
/// </summary>
public interface ISelectorParser
{
    ListFilter Parse(Registry.ResourceDefinition resource, string? labelSelector, string? fieldSelector);
}
