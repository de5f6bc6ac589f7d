namespace Korvet.Api.Selectors;

/// <summary>
/// A label or field selector that cannot be parsed or validated. The message follows upstream's wording; the API
/// server answers it as 400 BadRequest.
/// </summary>
public sealed class SelectorException : Exception
{
    public SelectorException(string message)
        : base(message)
    {
    }
}
