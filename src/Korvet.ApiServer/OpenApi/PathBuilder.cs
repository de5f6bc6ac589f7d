using Korvet.ApiServer.Registry;

namespace Korvet.ApiServer.OpenApi;

/// <summary>
/// Builds the REST paths of one group-version the way upstream's installer documents them: collection, item,
/// all-namespaces, the deprecated watch paths and each subresource, with upstream's operation ids
/// (<c>readCoreV1NamespacedPod</c>), actions and query parameters. Every PATCH lists <c>fieldValidation</c>, which is
/// what makes kubectl validate server-side.
/// </summary>
internal static class PathBuilder
{
    public const string DeleteOptions = "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions";
    public const string Status = "io.k8s.apimachinery.pkg.apis.meta.v1.Status";
    public const string Patch = "io.k8s.apimachinery.pkg.apis.meta.v1.Patch";
    public const string WatchEvent = "io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent";

    public static readonly string[] PatchContentTypes =
        ["application/apply-patch+yaml", "application/json-patch+json", "application/merge-patch+json", "application/strategic-merge-patch+json"];

    private static readonly ParamSpec Pretty = new("pretty", "query", "string", "If 'true', then the output is pretty printed.");
    private static readonly ParamSpec DryRun = new("dryRun", "query", "string");
    private static readonly ParamSpec FieldManager = new("fieldManager", "query", "string");
    private static readonly ParamSpec FieldValidation = new("fieldValidation", "query", "string",
        "fieldValidation instructs the server on how to handle objects in the request containing unknown or duplicate fields. Valid values are: Ignore, Warn, Strict.");
    private static readonly ParamSpec Force = new("force", "query", "boolean");
    private static readonly ParamSpec[] WriteParams = [DryRun, FieldManager, FieldValidation];
    private static readonly ParamSpec[] PatchParams = [DryRun, FieldManager, FieldValidation, Force];
    private static readonly ParamSpec[] DeleteParams =
    [
        DryRun, new("gracePeriodSeconds", "query", "integer"), new("ignoreStoreReadErrorWithClusterBreakingPotential", "query", "boolean"),
        new("orphanDependents", "query", "boolean"), new("propagationPolicy", "query", "string"),
    ];

    private static readonly ParamSpec[] ListParams =
    [
        new("allowWatchBookmarks", "query", "boolean"), new("continue", "query", "string"), new("fieldSelector", "query", "string"),
        new("labelSelector", "query", "string"), new("limit", "query", "integer"), Pretty, new("resourceVersion", "query", "string"),
        new("resourceVersionMatch", "query", "string"), new("sendInitialEvents", "query", "boolean"), new("timeoutSeconds", "query", "integer"),
        new("watch", "query", "boolean"),
    ];

    private static readonly ParamSpec[] LogParams =
    [
        new("container", "query", "string"), new("follow", "query", "boolean"), new("insecureSkipTLSVerifyBackend", "query", "boolean"),
        new("limitBytes", "query", "integer"), new("previous", "query", "boolean"), new("sinceSeconds", "query", "integer"),
        new("stream", "query", "string"), new("tailLines", "query", "integer"), new("timestamps", "query", "boolean"),
    ];

    private static readonly HashSet<string> ConnectSubresources = ["attach", "exec", "portforward", "proxy"];

