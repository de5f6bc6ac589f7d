using System.Text.Json;

namespace Korvet.ApiServer.Tables;

/// <summary>A Table column definition (meta.k8s.io/v1 TableColumnDefinition). Priority 1 columns show with -o wide.</summary>
public sealed record TableColumn(string Name, string Type, string Format, string Description, int Priority = 0);

/// <summary>The columns of one kind and the function computing a row's cells (strings, longs or null).</summary>
/// <param name="Cells">Pure function of the object and the current time (ages are rendered by the server).</param>
public sealed record TablePrinter(IReadOnlyList<TableColumn> Columns, Func<JsonElement, DateTimeOffset, object?[]> Cells);
