namespace Korvet.Api.Selectors;

/// <summary>The operators of a label selector requirement (upstream <c>selection.Operator</c>).</summary>
public enum SelectorOperator
{
    /// <summary><c>key=value</c>.</summary>
    Equals,
    /// <summary><c>key==value</c>.</summary>
    DoubleEquals,
    /// <summary><c>key!=value</c>: also matches objects without the label.</summary>
    NotEquals,
    /// <summary><c>key in (a,b)</c>.</summary>
    In,
    /// <summary><c>key notin (a,b)</c>: also matches objects without the label.</summary>
    NotIn,
    /// <summary><c>key</c>.</summary>
    Exists,
    /// <summary><c>!key</c>.</summary>
    DoesNotExist,
    /// <summary><c>key&gt;n</c>: the label value parsed as a 64-bit integer is greater than n.</summary>
    GreaterThan,
    /// <summary><c>key&lt;n</c>.</summary>
    LessThan,
}