    /// <summary>Paths of every resource in the group-version. <paramref name="schemaOf"/> names the definition of a
    /// kind ("io.k8s.api.core.v1.Pod") given group, version and kind.</summary>
    public static IReadOnlyList<PathSpec> Build(string group, string version, IReadOnlyList<ResourceDefinition> resources,
        Func<string, string, string, string> schemaOf)
    {
        var paths = new List<PathSpec>();
        string root = group.Length == 0 ? $"/api/{version}" : $"/apis/{group}/{version}";
        string prefix = SchemaNames.OperationPrefix(group, version);
        string tag = SchemaNames.Tag(group, version);
        foreach (ResourceDefinition r in resources)
        {
            var ctx = new Context(r, prefix, tag, schemaOf(r.Group, r.Version, r.Kind), schemaOf(r.Group, r.Version, r.ListKind));
            string ns = r.Namespaced ? "/namespaces/{namespace}" : "";
            string collection = $"{root}{ns}/{r.Plural}";
            paths.Add(new PathSpec(collection, ctx.ScopeParams(item: false), CollectionOps(ctx)));
            if (r.HasVerb("get") || r.HasVerb("update") || r.HasVerb("patch") || r.HasVerb("delete"))
            {
                paths.Add(new PathSpec(collection + "/{name}", ctx.ScopeParams(item: true), ItemOps(ctx)));
            }

            if (r.HasVerb("list") && r.Namespaced)
            {
                paths.Add(new PathSpec($"{root}/{r.Plural}", ListParams,
                    [ctx.Op("get", "list", $"list{prefix}{r.Kind}ForAllNamespaces", "list or watch objects of kind " + r.Kind, [], null, ctx.ListSchema, streams: true)]));
            }

            if (r.HasVerb("watch"))
            {
                string nsOp = r.Namespaced ? "Namespaced" : "";
                ParamSpec[] itemParams = [.. ctx.ScopeParams(item: true).Where(p => p.Name != "pretty"), .. ListParams];
                ParamSpec[] collectionParams = [.. ctx.ScopeParams(item: false).Where(p => p.Name != "pretty"), .. ListParams];
                paths.Add(new PathSpec($"{root}/watch{ns}/{r.Plural}", collectionParams,
                    [ctx.Op("get", "watchlist", $"watch{prefix}{nsOp}{r.Kind}List", "watch individual changes to a list of " + r.Kind, [], null, WatchEvent, streams: true)]));
                paths.Add(new PathSpec($"{root}/watch{ns}/{r.Plural}/{{name}}", itemParams,
                    [ctx.Op("get", "watch", $"watch{prefix}{nsOp}{r.Kind}", "watch changes to an object of kind " + r.Kind, [], null, WatchEvent, streams: true)]));
                if (r.Namespaced)
                {
                    paths.Add(new PathSpec($"{root}/watch/{r.Plural}", ListParams,
                        [ctx.Op("get", "watchlist", $"watch{prefix}{r.Kind}ListForAllNamespaces", "watch individual changes to a list of " + r.Kind, [], null, WatchEvent, streams: true)]));
                }
            }

            foreach (SubresourceDefinition sub in r.Subresources)
            {
                paths.Add(new PathSpec($"{collection}/{{name}}/{sub.Name}", ctx.ScopeParams(item: true), SubresourceOps(ctx, sub, schemaOf)));
            }
        }

        paths.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        return paths;
    }

    private static List<OperationSpec> CollectionOps(Context c)
    {
        var ops = new List<OperationSpec>();
        string kind = c.Resource.Kind;
        if (c.Resource.HasVerb("deletecollection"))
        {
            ops.Add(c.Op("delete", "deletecollection", $"delete{c.Prefix}Collection{c.Ns}{kind}", "delete collection of " + kind,
                [.. DeleteParams, .. ListParams.Where(p => p.Name is not ("pretty" or "watch" or "allowWatchBookmarks"))], DeleteOptions, Status));
        }

        if (c.Resource.HasVerb("list"))
        {
            ops.Add(c.Op("get", "list", $"list{c.Prefix}{c.Ns}{kind}", "list or watch objects of kind " + kind,
                ListParams.Where(p => p.Name != "pretty").ToArray(), null, c.ListSchema, streams: true));
        }

        if (c.Resource.HasVerb("create"))
        {
            ops.Add(c.Op("post", "post", $"create{c.Prefix}{c.Ns}{kind}", "create " + Article(kind), WriteParams, c.Schema, c.Schema,
                codes: ["200", "201", "202"]));
        }

        return ops;
    }

    private static List<OperationSpec> ItemOps(Context c)
    {
        var ops = new List<OperationSpec>();
        string kind = c.Resource.Kind;
        if (c.Resource.HasVerb("delete"))
        {
            ops.Add(c.Op("delete", "delete", $"delete{c.Prefix}{c.Ns}{kind}", "delete " + Article(kind), DeleteParams, DeleteOptions, Status,
                codes: ["200", "202"]));
        }

        if (c.Resource.HasVerb("get"))
        {
            ops.Add(c.Op("get", "get", $"read{c.Prefix}{c.Ns}{kind}", "read the specified " + kind, [], null, c.Schema));
        }

        if (c.Resource.HasVerb("patch"))
        {
            ops.Add(c.PatchOp($"patch{c.Prefix}{c.Ns}{kind}", "partially update the specified " + kind, c.Schema, c.Gvk));
        }

        if (c.Resource.HasVerb("update"))
        {
            ops.Add(c.Op("put", "put", $"replace{c.Prefix}{c.Ns}{kind}", "replace the specified " + kind, WriteParams, c.Schema, c.Schema,
                codes: ["200", "201"]));
        }

        return ops;
    }

