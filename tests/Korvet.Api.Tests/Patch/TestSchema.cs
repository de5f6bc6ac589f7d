using System.Text.Json.Nodes;
using Korvet.Api.Patch;
using Korvet.Api.Schema;

namespace Korvet.Api.Tests.Patch;

/// <summary>A small hand-built schema shaped like core/v1 Pod, enough to drive strategic merge patch tests until the
/// generated descriptors land.</summary>
internal static class TestSchema
{
    public static readonly ApiSchema Schema = Build();

    public static MessageDescriptor Pod => Schema.GetMessage("test.Pod");

    /// <summary>JSON with single quotes for readability.</summary>
    public static JsonObject Obj(string json) => JsonNode.Parse(json.Replace('\'', '"'))!.AsObject();

    /// <summary>JSON equality (object key order ignored, array order significant).</summary>
    public static void AssertJson(string expected, JsonNode? actual)
    {
        JsonNode? want = JsonNode.Parse(expected.Replace('\'', '"'));
        Assert.True(JsonValues.DeepEquals(want, actual), $"expected {want?.ToJsonString()}\n  actual {actual?.ToJsonString()}");
    }

    private static ApiSchema Build()
    {
        MessageDescriptor[] messages =
        [
            Message("Pod",
                Msg("metadata", 1, "ObjectMeta"),
                Msg("spec", 2, "PodSpec"),
                Msg("status", 3, "PodStatus")),
            Message("ObjectMeta",
                Str("name", 1),
                Map("labels", 2),
                Map("annotations", 3),
                StrList("finalizers", 4, "merge"),
                MsgList("ownerReferences", 5, "OwnerReference", "merge", "uid")),
            Message("OwnerReference", Str("uid", 1), Str("name", 2), Str("kind", 3)),
            Message("PodSpec",
                MsgList("containers", 1, "Container", "merge", "name"),
                MsgList("initContainers", 2, "Container", "merge", "name"),
                MsgList("volumes", 3, "Volume", "merge,retainKeys", "name"),
                MsgList("tolerations", 4, "Toleration", null, null),
                Map("nodeSelector", 5),
                Str("nodeName", 6),
                Msg("strategy", 7, "Strategy", "retainKeys"),
                Msg("affinity", 8, "Affinity", "replace"),
                Map("overhead", 9, "Quantity")),
            Message("PodStatus", Str("phase", 1), MsgList("conditions", 2, "Condition", "merge", "type")),
            Message("Condition", Str("type", 1), Str("status", 2)),
            Message("Container",
                Str("name", 1),
                Str("image", 2),
                StrList("args", 3, null),
                MsgList("ports", 4, "ContainerPort", "merge", "containerPort"),
                MsgList("env", 5, "EnvVar", "merge", "name"),
                Msg("resources", 6, "Resources")),
            Message("ContainerPort", Int("containerPort", 1), Str("protocol", 2), Str("name", 3)),
            Message("EnvVar", Str("name", 1), Str("value", 2)),
            Message("Resources", Map("limits", 1, "Quantity"), Map("requests", 2, "Quantity")),
            Message("Volume", Str("name", 1), Inline("volumeSource", 2, "VolumeSource")),
            Message("VolumeSource", Msg("emptyDir", 1, "EmptyDir"), Msg("hostPath", 2, "HostPath"), Msg("configMap", 3, "ConfigMapVolume")),
            Message("EmptyDir", Str("medium", 1)),
            Message("HostPath", Str("path", 1), Str("type", 2)),
            Message("ConfigMapVolume", Str("name", 1), MsgList("items", 2, "KeyToPath", null, null)),
            Message("KeyToPath", Str("key", 1), Str("path", 2)),
            Message("Toleration", Str("key", 1), Str("effect", 2)),
            Message("Strategy", Str("type", 1), Msg("rollingUpdate", 2, "RollingUpdate")),
            Message("RollingUpdate", Str("maxSurge", 1)),
            Message("Affinity", Str("a", 1), Str("b", 2)),
            new MessageDescriptor { FullName = "test.Quantity", Name = "Quantity", Fields = [], JsonForm = JsonForm.Quantity },
        ];
        return new ApiSchema(messages, [new KindDescriptor("", "v1", "Pod", true, "test.Pod", "PodList")], []);
    }

    private static MessageDescriptor Message(string name, params FieldDescriptor[] fields) =>
        new() { FullName = "test." + name, Name = name, Fields = fields };

    private static FieldDescriptor Str(string name, int number) =>
        new() { Name = name, Number = number, JsonName = name, Kind = FieldKind.Scalar, Scalar = ScalarType.String };

    private static FieldDescriptor Int(string name, int number) =>
        new() { Name = name, Number = number, JsonName = name, Kind = FieldKind.Scalar, Scalar = ScalarType.Int32 };

    private static FieldDescriptor StrList(string name, int number, string? strategy) =>
        new() { Name = name, Number = number, JsonName = name, Kind = FieldKind.Scalar, Scalar = ScalarType.String, Repeated = true, PatchStrategy = strategy };

    private static FieldDescriptor Map(string name, int number, string? valueMessage = null) =>
        new()
        {
            Name = name, Number = number, JsonName = name, Kind = FieldKind.Map, MapKey = ScalarType.String,
            Scalar = valueMessage is null ? ScalarType.String : ScalarType.None,
            MessageName = valueMessage is null ? null : "test." + valueMessage,
        };

    private static FieldDescriptor Msg(string name, int number, string message, string? strategy = null) =>
        new() { Name = name, Number = number, JsonName = name, Kind = FieldKind.Message, MessageName = "test." + message, PatchStrategy = strategy };

    private static FieldDescriptor Inline(string name, int number, string message) =>
        new() { Name = name, Number = number, JsonName = null, Inline = true, Kind = FieldKind.Message, MessageName = "test." + message };

    private static FieldDescriptor MsgList(string name, int number, string message, string? strategy, string? mergeKey) =>
        new()
        {
            Name = name, Number = number, JsonName = name, Kind = FieldKind.Message, MessageName = "test." + message,
            Repeated = true, PatchStrategy = strategy, PatchMergeKey = mergeKey,
        };
}
