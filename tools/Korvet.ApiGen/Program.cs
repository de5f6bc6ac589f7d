namespace Korvet.ApiGen;

/// <summary>
/// Regenerates src/Korvet.Api/Generated from shared/k8s-api/schema.json. Usage:
/// <c>dotnet run --project tools/Korvet.ApiGen -- [--schema PATH] [--out DIR]</c>; defaults assume the repo root
/// as working directory and the shared folder next to it.
/// </summary>
internal static class Program
{
    public static int Main(string[] args)
    {
        string schemaPath = Arg(args, "--schema") ?? FindSharedSchema() ?? Path.Combine("..", "shared", "k8s-api", "schema.json");
        string outDir = Arg(args, "--out") ?? Path.Combine("src", "Korvet.Api", "Generated");
        if (!File.Exists(schemaPath))
        {
            Console.Error.WriteLine($"schema not found: {schemaPath} (pass --schema PATH)");
            return 2;
        }

        SchemaModel schema = SchemaModel.Load(schemaPath);
        if (Directory.Exists(outDir))
        {
            Directory.Delete(outDir, recursive: true);
        }

        new DescriptorWriter(schema, outDir).Write();
        new TypeWriter(schema, outDir).Write();
        Console.WriteLine($"wrote {outDir}: {schema.Messages.Count} messages, {schema.Kinds.Count} kinds, {schema.Enums.Count} enums");
        return 0;
    }

    /// <summary>$KORVET_SHARED/k8s-api/schema.json, else the first shared/k8s-api/schema.json walking up from here.</summary>
    private static string? FindSharedSchema()
    {
        if (Environment.GetEnvironmentVariable("KORVET_SHARED") is { Length: > 0 } shared)
        {
            return Path.Combine(shared, "k8s-api", "schema.json");
        }

        for (DirectoryInfo? dir = new(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "shared", "k8s-api", "schema.json");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static string? Arg(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
