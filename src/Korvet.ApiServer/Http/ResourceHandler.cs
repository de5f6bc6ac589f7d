using System.Globalization;
using System.Text.Json.Nodes;
using Korvet.ApiServer.Codecs;
using Korvet.ApiServer.Errors;
using Korvet.ApiServer.Patching;
using Korvet.ApiServer.Registry;
using Korvet.ApiServer.Routing;
using Korvet.ApiServer.Security;
using Korvet.ApiServer.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Korvet.ApiServer.Http;

/// <summary>
/// Non-watch resource verbs: get, list, create, update, patch, delete, deletecollection, for the resource itself and
/// its status subresource. Other subresources (log, exec, ...) are served by later components and answer 404
/// here. The scale subresource (autoscaling/v1 Scale) is served for every resource that lists it. Stateless; thread-safe.
/// </summary>
public sealed class ResourceHandler
{
    private static readonly string[] PatchTypes =
    [
        "application/json-patch+json", "application/merge-patch+json", "application/strategic-merge-patch+json",
        "application/apply-patch+yaml",
    ];

    private readonly GenericStore _store;
    private readonly ISelectorParser _selectors;
    private readonly IBodyDecoder _decoder;
    private readonly ResponseWriter _writer;
    private readonly long _maxBody;
    private readonly AuthenticationHandler _authentication;
    private readonly StoredVersions _versions;

    public ResourceHandler(GenericStore store, ISelectorParser selectors, IBodyDecoder decoder, ResponseWriter writer, long maxBody,
        AuthenticationHandler authentication, StoredVersions versions)
    {
        _versions = versions;
        _authentication = authentication;
        _store = store;
        _selectors = selectors;
        _decoder = decoder;
        _writer = writer;
        _maxBody = maxBody;
    }

