using Korvet.ApiGen;

namespace Korvet.Api.Tests;

public sealed class GeneratedCodeTests
{
    [FixtureFact]
    public void GeneratedCodeIsUpToDate()
    {
        string schemaPath = Path.Combine(Path.GetDirectoryName(Fixtures.Directory)!, "schema.json");
        string repo = RepoRoot();
        string committed = Path.Combine(repo, "src", "Korvet.Api", "Generated");
        string fresh = Path.Combine(Path.GetTempPath(), "korvet-apigen-" + Guid.NewGuid().ToString("N"));
        try
        {
            SchemaModel schema = SchemaModel.Load(schemaPath);
            new DescriptorWriter(schema, fresh).Write();
            new TypeWriter(schema, fresh).Write();
            string[] expected = Files(fresh), actual = Files(committed);
            Assert.Equal(expected, actual);
            foreach (string rel in expected)
            {
                Assert.True(
                    File.ReadAllText(Path.Combine(fresh, rel)) == File.ReadAllText(Path.Combine(committed, rel)),
                    $"{rel} differs from the generator's output: run `dotnet run --project tools/Korvet.ApiGen` (docs/api-types.md)");
            }
        }
        finally
        {
            if (Directory.Exists(fresh))
            {
                Directory.Delete(fresh, recursive: true);
            }
        }
    }

    private static string[] Files(string dir) =>
        Directory.GetFiles(dir, "*.cs", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(dir, f)).Order(StringComparer.Ordinal).ToArray();

    private static string RepoRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Korvet.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Korvet.slnx not found above the test directory");
    }
}
