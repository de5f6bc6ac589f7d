using System.Globalization;
using System.Text.Json.Nodes;
using Korvet.Api.Selectors;
using Korvet.ApiServer.Errors;
using Korvet.ApiServer.Registry;

namespace Korvet.ApiServer.Storage;

/// <summary>
/// The <c>pods/eviction</c> subresource with upstream's EvictionREST rules (pkg/registry/core/pod/storage/eviction.go):
/// pods that cannot disrupt anything (terminal, Pending, already deleting) are deleted at once; otherwise the one
/// PodDisruptionBudget selecting the pod must allow a disruption, which is taken by a compare-and-swap status update
/// of the budget (disruptionsAllowed - 1, the pod recorded in disruptedPods) BEFORE the pod is deleted — the order
/// upstream uses, so a crash between the two leaves a budget entry the disruption controller expires, never a pod
/// deleted against its budget. Refusals are 429 TooManyRequests with a <c>DisruptionBudget</c> cause (clients such as
/// kubectl drain retry them). Answers the 201 Success Status.
/// </summary>
public sealed partial class GenericStore
{
    /// <summary>Upstream's MaxDisruptedPodSize: evictions approved but not yet observed by the disruption controller.</summary>
    public const int MaxDisruptedPodSize = 2000;

    /// <summary>Upstream's EvictionsRetry steps for conflicts on the pod or the budget.</summary>
    private const int EvictionRetries = 20;

    /// <summary>Evicts <paramref name="podName"/>; <paramref name="eviction"/> is the decoded policy/v1 (or v1beta1)
    /// Eviction body and <paramref name="queryDryRun"/> the request's dryRun query values.</summary>
    public async Task<byte[]> EvictAsync(ResourceDefinition pods, string ns, string podName, JsonObject eviction,
        IReadOnlyList<string> queryDryRun, CancellationToken cancellationToken)
    {
        if ((string?)eviction["kind"] is { Length: > 0 } kind && kind != "Eviction")
        {
            throw StatusErrors.BadRequest($"the kind in the data ({kind}) does not match the expected kind (Eviction)");
        }

        if ((string?)eviction["apiVersion"] is { Length: > 0 } version && version is not ("policy/v1" or "policy/v1beta1"))
        {
            throw StatusErrors.BadRequest($"{version}, Kind=Eviction is not supported for the eviction subresource");
        }

        if ((string?)eviction["metadata"]?["name"] != podName)
        {
            throw StatusErrors.BadRequest("name in URL does not match name in Eviction object");
        }

        DeleteRequest original = EvictionDeleteOptions(eviction["deleteOptions"] as JsonObject, queryDryRun);
        ResourceDefinition pdbs = _pdbs ?? throw StatusErrors.Internal("poddisruptionbudgets are not served");
        bool retryConflicts = original.PreconditionResourceVersion is null;

        JsonObject pod;
        StoredObject stored;
        for (int attempt = 0; ; attempt++)
        {
            stored = await GetAsync(pods, ns, podName, "", cancellationToken);
            pod = ParseStored(stored.Json);
            if (!CanIgnoreBudget(pod))
            {
                break;
            }

            DeleteRequest options = original;
            if (EnforceResourceVersion(pod) && original.PreconditionResourceVersion is null)
            {
                options = options with { PreconditionResourceVersion = stored.ResourceVersion.ToString(CultureInfo.InvariantCulture) };
            }

            try
            {
                await MarkAndDeleteAsync(pods, ns, podName, options, cancellationToken);
                return BindingSuccess();
            }
            catch (StatusException e) when (e.Code == 409 && retryConflicts && attempt < EvictionRetries)
            {
                // The pod changed since it was read (e.g. it became Running): judge it again.
            }
        }

        var labels = pod["metadata"]?["labels"] as JsonObject;
        ListPage page = await ListAsync(pdbs, ns, new ListRequest(ListFilter.Everything), cancellationToken);
        List<StoredObject> matching = [.. page.Items.Where(item => BudgetSelects(ParseStored(item.Json), labels))];
        if (matching.Count > 1)
        {
            throw new StatusException(500, "", "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.");
        }

        bool pinPodVersion = false;
        string budgetName = "";
        if (matching.Count == 1)
        {
            JsonObject budget = ParseStored(matching[0].Json);
            budgetName = matching[0].Name;
            if (!IsPodReady(pod) && UnhealthyPodMayGo(budget))
            {
                // An unready pod does not count as healthy: deleting it takes nothing from the budget, as long as the pod
                // is still unready when deleted (the resourceVersion precondition below).
                pinPodVersion = true;
            }
            else
            {
                await TakeDisruptionAsync(pdbs, ns, matching[0], podName, original.DryRun, cancellationToken);
            }
        }

        DeleteRequest deleteOptions = pinPodVersion
            ? original with { PreconditionResourceVersion = stored.ResourceVersion.ToString(CultureInfo.InvariantCulture) }
            : original;
        try
        {
            await MarkAndDeleteAsync(pods, ns, podName, deleteOptions, cancellationToken);
        }
        catch (StatusException e) when (e.Code == 409 && pinPodVersion && original.PreconditionResourceVersion is null)
        {
            throw BudgetBusy(budgetName);
        }

        return BindingSuccess();
    }