    public async Task HandleAsync(HttpContext context, RequestInfo info, ResourceDefinition resource, UserInfo user)
    {
        string ns = ScopeNamespace(info, resource);
        if (AuthenticationHandler.Handles(resource, info.Subresource))
        {
            if (info.Verb != "create" || info.Rest.Count > 0)
            {
                throw StatusErrors.MethodNotAllowed();
            }

            DecodedBody review = await DecodeAsync(context, resource);
            byte[] answer = await _authentication.CreateAsync(resource, ns, info.Name, review.Object, user, context.RequestAborted);
            await _writer.WriteEncodedAsync(context, 201, SubresourceEncoding(context), answer, ResponseFormat.Json);
            return;
        }

        if (IsBinding(resource, info))
        {
            await HandleBindingAsync(context, info, resource, ns);
            return;
        }

        if (resource.Group.Length == 0 && resource.Plural == "pods" && info.Subresource == "eviction")
        {
            await HandleEvictionAsync(context, info, resource, ns);
            return;
        }

        IReadOnlyList<string> verbs = resource.Verbs;
        if (info.Subresource.Length > 0)
        {
            SubresourceDefinition sub = resource.FindSubresource(info.Subresource) ?? throw StatusErrors.NoSuchResource();
            if (sub.Name is not ("status" or "scale" or "finalize") || info.Rest.Count > 0)
            {
                throw StatusErrors.NoSuchResource();
            }

            verbs = sub.Verbs;
        }

        if (info.Subresource == "scale" && verbs.Contains(info.Verb) && ns.Length > 0)
        {
            await HandleScaleAsync(context, info, resource, ns);
            return;
        }

        if (!verbs.Contains(info.Verb) || (resource.Namespaced && ns.Length == 0 && info.Verb is not ("list" or "deletecollection")))
        {
            throw StatusErrors.MethodNotAllowed();
        }

        Negotiated shape = ResponseFormat.Negotiate(context.Request.Headers.Accept, _writer.Encoder.CanEncodeProtobuf(resource))
            ?? throw StatusErrors.NotAcceptable(ResponseFormat.Supported);
        IQueryCollection query = context.Request.Query;
        CancellationToken ct = context.RequestAborted;
        // A resource stored as another group-version's objects: the store sees the stored resource; objects are
        // converted on the way out when sent as themselves (Tables and metadata are built from the stored form).
        Conversion? conversion = _versions.For(resource);
        ResourceDefinition stored = conversion?.Storage ?? resource;
        bool convertOut = conversion is not null && shape.Shape == ResponseShape.Object;
        ResourceDefinition answered = conversion is not null && !convertOut ? stored : resource;
        switch (info.Verb)
        {
            case "get":
                StoredObject obj = await _store.GetAsync(stored, ns, info.Name, query["resourceVersion"].ToString(), ct);
                await _writer.WriteObjectAsync(context, 200, answered, convertOut ? conversion!.ToServed(obj) : obj, shape,
                    conversion is null ? null : conversion.ToServed);
                break;
            case "list":
                await ListAsync(context, resource, conversion, ns, shape, query, ct);
                break;
            case "create":
            {
                DecodedBody body = await DecodeAsync(context, resource);
                WriteResult result = await _store.CreateAsync(stored, ns, conversion?.ToStorage(body.Object) ?? body.Object,
                    WriteOptionsFrom(context) with { ManagedAs = conversion }, ct);
                await _writer.WriteWriteResultAsync(context, answered, convertOut ? conversion!.ToServed(result) : result, shape);
                break;
            }

            case "update":
            {
                DecodedBody body = await DecodeAsync(context, resource);
                WriteResult result = await _store.UpdateAsync(stored, ns, info.Name, info.Subresource,
                    conversion?.ToStorage(body.Object) ?? body.Object, WriteOptionsFrom(context) with { ManagedAs = conversion }, ct);
                await _writer.WriteWriteResultAsync(context, answered, convertOut ? conversion!.ToServed(result) : result, shape);
                break;
            }

            case "patch":
            {
                string patchType = ResponseFormat.MediaType(context.Request.ContentType);
                if (!PatchTypes.Contains(patchType))
                {
                    throw StatusErrors.UnsupportedMediaType(PatchTypes);
                }

                byte[] patch = await RequestBody.ReadAsync(context.Request, _maxBody, ct);
                DecodedPatch checkedPatch = _decoder.CheckPatch(patchType, patch, resource, query["fieldValidation"].ToString());
                // A renaming conversion converts the patch itself; a structural one has the store patch the served
                // form of the live object (servedPatch). Server-side apply always merges in the served form, so its
                // managedFields are the served version's (as upstream's field manager keeps them).
                bool apply = patchType == ServerSideApply.ApplyPatchType;
                byte[]? renamed = apply ? null : conversion?.PatchToStorage(patchType, checkedPatch.Patch);
                Conversion? servedPatch = conversion is not null && renamed is null ? conversion : null;
                patch = renamed ?? checkedPatch.Patch;
                AddWarnings(context, checkedPatch.Warnings);
                WriteResult result = apply
                    ? await ApplyAsync(context, stored, ns, info, patch, servedPatch, ct)
                    : await _store.PatchAsync(stored, ns, info.Name, info.Subresource, patchType, patch,
                        WriteOptionsFrom(context) with { ManagedAs = conversion }, ct, servedPatch);
                await _writer.WriteWriteResultAsync(context, answered, convertOut ? conversion!.ToServed(result) : result, shape);
                break;
            }

            case "delete":
            {
                DeleteRequest options = await DeleteOptionsAsync(context);
                WriteResult result = await _store.DeleteAsync(stored, ns, info.Name, options, ct);
                await _writer.WriteWriteResultAsync(context, answered, convertOut ? conversion!.ToServed(result) : result, shape);
                break;
            }

            case "deletecollection":
            {
                DeleteRequest options = await DeleteOptionsAsync(context);
                ListFilter filter = _selectors.Parse(stored, query["labelSelector"].ToString(), query["fieldSelector"].ToString());
                (IReadOnlyList<byte[]> items, long rv) = await _store.DeleteCollectionAsync(stored, ns, filter, options, ct);
                await _writer.WriteRawListAsync(context, resource, conversion is null ? items : items.Select(conversion.ToServed).ToList(),
                    rv, shape.Encoding);
                break;
            }

            default:
                throw StatusErrors.MethodNotAllowed();
        }
    }

    private async Task HandleScaleAsync(HttpContext context, RequestInfo info, ResourceDefinition resource, string ns)
    {
        CancellationToken ct = context.RequestAborted;
        byte[] scale;
        switch (info.Verb)
        {
            case "get":
                scale = await _store.GetScaleAsync(resource, ns, info.Name, ct);
                break;
            case "update":
                // The body is an autoscaling/v1 Scale: field validation checks it against that kind.
                SubresourceDefinition sub = resource.FindSubresource("scale")!;
                DecodedBody body = await DecodeAsync(context, resource with { Group = sub.Group, Version = sub.Version, Kind = sub.Kind });
                scale = await _store.UpdateScaleAsync(resource, ns, info.Name, body.Object, WriteOptionsFrom(context), ct);
                break;
            default:
                string patchType = ResponseFormat.MediaType(context.Request.ContentType);
                if (!PatchTypes.Contains(patchType))
                {
                    throw StatusErrors.UnsupportedMediaType(PatchTypes);
                }

                byte[] patch = await RequestBody.ReadAsync(context.Request, _maxBody, ct);
                scale = await _store.PatchScaleAsync(resource, ns, info.Name, patchType, patch, WriteOptionsFrom(context), ct);
                break;
        }

        await _writer.WriteEncodedAsync(context, 200, SubresourceEncoding(context), scale, ResponseFormat.Json);
    }

