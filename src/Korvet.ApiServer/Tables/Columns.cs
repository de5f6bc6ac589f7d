namespace Korvet.ApiServer.Tables;

/// <summary>Column definitions shared by printers (upstream's descriptions come from the API field docs).</summary>
internal static class Columns
{
    public const string NameDoc =
        "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names";

    public const string CreationDoc =
        "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";

    public static TableColumn Name { get; } = new("Name", "string", "name", NameDoc);

    public static TableColumn Age { get; } = new("Age", "string", "", CreationDoc);

    public static TableColumn Str(string name, string description, int priority = 0) => new(name, "string", "", description, priority);

    public static TableColumn Int(string name, string description, int priority = 0) => new(name, "integer", "", description, priority);
}
