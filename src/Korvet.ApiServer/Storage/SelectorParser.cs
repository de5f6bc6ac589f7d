using Korvet.Api.Selectors;
using Korvet.Api.Serialization;
using Korvet.ApiServer.Errors;
using Korvet.ApiServer.Registry;

namespace Korvet.ApiServer.Storage;

/// <summary>
/// Upstream's selectors: the full label selector grammar (equality and set-based) and each kind's field selector
/// contract (<see cref="KindFields"/>: pods' <c>spec.nodeName</c>, <c>status.phase</c>, ...). Bad selectors answer 400
/// with upstream's message. Thread-safe; its only state is the string pool the filters' object views share.
/// </summary>
public sealed class SelectorParser : ISelectorParser
{
    private readonly StringPool _strings = new();

    public ListFilter Parse(ResourceDefinition resource, string? labelSelector, string? fieldSelector)
    {
        LabelSelector labels;
        FieldSelector fields;
        ObjectFields contract = KindFields.For(resource.Group, resource.Plural);
        try
        {
            labels = LabelSelector.Parse(labelSelector);
            fields = contract.Resolve(FieldSelector.Parse(fieldSelector));
        }
        catch (SelectorException e)
        {
            // kubectl adds its own "Unable to find ... that match label selector ..." prefix to list errors.
            throw StatusErrors.BadRequest(e.Message);
        }

        return labels.IsEverything && fields.IsEverything ? ListFilter.Everything : new ListFilter(labels, fields, contract, _strings);
    }
}