    private static List<OperationSpec> SubresourceOps(Context c, SubresourceDefinition sub, Func<string, string, string, string> schemaOf)
    {
        var ops = new List<OperationSpec>();
        string suffix = $"{c.Ns}{c.Resource.Kind}{SchemaNames.Capitalize(sub.Name)}";
        var gvk = new GroupVersionKind(sub.Group, sub.Version, sub.Kind);
        string schema = schemaOf(sub.Group, sub.Version, sub.Kind);
        if (ConnectSubresources.Contains(sub.Name))
        {
            foreach (string verb in sub.Verbs)
            {
                string method = verb switch { "create" => "post", "update" => "put", _ => verb };
                ops.Add(c.Op(method, "connect", $"connect{c.Prefix}{SchemaNames.Capitalize(method)}{suffix}",
                    $"connect {method.ToUpperInvariant()} requests to {sub.Name} of {c.Resource.Kind}", [], null, null, gvk: gvk));
            }

            return ops;
        }

        foreach (string verb in sub.Verbs)
        {
            switch (verb)
            {
                case "get":
                    ops.Add(c.Op("get", "get", $"read{c.Prefix}{suffix}", $"read {sub.Name} of the specified {c.Resource.Kind}",
                        sub.Name == "log" ? LogParams : [], null, sub.Name == "log" ? null : schema, gvk: gvk));
                    break;
                case "patch":
                    ops.Add(c.PatchOp($"patch{c.Prefix}{suffix}", $"partially update {sub.Name} of the specified {c.Resource.Kind}", schema, gvk));
                    break;
                case "update":
                    ops.Add(c.Op("put", "put", $"replace{c.Prefix}{suffix}", $"replace {sub.Name} of the specified {c.Resource.Kind}",
                        WriteParams, schema, schema, codes: ["200", "201"], gvk: gvk));
                    break;
                case "create":
                    ops.Add(c.Op("post", "post", $"create{c.Prefix}{suffix}", $"create {sub.Name} of {Article(c.Resource.Kind)}",
                        WriteParams, schema, schema, codes: ["200", "201", "202"], gvk: gvk));
                    break;
            }
        }

        return ops;
    }

    private static string Article(string kind) => ("AEIOU".Contains(kind[0], StringComparison.Ordinal) ? "an " : "a ") + kind;

    private sealed class Context(ResourceDefinition resource, string prefix, string tag, string schema, string listSchema)
    {
        public ResourceDefinition Resource { get; } = resource;

        public string Prefix { get; } = prefix;

        public string Schema { get; } = schema;

        public string ListSchema { get; } = listSchema;

        public string Ns => Resource.Namespaced ? "Namespaced" : "";

        public GroupVersionKind Gvk => new(Resource.Group, Resource.Version, Resource.Kind);

        public IReadOnlyList<ParamSpec> ScopeParams(bool item)
        {
            var list = new List<ParamSpec>();
            if (item)
            {
                list.Add(new ParamSpec("name", "path", "string", "name of the " + Resource.Kind));
            }

            if (Resource.Namespaced)
            {
                list.Add(new ParamSpec("namespace", "path", "string", "object name and auth scope, such as for teams and projects"));
            }

            list.Add(Pretty);
            return list;
        }

        public OperationSpec Op(string method, string action, string id, string description, IReadOnlyList<ParamSpec> parameters,
            string? body, string? response, string[]? codes = null, bool streams = false, GroupVersionKind? gvk = null)
        {
            GroupVersionKind opGvk = gvk ?? Gvk;
            var responses = (codes ?? ["200"]).Select(code => new ResponseSpec(code, code switch
            {
                "201" => "Created",
                "202" => "Accepted",
                _ => "OK",
            }, response)).ToList();
            responses.Add(new ResponseSpec("401", "Unauthorized", null));
            return new OperationSpec(method, description, id, action, opGvk, parameters, body, ["*/*"], responses, streams, tag);
        }

        public OperationSpec PatchOp(string id, string description, string schema, GroupVersionKind gvk) =>
            new("patch", description, id, "patch", gvk, PatchParams, Patch, PatchContentTypes,
                [new("200", "OK", schema), new("201", "Created", schema), new("401", "Unauthorized", null)], false, tag);
    }
}