    /// <summary>
    /// addConditionAndDeletePod: unless dry-run, the latest pod (checked against the preconditions) gets the
    /// <c>DisruptionTarget</c> condition (EvictionByEvictionAPI) through the status subresource, then is deleted; a
    /// resourceVersion precondition moves to the version that write produced (the write was ours).
    /// </summary>
    private async Task MarkAndDeleteAsync(ResourceDefinition pods, string ns, string podName, DeleteRequest options,
        CancellationToken cancellationToken)
    {
        if (!options.DryRun)
        {
            for (int attempt = 0; ; attempt++)
            {
                StoredObject latest = await GetAsync(pods, ns, podName, "", cancellationToken);
                JsonObject pod = ParseStored(latest.Json);
                var meta = (JsonObject)pod["metadata"]!;
                CheckPreconditions(pods, podName, options, (string?)meta["uid"] ?? "", latest.ResourceVersion);
                SetDisruptionTarget(pod, _time.GetUtcNow());
                meta["resourceVersion"] = latest.ResourceVersion.ToString(CultureInfo.InvariantCulture);
                try
                {
                    WriteResult written = await UpdateAsync(pods, ns, podName, "status", pod, new WriteOptions(false, "kube-apiserver"),
                        cancellationToken);
                    if (options.PreconditionResourceVersion is not null)
                    {
                        string? rv = (string?)JsonNode.Parse(written.Body)?["metadata"]?["resourceVersion"];
                        options = options with { PreconditionResourceVersion = rv };
                    }

                    break;
                }
                catch (StatusException e) when (e.Code == 409 && attempt < MaxPatchRetries)
                {
                    // Another writer (the kubelet's status) won: re-read; the preconditions are checked again.
                }
            }
        }

        await DeleteAsync(pods, ns, podName, options, cancellationToken);
    }

    /// <summary>podutil.UpdatePodCondition with DisruptionTarget=True: the transition time moves only when the status does.</summary>
    private static void SetDisruptionTarget(JsonObject pod, DateTimeOffset now)
    {
        var status = pod["status"] as JsonObject ?? new JsonObject();
        pod["status"] = status;
        var conditions = status["conditions"] as JsonArray ?? new JsonArray();
        status["conditions"] = conditions;
        JsonObject? condition = conditions.OfType<JsonObject>().FirstOrDefault(c => (string?)c["type"] == "DisruptionTarget");
        if (condition is null)
        {
            condition = new JsonObject { ["type"] = "DisruptionTarget" };
            conditions.Add((JsonNode)condition);
        }

        if ((string?)condition["status"] != "True" || condition["lastTransitionTime"] is null)
        {
            condition["lastTransitionTime"] = Timestamps.Format(now);
        }

        condition["status"] = "True";
        condition["reason"] = "EvictionByEvictionAPI";
        condition["message"] = "Eviction API: evicting";
        condition["lastProbeTime"] = null;
    }