    /// <summary><c>pods/binding</c>, or a create on the legacy namespaced <c>bindings</c> resource (never stored itself).</summary>
    private static bool IsBinding(ResourceDefinition resource, RequestInfo info) =>
        resource.Group.Length == 0 && (resource.Plural == "bindings" || (resource.Plural == "pods" && info.Subresource == "binding"));

    private async Task HandleBindingAsync(HttpContext context, RequestInfo info, ResourceDefinition resource, string ns)
    {
        bool legacy = resource.Plural == "bindings";
        if (info.Verb != "create" || info.Rest.Count > 0 || (legacy && info.Name.Length > 0) || ns.Length == 0)
        {
            throw StatusErrors.MethodNotAllowed();
        }

        SubresourceDefinition? sub = legacy ? null : resource.FindSubresource("binding");
        ResourceDefinition bodyKind = sub is null ? resource : resource with { Kind = sub.Kind };
        DecodedBody body = await DecodeAsync(context, bodyKind);
        ResourceDefinition pods = legacy ? _store.Pods : resource;
        string podName = legacy ? (string?)body.Object["metadata"]?["name"] ?? "" : info.Name;
        byte[] status = await _store.BindAsync(pods, ns, podName, body.Object, WriteOptionsFrom(context).DryRun, context.RequestAborted);
        await ApiRequestHandler.WriteBytesAsync(context, 201, ResponseFormat.Json, status);
    }

    /// <summary><c>pods/eviction</c>: a policy/v1 (or v1beta1) Eviction body in any encoding; see GenericStore.EvictAsync.</summary>
    private async Task HandleEvictionAsync(HttpContext context, RequestInfo info, ResourceDefinition resource, string ns)
    {
        if (info.Verb != "create" || info.Rest.Count > 0 || ns.Length == 0 || info.Name.Length == 0)
        {
            throw StatusErrors.MethodNotAllowed();
        }

        SubresourceDefinition sub = resource.FindSubresource("eviction") ?? throw StatusErrors.NoSuchResource();
        StringValues queryDryRun = context.Request.Query["dryRun"];
        _ = DryRun(queryDryRun);
        DecodedBody body = await DecodeAsync(context, resource with { Group = sub.Group, Version = sub.Version, Kind = sub.Kind });
        byte[] status = await _store.EvictAsync(resource, ns, info.Name, body.Object, [.. queryDryRun.Select(v => v ?? "")],
            context.RequestAborted);
        await ApiRequestHandler.WriteBytesAsync(context, 201, ResponseFormat.Json, status);
    }

    /// <summary>The encoding of a subresource answer (Scale, TokenRequest, reviews): built-in kinds, never a Table
    /// (clauses asking for a transformation are passed over; JSON when nothing else fits).</summary>
    private static ResponseEncoding SubresourceEncoding(HttpContext context) =>
        ResponseFormat.NegotiateStatus(context.Request.Headers.Accept);

    private Task<WriteResult> ApplyAsync(HttpContext context, ResourceDefinition resource, string ns, RequestInfo info, byte[] patch,
        Conversion? served, CancellationToken ct)
    {
        IQueryCollection query = context.Request.Query;
        if (query["fieldManager"].ToString().Length == 0)
        {
            throw new StatusException(422, "Invalid",
                "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch",
                new StatusDetails(null, "meta.k8s.io", "PatchOptions", [new StatusCause("FieldValueRequired", "Required value: is required for apply patch", "fieldManager")]));
        }

        string force = query["force"].ToString();
        return _store.ApplyAsync(resource, ns, info.Name, info.Subresource, patch, WriteOptionsFrom(context), force == "true", ct, served);
    }

    /// <summary>The namespace the store sees: "" for cluster-scoped resources (a namespace's own name is its name).</summary>
    internal static string ScopeNamespace(RequestInfo info, ResourceDefinition resource)
    {
        if (resource.Namespaced)
        {
            return info.Namespace;
        }

        bool isNamespaceObject = resource.Group.Length == 0 && resource.Plural == "namespaces";
        if (!isNamespaceObject && info.Namespace.Length > 0)
        {
            throw StatusErrors.NoSuchResource();
        }

        return "";
    }

