using System.Net;
using System.Text.Json.Nodes;
using Korvet.ApiServer.Errors;
using Korvet.ApiServer.Registry;
using Korvet.ApiServer.Storage;

namespace Korvet.Server.Bootstrap;

/// <summary>
/// The <c>kubernetes</c> Service in <c>default</c> (the first service IP, port 443 "https" to the API server's port)
/// with its Endpoints and EndpointSlice pointing at the API server's address. Created when absent, otherwise updated
/// to this start's address and port, which leaves an unchanged object (and its resourceVersion) as it was.
/// </summary>
internal static class KubernetesService
{
    private const string Manager = "korvet-server";

    public static async Task EnsureAsync(Korvet.ApiServer.ApiServer api, string clusterIp, IPAddress endpointAddress, int port,
        CancellationToken cancellationToken)
    {
        string address = endpointAddress.ToString();
        var labels = new JsonObject { ["component"] = "apiserver", ["provider"] = "kubernetes" };
        await CreateOrUpdateAsync(api, "", "services", new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = "kubernetes", ["labels"] = labels.DeepClone() },
            ["spec"] = new JsonObject
            {
                ["type"] = "ClusterIP",
                ["clusterIP"] = clusterIp,
                ["sessionAffinity"] = "None",
                ["ports"] = new JsonArray(new JsonObject
                {
                    ["name"] = "https", ["port"] = 443, ["protocol"] = "TCP", ["targetPort"] = port,
                }),
            },
        }, cancellationToken);
        await CreateOrUpdateAsync(api, "", "endpoints", new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["name"] = "kubernetes",
                ["labels"] = new JsonObject { ["endpointslice.kubernetes.io/skip-mirror"] = "true" },
            },
            ["subsets"] = new JsonArray(new JsonObject
            {
                ["addresses"] = new JsonArray(new JsonObject { ["ip"] = address }),
                ["ports"] = new JsonArray(new JsonObject { ["name"] = "https", ["port"] = port, ["protocol"] = "TCP" }),
            }),
        }, cancellationToken);
        await CreateOrUpdateAsync(api, "discovery.k8s.io", "endpointslices", new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["name"] = "kubernetes",
                ["labels"] = new JsonObject { ["kubernetes.io/service-name"] = "kubernetes" },
            },
            ["addressType"] = "IPv4",
            ["endpoints"] = new JsonArray(new JsonObject
            {
                ["addresses"] = new JsonArray(address),
                ["conditions"] = new JsonObject { ["ready"] = true },
            }),
            ["ports"] = new JsonArray(new JsonObject { ["name"] = "https", ["port"] = port, ["protocol"] = "TCP" }),
        }, cancellationToken);
    }

    private static async Task CreateOrUpdateAsync(Korvet.ApiServer.ApiServer api, string group, string plural, JsonObject obj,
        CancellationToken cancellationToken)
    {
        ResourceDefinition resource = api.Registry.Find(group, "v1", plural)
            ?? throw new InvalidOperationException($"registry lacks {plural}");
        string name = (string)obj["metadata"]!["name"]!;
        try
        {
            await api.Store.CreateAsync(resource, "default", (JsonObject)obj.DeepClone(), new WriteOptions(false, Manager), cancellationToken);
        }
        catch (StatusException e) when (e.Code == 409)
        {
            // Exists from a previous start: brought to this start's address and port (an unchanged object is a no-op
            // write in the store, so a plain restart changes nothing).
            await api.Store.UpdateAsync(resource, "default", name, "", obj, new WriteOptions(false, Manager), cancellationToken);
        }
    }
}