    /// <summary>checkAndDecrement under compare-and-swap, re-reading the budget after a conflict.</summary>
    private async Task TakeDisruptionAsync(ResourceDefinition pdbs, string ns, StoredObject first, string podName, bool dryRun,
        CancellationToken cancellationToken)
    {
        StoredObject current = first;
        for (int attempt = 0; ; attempt++)
        {
            JsonObject budget = ParseStored(current.Json);
            string name = current.Name;
            var meta = (JsonObject)budget["metadata"]!;
            var status = budget["status"] as JsonObject ?? new JsonObject();
            budget["status"] = status;
            long observed = (long?)status["observedGeneration"] ?? 0;
            long allowed = (long?)status["disruptionsAllowed"] ?? 0;
            if (observed < ((long?)meta["generation"] ?? 0))
            {
                throw BudgetBusy(name);
            }

            var disrupted = status["disruptedPods"] as JsonObject ?? new JsonObject();
            if (allowed < 0)
            {
                throw BudgetForbidden(name, "pdb disruptions allowed is negative");
            }

            if (disrupted.Count > MaxDisruptedPodSize)
            {
                throw BudgetForbidden(name, "DisruptedPods map too big - too many evictions not confirmed by PDB controller");
            }

            if (allowed == 0)
            {
                throw new StatusException(429, "TooManyRequests", "Cannot evict pod as it would violate the pod's disruption budget.",
                    new StatusDetails(null, null, null, [new StatusCause("DisruptionBudget",
                        $"The disruption budget {name} needs {(long?)status["desiredHealthy"] ?? 0} healthy pods and has {(long?)status["currentHealthy"] ?? 0} currently",
                        "")]));
            }

            status["disruptionsAllowed"] = allowed - 1;
            if (allowed - 1 == 0)
            {
                SetDisruptionAllowedCondition(status, observed, _time.GetUtcNow());
            }

            if (dryRun)
            {
                return;
            }

            disrupted[podName] = Timestamps.Format(_time.GetUtcNow());
            status["disruptedPods"] = disrupted;
            meta["resourceVersion"] = current.ResourceVersion.ToString(CultureInfo.InvariantCulture);
            try
            {
                await UpdateAsync(pdbs, ns, name, "status", budget, new WriteOptions(false, "kube-apiserver"), cancellationToken);
                return;
            }
            catch (StatusException e) when (e.Code == 409 && attempt < EvictionRetries)
            {
                current = await GetAsync(pdbs, ns, name, "", cancellationToken);
            }
            catch (StatusException e) when (e.Code == 409)
            {
                throw new StatusException(504, "Timeout", $"couldn't update PodDisruptionBudget \"{name}\" due to conflicts",
                    new StatusDetails(null, null, null, RetryAfterSeconds: 10));
            }
        }
    }

    /// <summary>Upstream's pdbhelper.UpdateDisruptionAllowedCondition after a decrement to zero (meta.SetStatusCondition:
    /// the transition time moves only when the status changes).</summary>
    internal static void SetDisruptionAllowedCondition(JsonObject status, long observedGeneration, DateTimeOffset now)
    {
        var conditions = status["conditions"] as JsonArray ?? new JsonArray();
        status["conditions"] = conditions;
        JsonObject? condition = conditions.OfType<JsonObject>().FirstOrDefault(c => (string?)c["type"] == "DisruptionAllowed");
        if (condition is null)
        {
            condition = new JsonObject { ["type"] = "DisruptionAllowed" };
            conditions.Add((JsonNode)condition);
        }

        if ((string?)condition["status"] != "False" || condition["lastTransitionTime"] is null)
        {
            condition["lastTransitionTime"] = Timestamps.Format(now);
        }

        condition["status"] = "False";
        condition["reason"] = "InsufficientPods";
        condition["message"] ??= "";
        condition["observedGeneration"] = observedGeneration;
    }

