using static Korvet.ApiServer.Tests.Kubectl.KubectlAssert;

namespace Korvet.ApiServer.Tests.Kubectl;

/// <summary>edit (with a scripted KUBE_EDITOR), apply -R over nested directories, delete --all / -l / --wait, diff and
/// explain, each against a real server with the real kubectl 1.32.</summary>
public sealed class KubectlWorkflowTests : IClassFixture<ApiOnlyCluster>
{
    private readonly TestCluster _server;

    public KubectlWorkflowTests(ApiOnlyCluster server) => _server = server;

    private async Task<(int Exit, string Out, string Err)> EditAsync(string script, params string[] args)
    {
        string editor = Path.Combine(_server.DataDir, $"editor-{Guid.NewGuid():N}.sh");
        await File.WriteAllTextAsync(editor, "#!/bin/sh\nset -e\n" + script + "\n");
        File.SetUnixFileMode(editor, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var start = Korvet.TestSupport.Kubectl.StartInfo(_server.Kubeconfig, _server.CacheDir, ["edit", .. args]);
        start.Environment["KUBE_EDITOR"] = editor;
        start.Environment["EDITOR"] = editor;
        start.Environment["TMPDIR"] = _server.DataDir;
        return await ProcessRunner.RunAsync(start);
    }

    [KubectlFact]
    public async Task EditChangesObjectsAndCancelsWhenNothingChanged()
    {
        Succeeded(await _server.RunAsync("create", "namespace", "edit"));
        Succeeded(await _server.RunAsync("create", "configmap", "settings", "-n", "edit", "--from-literal=color=blue"));
        Succeeded(await _server.RunAsync("create", "deployment", "web", "-n", "edit", "--image=nginx:1.25", "--replicas=1"));

        var edited = await EditAsync("sed -i 's/color: blue/color: green/' \"$1\"", "cm/settings", "-n", "edit");
        Succeeded(edited);
        Assert.Contains("configmap/settings edited", edited.Out, StringComparison.Ordinal);
        var color = await _server.RunAsync("get", "cm", "settings", "-n", "edit", "-o", "jsonpath={.data.color}");
        Assert.Equal("green", color.Out);

        var deployment = await EditAsync("sed -i -e 's/replicas: 1$/replicas: 3/' -e 's/image: nginx:1.25/image: nginx:1.27/' \"$1\"",
            "deployment/web", "-n", "edit");
        Succeeded(deployment);
        Assert.Contains("deployment.apps/web edited", deployment.Out, StringComparison.Ordinal);
        var spec = await _server.RunAsync("get", "deploy", "web", "-n", "edit", "-o",
            "jsonpath={.spec.replicas} {.spec.template.spec.containers[0].image} {.metadata.generation}");
        Assert.Equal("3 nginx:1.27 2", spec.Out);

        var unchanged = await EditAsync("true", "cm/settings", "-n", "edit");
        Succeeded(unchanged);
        Assert.Contains("Edit cancelled, no changes made.", unchanged.Out + unchanged.Err, StringComparison.Ordinal);

        // An invalid edit is refused by the server: kubectl reopens the file with the server's causes in its header;
        // the script changes nothing the second time, so kubectl gives up and keeps a copy.
        string log = Path.Combine(_server.DataDir, "edit.log");
        var invalid = await EditAsync($"cat \"$1\" >> {log}\nsed -i 's/replicas: 3$/replicas: -1/' \"$1\"", "deployment/web", "-n", "edit");
        Assert.NotEqual(0, invalid.Exit);
        Assert.Contains("error: deployments.apps \"web\" is invalid", invalid.Err, StringComparison.Ordinal);
        Assert.Contains("Edit cancelled, no valid changes were saved.", invalid.Err, StringComparison.Ordinal);
        Assert.Contains("# * spec.replicas: Invalid value: -1: must be greater than or equal to 0", await File.ReadAllTextAsync(log), StringComparison.Ordinal);
    }

    [KubectlFact]
    public async Task ApplyRecursiveWalksNestedDirectories()
    {
        string root = Path.Combine(_server.DataDir, "manifests");
        Directory.CreateDirectory(Path.Combine(root, "apps", "backend"));
        await File.WriteAllTextAsync(Path.Combine(root, "a-namespace.yaml"), "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: rec\n");
        await File.WriteAllTextAsync(Path.Combine(root, "apps", "front.yaml"), """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: front, namespace: rec}
            data: {a: "1"}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: front, namespace: rec}
            spec:
              selector: {app: front}
              ports: [{port: 80, targetPort: 8080}]
            """);
        await File.WriteAllTextAsync(Path.Combine(root, "apps", "backend", "back.json"),
            """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"back","namespace":"rec"},"data":{"b":"2"}}""");

        var applied = await _server.RunAsync("apply", "-R", "-f", root);
        Succeeded(applied);
        Assert.Contains("namespace/rec created", applied.Out, StringComparison.Ordinal);
        Assert.Contains("configmap/back created", applied.Out, StringComparison.Ordinal);
        Assert.Contains("service/front created", applied.Out, StringComparison.Ordinal);

        var names = await _server.RunAsync("get", "cm,svc", "-n", "rec", "-o", "name");
        string[] listed = names.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["configmap/back", "configmap/front", "service/front"], listed.Where(n => !n.Contains("kube-root-ca", StringComparison.Ordinal)).Order());

        var again = await _server.RunAsync("apply", "-R", "-f", root);
        Succeeded(again);
        Assert.Contains("configmap/front unchanged", again.Out, StringComparison.Ordinal);

        // Without -R only the top directory is read.
        var flat = await _server.RunAsync("apply", "-f", root);
        Succeeded(flat);
        Assert.DoesNotContain("configmap/back", flat.Out, StringComparison.Ordinal);

        var deleted = await _server.RunAsync("delete", "-R", "-f", Path.Combine(root, "apps"));
        Succeeded(deleted);
        Assert.Contains("configmap \"back\" deleted", deleted.Out, StringComparison.Ordinal);
        Assert.Contains("service \"front\" deleted", deleted.Out, StringComparison.Ordinal);
    }

