using System.Text.Json.Nodes;
using Korvet.Api.Patch;

namespace Korvet.Api.Tests.Patch;

/// <summary>Random documents and patches (seeded, reproducible): whatever the input, the patchers either succeed
/// or throw <see cref="PatchException"/> — never another exception — and never modify their inputs.</summary>
public sealed class PatchRobustnessTests
{
    private static readonly string[] Keys =
    [
        "spec", "metadata", "containers", "name", "image", "ports", "containerPort", "env", "value", "finalizers", "labels",
        "volumes", "emptyDir", "hostPath", "strategy", "type", "args", "x",
        "$patch", "$retainKeys", "$setElementOrder/containers", "$deleteFromPrimitiveList/finalizers", "$setElementOrder/finalizers",
        "$deleteFromPrimitiveList/args", "$setElementOrderX",
    ];

    private static readonly string[] Strings = ["a", "b", "replace", "delete", "merge", "name", "containers", ""];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Strategic_and_merge_patches_fail_only_with_patch_exceptions(int seed)
    {
        var random = new Random(seed);
        var smp = new StrategicMergePatch(TestSchema.Schema);
        int applied = 0;
        int rejected = 0;
        for (int i = 0; i < 1500; i++)
        {
            JsonObject original = RandomObject(random, 4);
            JsonObject patch = RandomObject(random, 4);
            string originalText = original.ToJsonString();
            string patchText = patch.ToJsonString();
            foreach (bool withSchema in new[] { true, false })
            {
                try
                {
                    smp.Apply(original, patch, withSchema ? TestSchema.Pod : null);
                    applied++;
                }
                catch (PatchException)
                {
                    rejected++;
                }
            }

            JsonMergePatch.Apply(original, patch);
            Assert.Equal(originalText, original.ToJsonString());
            Assert.Equal(patchText, patch.ToJsonString());
        }

        // Both outcomes must be well represented, or the generator is not exercising anything.
        Assert.True(applied > 500 && rejected > 50, $"applied {applied}, rejected {rejected}");
    }

    [Theory]
    [InlineData(4)]
    [InlineData(5)]
    public void Json_patches_fail_only_with_patch_exceptions(int seed)
    {
        var random = new Random(seed);
        string[] ops = ["add", "remove", "replace", "move", "copy", "test", "bogus"];
        string[] paths = ["", "/", "/spec", "/spec/containers", "/spec/containers/0", "/spec/containers/-", "/spec/containers/-1",
            "/spec/containers/9", "/metadata/labels/a", "/x/y/z", "/spec/containers/0/name", "spec", "/a~1b", "/~0"];
        int applied = 0;
        for (int i = 0; i < 3000; i++)
        {
            JsonObject doc = RandomObject(random, 4);
            var patch = new JsonArray();
            for (int n = random.Next(1, 4); n > 0; n--)
            {
                var op = new JsonObject { ["op"] = ops[random.Next(ops.Length)], ["path"] = paths[random.Next(paths.Length)] };
                if (random.Next(2) == 0)
                {
                    op["from"] = paths[random.Next(paths.Length)];
                }

                if (random.Next(3) > 0)
                {
                    op["value"] = RandomValue(random, 2);
                }

                patch.Add(op);
            }

            string docText = doc.ToJsonString();
            try
            {
                JsonPatch.Apply(doc, patch);
                applied++;
            }
            catch (PatchException)
            {
            }

            Assert.Equal(docText, doc.ToJsonString());
        }

        Assert.True(applied > 50, $"applied {applied}");
    }

    private static JsonObject RandomObject(Random random, int depth)
    {
        var obj = new JsonObject();
        for (int n = random.Next(0, 4); n > 0; n--)
        {
            obj[Keys[random.Next(Keys.Length)]] = RandomValue(random, depth - 1);
        }

        return obj;
    }

    private static JsonNode? RandomValue(Random random, int depth) => (depth <= 0 ? random.Next(4) : random.Next(7)) switch
    {
        0 => null,
        1 => JsonValue.Create(Strings[random.Next(Strings.Length)]),
        2 => JsonValue.Create(random.Next(3)),
        3 => JsonValue.Create(random.Next(2) == 0),
        4 or 5 => RandomObject(random, depth),
        _ => RandomArray(random, depth),
    };

    private static JsonArray RandomArray(Random random, int depth)
    {
        var array = new JsonArray();
        bool objects = random.Next(2) == 0;
        for (int n = random.Next(0, 4); n > 0; n--)
        {
            array.Add(objects && random.Next(6) > 0 ? RandomObject(random, depth - 1) : RandomValue(random, depth - 1));
        }

        return array;
    }
}
