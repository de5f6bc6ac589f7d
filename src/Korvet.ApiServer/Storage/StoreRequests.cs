namespace Korvet.ApiServer.Storage;

/// <summary>Options common to create, update and patch.</summary>
/// <param name="DryRun">True for <c>dryRun=All</c>: everything runs except the write.</param>
/// <param name="FieldManager">The manager recorded in managedFields.</param>
/// <param name="ManagedFields">Set by server-side apply: the complete managedFields to store instead of stamping an
/// "Update" entry for <paramref name="FieldManager"/>.</param>
/// <param name="ManagedAs">The version conversion a request came through: its "Update" entry is computed on the served
/// forms and records the served apiVersion, as upstream's field manager works in the version of the request.</param>
public sealed record WriteOptions(bool DryRun, string FieldManager, System.Text.Json.Nodes.JsonArray? ManagedFields = null,
    Registry.Conversion? ManagedAs = null);

/// <summary>A list request after query parsing.</summary>
/// <param name="ResourceVersion">Raw resourceVersion query ("" = unset).</param>
/// <param name="ResourceVersionMatch">"", "Exact" or "NotOlderThan".</param>
/// <param name="Limit">Page size (0 = all).</param>
/// <param name="Continue">Continue token from a previous page ("" = first page).</param>
public sealed record ListRequest(ListFilter Filter, string ResourceVersion = "", string ResourceVersionMatch = "",
    long Limit = 0, string Continue = "");

/// <summary>One page of a list: items in key order, the list resourceVersion, and paging state.</summary>
public sealed record ListPage(IReadOnlyList<StoredObject> Items, long ResourceVersion, string Continue, long? RemainingItemCount);

/// <summary>Parsed DeleteOptions (body or query).</summary>
public sealed record DeleteRequest(
    bool DryRun = false,
    long? GracePeriodSeconds = null,
    string? PropagationPolicy = null,
    string? PreconditionUid = null,
    string? PreconditionResourceVersion = null);

/// <summary>What a write produced: the HTTP status code and the response bytes.</summary>
public sealed record WriteResult(int StatusCode, byte[] Body);