    [KubectlFact]
    public async Task DeleteAllByLabelAndWait()
    {
        Succeeded(await _server.RunAsync("create", "namespace", "del"));
        foreach (string name in new[] { "a", "b", "c", "d" })
        {
            Succeeded(await _server.RunAsync("create", "configmap", name, "-n", "del"));
        }

        Succeeded(await _server.RunAsync("label", "cm", "a", "b", "-n", "del", "group=one"));
        var byLabel = await _server.RunAsync("delete", "cm", "-n", "del", "-l", "group=one");
        Succeeded(byLabel);
        Assert.Equal(["configmap \"a\" deleted", "configmap \"b\" deleted"], byLabel.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        var waited = await _server.RunAsync("delete", "cm", "c", "-n", "del", "--wait=true", "--timeout=20s");
        Succeeded(waited);
        Assert.Equal("configmap \"c\" deleted", waited.Out.Trim());

        Succeeded(await _server.RunAsync("create", "configmap", "e", "-n", "del"));
        var all = await _server.RunAsync("delete", "cm", "--all", "-n", "del");
        Succeeded(all);
        Assert.Contains("configmap \"d\" deleted", all.Out, StringComparison.Ordinal);
        Assert.Contains("configmap \"e\" deleted", all.Out, StringComparison.Ordinal);
        var left = await _server.RunAsync("get", "cm", "-n", "del", "-o", "name", "--ignore-not-found");
        Assert.DoesNotContain("configmap/d", left.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("configmap/e", left.Out, StringComparison.Ordinal);

        Failed(await _server.RunAsync("delete", "cm", "nope", "-n", "del"), "configmaps \"nope\" not found");
        Succeeded(await _server.RunAsync("delete", "cm", "nope", "-n", "del", "--ignore-not-found"));
    }

    [KubectlFact]
    public async Task DiffShowsServerSideChanges()
    {
        Succeeded(await _server.RunAsync("create", "namespace", "diff"));
        string file = Path.Combine(_server.DataDir, "diff.yaml");
        await File.WriteAllTextAsync(file, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: d, namespace: diff}\ndata: {k: one}\n");

        var creating = await _server.RunAsync("diff", "-f", file);
        Assert.True(creating.Exit == 1, creating.Out + "\n---\n" + creating.Err);
        Assert.Contains("+  k: one", creating.Out, StringComparison.Ordinal);
        Failed(await _server.RunAsync("get", "cm", "d", "-n", "diff"), "not found");

        Succeeded(await _server.RunAsync("apply", "-f", file));
        var same = await _server.RunAsync("diff", "-f", file);
        Assert.True(same.Exit == 0, same.Err + same.Out);
        Assert.Equal("", same.Out);

        await File.WriteAllTextAsync(file, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: d, namespace: diff}\ndata: {k: two}\n");
        var changed = await _server.RunAsync("diff", "-f", file);
        Assert.True(changed.Exit == 1, changed.Out + "\n---\n" + changed.Err);
        Assert.Contains("-  k: one", changed.Out, StringComparison.Ordinal);
        Assert.Contains("+  k: two", changed.Out, StringComparison.Ordinal);
        var stored = await _server.RunAsync("get", "cm", "d", "-n", "diff", "-o", "jsonpath={.data.k}");
        Assert.Equal("one", stored.Out);

        var serverSide = await _server.RunAsync("diff", "--server-side", "-f", file);
        Assert.True(serverSide.Exit == 1, serverSide.Out + "\n---\n" + serverSide.Err);
        Assert.Contains("+  k: two", serverSide.Out, StringComparison.Ordinal);
        Assert.Equal("one", (await _server.RunAsync("get", "cm", "d", "-n", "diff", "-o", "jsonpath={.data.k}")).Out);

        // Server-side apply by "kubectl" takes over the fields of the earlier client-side apply without a conflict
        // (upstream's last-applied upgrade); another manager still conflicts.
        Failed(await _server.RunAsync("apply", "--server-side", "--field-manager=other", "-f", file), "conflict with \"kubectl-client-side-apply\"");
        Succeeded(await _server.RunAsync("apply", "--server-side", "-f", file));
        Assert.Equal("two", (await _server.RunAsync("get", "cm", "d", "-n", "diff", "-o", "jsonpath={.data.k}")).Out);
    }

    [KubectlFact]
    public async Task ExplainReadsTheOpenApiSchema()
    {
        var explained = await _server.RunAsync("explain", "deployment.spec.strategy");
        Succeeded(explained);
        Assert.Contains("GROUP:      apps", explained.Out, StringComparison.Ordinal);
        Assert.Contains("FIELD: strategy <DeploymentStrategy>", explained.Out, StringComparison.Ordinal);
        Assert.Contains("rollingUpdate\t<RollingUpdateDeployment>", explained.Out, StringComparison.Ordinal);
        Assert.Contains("type\t<string>", explained.Out, StringComparison.Ordinal);

        var recursive = await _server.RunAsync("explain", "pods.spec.containers.ports", "--recursive");
        Succeeded(recursive);
        Assert.Contains("containerPort\t<integer> -required-", recursive.Out, StringComparison.Ordinal);

        Failed(await _server.RunAsync("explain", "deployment.spec.nope"), "field \"nope\" does not exist");
    }

    [KubectlFact]
    public async Task GetAllListsTheAllCategory()
    {
        Succeeded(await _server.RunAsync("create", "namespace", "cat"));
        Succeeded(await _server.RunAsync("create", "deployment", "web", "-n", "cat", "--image=nginx"));
        Succeeded(await _server.RunAsync("create", "service", "clusterip", "web", "-n", "cat", "--tcp=80:80"));
        Succeeded(await _server.RunAsync("create", "configmap", "not-in-all", "-n", "cat"));
        var all = await _server.RunAsync("get", "all", "-n", "cat", "-o", "name");
        Succeeded(all);
        string[] names = all.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("service/web", names);
        Assert.Contains("deployment.apps/web", names);
        Assert.DoesNotContain(names, n => n.StartsWith("configmap/", StringComparison.Ordinal));
    }
}
