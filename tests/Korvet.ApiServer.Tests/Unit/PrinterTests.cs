using System.Text.Json;
using Korvet.ApiServer.Registry;
using Korvet.ApiServer.Tables;

namespace Korvet.ApiServer.Tests.Unit;

public sealed class PrinterTests
{
    private static readonly ResourceRegistry Registry = ResourceRegistry.CreateBuiltin();
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-01-01T01:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    private static object?[] Cells(string group, string plural, string json)
    {
        TablePrinter printer = new TableConverter(TimeProvider.System).PrinterFor(Registry.Find(group, group.Length == 0 ? "v1" : "v1", plural)!);
        using JsonDocument doc = JsonDocument.Parse(json);
        return printer.Cells(doc.RootElement.Clone(), Now);
    }

    [Fact]
    public void PodShowsReadyStatusRestartsAndWideColumns()
    {
        const string pod = """
            {"metadata":{"name":"web","creationTimestamp":"2026-01-01T00:55:00Z"},
             "spec":{"nodeName":"n1","containers":[{"name":"a"},{"name":"b"}]},
             "status":{"phase":"Running","podIP":"10.244.0.5","conditions":[{"type":"Ready","status":"False"}],
               "containerStatuses":[
                 {"name":"a","ready":true,"restartCount":2,"state":{"running":{}},"lastState":{"terminated":{"finishedAt":"2026-01-01T00:58:00Z"}}},
                 {"name":"b","ready":false,"restartCount":0,"state":{"waiting":{"reason":"CrashLoopBackOff"}}}]}}
            """;
        object?[] cells = Cells("", "pods", pod);
        Assert.Equal(["web", "1/2", "CrashLoopBackOff", "2 (2m ago)", "5m", "10.244.0.5", "n1", "<none>", "<none>"], cells);
    }

    [Fact]
    public void TerminatingPodAndInitContainers()
    {
        const string pod = """
            {"metadata":{"name":"p","creationTimestamp":"2026-01-01T00:00:00Z","deletionTimestamp":"2026-01-01T00:59:00Z"},
             "spec":{"containers":[{"name":"a"}]},"status":{"phase":"Running"}}
            """;
        Assert.Equal("Terminating", Cells("", "pods", pod)[2]);
        const string init = """
            {"metadata":{"name":"p","creationTimestamp":"2026-01-01T00:00:00Z"},
             "spec":{"initContainers":[{"name":"i1"},{"name":"i2"}],"containers":[{"name":"a"}]},
             "status":{"phase":"Pending","initContainerStatuses":[{"name":"i1","state":{"terminated":{"exitCode":0}}},{"name":"i2","state":{"running":{}}}]}}
            """;
        Assert.Equal("Init:1/2", Cells("", "pods", init)[2]);
    }

    [Fact]
    public void ServiceAndDeploymentColumns()
    {
        const string svc = """
            {"metadata":{"name":"s","creationTimestamp":"2026-01-01T00:00:00Z"},
             "spec":{"type":"NodePort","clusterIP":"10.96.0.10","selector":{"app":"web"},"ports":[{"port":80,"nodePort":30080,"protocol":"TCP"},{"port":53,"protocol":"UDP"}]}}
            """;
        Assert.Equal(["s", "NodePort", "10.96.0.10", "<none>", "80:30080/TCP,53/UDP", "60m", "app=web"], Cells("", "services", svc));

        const string deploy = """
            {"metadata":{"name":"d","creationTimestamp":"2026-01-01T00:59:30Z"},
             "spec":{"replicas":3,"selector":{"matchLabels":{"app":"web"}},"template":{"spec":{"containers":[{"name":"c","image":"nginx:1"}]}}},
             "status":{"readyReplicas":2,"updatedReplicas":3,"availableReplicas":2}}
            """;
        Assert.Equal(["d", "2/3", 3L, 2L, "30s", "c", "nginx:1", "app=web"], Cells("apps", "deployments", deploy));
    }

    [Fact]
    public void KindsWithoutPrinterGetNameAndCreatedAt()
    {
        TablePrinter printer = new TableConverter(TimeProvider.System).PrinterFor(Registry.Find("apiextensions.k8s.io", "v1", "customresourcedefinitions")!);
        Assert.Equal(["Name", "Created At"], printer.Columns.Select(c => c.Name));
        Assert.Equal("date", printer.Columns[1].Type);
    }

    [Fact]
    public void PodDisruptionBudgetShowsBothLimitsWithNaForTheUnsetOne()
    {
        const string min = """
            {"metadata":{"name":"web","creationTimestamp":"2026-01-01T00:58:00Z"},"spec":{"minAvailable":3},"status":{"disruptionsAllowed":1}}
            """;
        Assert.Equal(["web", "3", "N/A", 1L, "2m"], Cells("policy", "poddisruptionbudgets", min));
        const string max = """
            {"metadata":{"name":"db","creationTimestamp":"2026-01-01T00:00:00Z"},"spec":{"maxUnavailable":"25%"},"status":{}}
            """;
        Assert.Equal(["db", "N/A", "25%", 0L, "60m"], Cells("policy", "poddisruptionbudgets", max));
    }
}
