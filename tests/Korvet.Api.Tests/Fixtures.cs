using System.Text.Json.Nodes;

namespace Korvet.Api.Tests;

/// <summary>
/// Locates the upstream round-trip fixtures (shared/k8s-api/fixtures): $KORVET_SHARED/k8s-api, else the first
/// shared/k8s-api found walking up from the test directory. Tests using them are skipped when absent.
/// </summary>
public static class Fixtures
{
    public const string SkipReason = "shared/k8s-api fixtures not found: set KORVET_SHARED or place shared/k8s-api above the repo";

    public static string? Directory { get; } = Find();

    private static string? Find()
    {
        if (Environment.GetEnvironmentVariable("KORVET_SHARED") is { Length: > 0 } shared)
        {
            string d = Path.Combine(shared, "k8s-api", "fixtures");
            return System.IO.Directory.Exists(d) ? d : null;
        }

        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "shared", "k8s-api", "fixtures");
            if (System.IO.Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>Fixture base names ("core.v1.Pod") whose JSON, YAML and protobuf files all exist.</summary>
    public static IEnumerable<string> Names() =>
        Directory is null
            ? []
            : System.IO.Directory.GetFiles(Directory, "*.json").Select(f => Path.GetFileNameWithoutExtension(f)).Order(StringComparer.Ordinal);

    public static TheoryData<string> All()
    {
        var data = new TheoryData<string>();
        foreach (string n in Names())
        {
            data.Add(n);
        }

        if (data.Count == 0)
        {
            data.Add("(none)");
        }

        return data;
    }

    /// <summary>"core.v1.Pod" → ("v1", "Pod"); "apps.v1.Deployment" → ("apps/v1", ...); "storage.k8s.io.v1.CSIDriver" → ("storage.k8s.io/v1", ...).</summary>
    public static (string ApiVersion, string Kind) TypeOf(string name)
    {
        string[] parts = name.Split('.');
        string kind = parts[^1];
        string version = parts[^2];
        string group = string.Join('.', parts[..^2]);
        return (group == "core" ? version : $"{group}/{version}", kind);
    }

    public static string Path1(string name, string ext) => Path.Combine(Directory!, $"{name}.{ext}");

    public static JsonObject Json(string name) => JsonNode.Parse(File.ReadAllBytes(Path1(name, "json")))!.AsObject();
}

/// <summary>A theory over the fixtures, skipped with a clear reason when they are absent.</summary>
public sealed class FixtureTheoryAttribute : TheoryAttribute
{
    public FixtureTheoryAttribute()
    {
        if (Fixtures.Directory is null)
        {
            Skip = Fixtures.SkipReason;
        }
    }
}

/// <summary>A fact that needs the fixtures, skipped with a clear reason when they are absent.</summary>
public sealed class FixtureFactAttribute : FactAttribute
{
    public FixtureFactAttribute()
    {
        if (Fixtures.Directory is null)
        {
            Skip = Fixtures.SkipReason;
        }
    }
}