    /// <summary>The Eviction's deleteOptions merged with the query's dryRun (upstream's propagateDryRun).</summary>
    private static DeleteRequest EvictionDeleteOptions(JsonObject? options, IReadOnlyList<string> queryDryRun)
    {
        List<string> bodyDryRun = options?["dryRun"] is JsonArray list ? [.. list.Select(v => (string?)v ?? "")] : [];
        if (bodyDryRun.Count > 0 && queryDryRun.Count > 0 && !bodyDryRun.SequenceEqual(queryDryRun))
        {
            throw StatusErrors.BadRequest(
                $"Non-matching dry-run options in request and content: [{string.Join(" ", queryDryRun)}] and [{string.Join(" ", bodyDryRun)}]");
        }

        foreach (string value in bodyDryRun.Where(v => v != "All"))
        {
            throw StatusErrors.BadRequest($"Invalid dryRun: Unsupported value: \"{value}\": supported values: \"All\"");
        }

        long? grace = options?["gracePeriodSeconds"] is JsonValue g && g.TryGetValue(out long gv) ? gv : null;
        string? policy = options?["propagationPolicy"] is JsonValue p && p.TryGetValue(out string? pv) ? pv : null;
        if (policy is null && options?["orphanDependents"] is JsonValue o && o.TryGetValue(out bool orphan))
        {
            policy = orphan ? "Orphan" : "Background";
        }

        if (policy is not (null or "Orphan" or "Background" or "Foreground"))
        {
            throw StatusErrors.BadRequest($"propagationPolicy: Unsupported value: \"{policy}\": supported values: \"Foreground\", \"Background\", \"Orphan\"");
        }

        var pre = options?["preconditions"] as JsonObject;
        string? uid = (string?)pre?["uid"] is { Length: > 0 } u ? u : null;
        string? rv = (string?)pre?["resourceVersion"] is { Length: > 0 } r ? r : null;
        return new DeleteRequest(bodyDryRun.Count > 0 || queryDryRun.Count > 0, grace, policy, uid, rv);
    }

    /// <summary>Upstream's canIgnorePDB: terminal and Pending pods, and pods already being deleted.</summary>
    private static bool CanIgnoreBudget(JsonObject pod) =>
        (string?)pod["status"]?["phase"] is "Succeeded" or "Failed" or "Pending" || pod["metadata"]?["deletionTimestamp"] is not null;

    /// <summary>Upstream's shouldEnforceResourceVersion: a Pending pod may become ready and count toward a budget.</summary>
    private static bool EnforceResourceVersion(JsonObject pod) =>
        (string?)pod["status"]?["phase"] is not ("Succeeded" or "Failed") && pod["metadata"]?["deletionTimestamp"] is null;

    private static bool IsPodReady(JsonObject pod) =>
        (pod["status"]?["conditions"] as JsonArray)?.OfType<JsonObject>()
            .Any(c => (string?)c["type"] == "Ready" && (string?)c["status"] == "True") == true;

    /// <summary>unhealthyPodEvictionPolicy: AlwaysAllow lets unready pods go; IfHealthyBudget (the default) only while
    /// the budget is met.</summary>
    private static bool UnhealthyPodMayGo(JsonObject budget)
    {
        if ((string?)budget["spec"]?["unhealthyPodEvictionPolicy"] == "AlwaysAllow")
        {
            return true;
        }

        long current = (long?)budget["status"]?["currentHealthy"] ?? 0;
        long desired = (long?)budget["status"]?["desiredHealthy"] ?? 0;
        return current >= desired && desired > 0;
    }

    /// <summary>A budget selects a pod when its selector is valid, not empty, and matches the labels.</summary>
    private static bool BudgetSelects(JsonObject budget, JsonObject? labels)
    {
        if (budget["spec"]?["selector"] is not JsonObject selectorJson)
        {
            return false;
        }

        try
        {
            LabelSelector selector = LabelSelector.FromJson(selectorJson);
            return !selector.IsEverything && !selector.IsNothing && selector.Matches(labels);
        }
        catch (SelectorException)
        {
            return false;
        }
    }

    private static StatusException BudgetBusy(string name) =>
        new(429, "TooManyRequests", "Cannot evict pod as it would violate the pod's disruption budget.",
            new StatusDetails(null, null, null,
                [new StatusCause("DisruptionBudget", $"The disruption budget {name} is still being processed by the server.", "")],
                RetryAfterSeconds: 10));

    private static StatusException BudgetForbidden(string name, string why) =>
        new(403, "Forbidden", $"poddisruptionbudget.policy \"{name}\" is forbidden: {why}",
            new StatusDetails(name, "policy", "poddisruptionbudget"));
}