    private async Task ListAsync(HttpContext context, ResourceDefinition served, Conversion? conversion, string ns, Negotiated shape,
        IQueryCollection query, CancellationToken ct)
    {
        ResourceDefinition resource = conversion?.Storage ?? served;
        ListFilter filter = _selectors.Parse(resource, query["labelSelector"].ToString(), query["fieldSelector"].ToString());
        long limit = 0;
        if (query["limit"].ToString() is { Length: > 0 } limitText && !long.TryParse(limitText, NumberStyles.Integer, CultureInfo.InvariantCulture, out limit))
        {
            throw StatusErrors.BadRequest($"invalid limit \"{limitText}\"");
        }

        string match = query["resourceVersionMatch"].ToString();
        string rv = query["resourceVersion"].ToString();
        if (match is not ("" or "Exact" or "NotOlderThan"))
        {
            throw StatusErrors.BadRequest($"resourceVersionMatch: Unsupported value: \"{match}\": supported values: \"Exact\", \"NotOlderThan\"");
        }

        if (match.Length > 0 && rv.Length == 0)
        {
            throw StatusErrors.BadRequest("resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided");
        }

        var request = new ListRequest(filter, rv, match, Math.Max(0, limit), query["continue"].ToString());
        ListPage page = await _store.ListAsync(resource, ns, request, ct);
        if (conversion is not null && shape.Shape == ResponseShape.Object)
        {
            (resource, page) = (served, conversion.ToServed(page));
        }

        await _writer.WriteListAsync(context, resource, page, shape, conversion is null ? null : conversion.ToServed);
    }

    private async Task<DecodedBody> DecodeAsync(HttpContext context, ResourceDefinition resource)
    {
        byte[] body = await RequestBody.ReadAsync(context.Request, _maxBody, context.RequestAborted);
        string mediaType = ResponseFormat.MediaType(context.Request.ContentType);
        if (mediaType.Length == 0)
        {
            mediaType = "application/json";
        }

        DecodedBody decoded = _decoder.Decode(mediaType, body, resource, context.Request.Query["fieldValidation"].ToString());
        AddWarnings(context, decoded.Warnings);
        return decoded;
    }

    private static void AddWarnings(HttpContext context, IReadOnlyList<string> warnings)
    {
        foreach (string warning in warnings)
        {
            context.Response.Headers.Append("Warning", $"299 - \"{warning.Replace("\"", "\\\"", StringComparison.Ordinal)}\"");
        }
    }

    private static WriteOptions WriteOptionsFrom(HttpContext context)
    {
        IQueryCollection query = context.Request.Query;
        return new WriteOptions(DryRun(query["dryRun"]),
            ManagedFields.ManagerName(query["fieldManager"].ToString(), context.Request.Headers.UserAgent.ToString()));
    }

    private static bool DryRun(StringValues values)
    {
        foreach (string? v in values)
        {
            if (v != "All")
            {
                throw StatusErrors.BadRequest($"Invalid dryRun: Unsupported value: \"{v}\": supported values: \"All\"");
            }
        }

        return values.Count > 0;
    }

    private async Task<DeleteRequest> DeleteOptionsAsync(HttpContext context)
    {
        IQueryCollection query = context.Request.Query;
        bool dryRun = DryRun(query["dryRun"]);
        long? grace = long.TryParse(query["gracePeriodSeconds"].ToString(), out long g) ? g : null;
        string? policy = query["propagationPolicy"].ToString() is { Length: > 0 } p ? p : null;
        if (query["orphanDependents"].ToString() is ("true" or "false") and var orphanQuery)
        {
            // orphanDependents=false is an explicit "do not orphan": Background, overriding a kind's orphan default.
            policy ??= orphanQuery == "true" ? "Orphan" : "Background";
        }

        string? uid = null;
        string? rv = null;
        byte[] body = await RequestBody.ReadAsync(context.Request, _maxBody, context.RequestAborted);
        if (body.Length > 0)
        {
            JsonObject options = _decoder.DecodeOptions(ResponseFormat.MediaType(context.Request.ContentType), body, "DeleteOptions");
            if (options["gracePeriodSeconds"] is JsonValue gp && gp.TryGetValue(out long gpv))
            {
                grace = gpv;
            }

            if (options["propagationPolicy"] is JsonValue pp && pp.TryGetValue(out string? ppv))
            {
                policy = ppv;
            }

            if (options["orphanDependents"] is JsonValue od && od.TryGetValue(out bool orphan))
            {
                policy ??= orphan ? "Orphan" : "Background";
            }

            if (options["dryRun"] is JsonArray { Count: > 0 })
            {
                dryRun = true;
            }

            if (options["preconditions"] is JsonObject pre)
            {
                uid = pre["uid"] is JsonValue u && u.TryGetValue(out string? uv) && uv.Length > 0 ? uv : null;
                rv = pre["resourceVersion"] is JsonValue r && r.TryGetValue(out string? rvv) && rvv.Length > 0 ? rvv : null;
            }
        }

        if (policy is not (null or "Orphan" or "Background" or "Foreground"))
        {
            throw StatusErrors.BadRequest($"propagationPolicy: Unsupported value: \"{policy}\": supported values: \"Foreground\", \"Background\", \"Orphan\"");
        }

        return new DeleteRequest(dryRun, grace, policy, uid, rv);
    }
}
