using System.Text.RegularExpressions;

namespace Korvet.ApiServer.Tests.Kubectl;

/// <summary>
/// `kubectl get` columns of the kinds whose printers follow upstream's pkg/printers/internalversion: each manifest is
/// applied with the real kubectl 1.32 and its header and row are compared (whitespace-normalized, AGE masked).
/// </summary>
public sealed partial class KubectlTablePrinterTests(ApiOnlyCluster server) : IClassFixture<ApiOnlyCluster>
{
    public static TheoryData<string, string, string, string> Cases => new()
    {
        {
            "ingress", """
            apiVersion: networking.k8s.io/v1
            kind: Ingress
            metadata: {name: web}
            spec:
              ingressClassName: nginx
              tls: [{hosts: [a.example]}]
              rules:
              - {host: a.example, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}}
              - {host: b.example, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}}
            """,
            "NAME CLASS HOSTS ADDRESS PORTS AGE", "web nginx a.example,b.example 80, 443 AGE"
        },
        {
            "ingressclass", "{apiVersion: networking.k8s.io/v1, kind: IngressClass, metadata: {name: nginx}, spec: {controller: k8s.io/ingress-nginx, parameters: {apiGroup: k8s.example.com, kind: IngressParameters, name: external-lb}}}",
            "NAME CONTROLLER PARAMETERS AGE", "nginx k8s.io/ingress-nginx IngressParameters.k8s.example.com/external-lb AGE"
        },
        {
            "networkpolicy", "{apiVersion: networking.k8s.io/v1, kind: NetworkPolicy, metadata: {name: deny}, spec: {podSelector: {matchLabels: {app: db}}}}",
            "NAME POD-SELECTOR AGE", "deny app=db AGE"
        },
        {
            "pvc", "{apiVersion: v1, kind: PersistentVolumeClaim, metadata: {name: data}, spec: {accessModes: [ReadWriteOnce], storageClassName: fast, resources: {requests: {storage: 1Gi}}}}",
            "NAME STATUS VOLUME CAPACITY ACCESS MODES STORAGECLASS VOLUMEATTRIBUTESCLASS AGE", "data Pending fast <unset> AGE"
        },
        {
            "pv", "{apiVersion: v1, kind: PersistentVolume, metadata: {name: vol}, spec: {capacity: {storage: 5Gi}, accessModes: [ReadWriteMany, ReadWriteOnce], persistentVolumeReclaimPolicy: Retain, storageClassName: fast, hostPath: {path: /tmp/vol}}}",
            "NAME CAPACITY ACCESS MODES RECLAIM POLICY STATUS CLAIM STORAGECLASS VOLUMEATTRIBUTESCLASS REASON AGE", "vol 5Gi RWO,RWX Retain fast <unset> AGE"
        },
        {
            "storageclass", "{apiVersion: storage.k8s.io/v1, kind: StorageClass, metadata: {name: fast, annotations: {storageclass.kubernetes.io/is-default-class: \"true\"}}, provisioner: example.com/fast}",
            "NAME PROVISIONER RECLAIMPOLICY VOLUMEBINDINGMODE ALLOWVOLUMEEXPANSION AGE", "fast (default) example.com/fast Delete Immediate false AGE"
        },
        {
            "rolebinding", "{apiVersion: rbac.authorization.k8s.io/v1, kind: RoleBinding, metadata: {name: read}, roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}, subjects: [{kind: User, name: ann, apiGroup: rbac.authorization.k8s.io}, {kind: ServiceAccount, name: bot, namespace: default}]}",
            "NAME ROLE AGE", "read Role/reader AGE"
        },
        {
            "priorityclass", "{apiVersion: scheduling.k8s.io/v1, kind: PriorityClass, metadata: {name: high}, value: 1000, globalDefault: false}",
            "NAME VALUE GLOBAL-DEFAULT AGE PREEMPTIONPOLICY", "high 1000 false AGE PreemptLowerPriority"
        },
        {
            "podtemplate", "{apiVersion: v1, kind: PodTemplate, metadata: {name: tpl}, template: {metadata: {labels: {app: x}}, spec: {containers: [{name: c, image: nginx}]}}}",
            "NAME CONTAINERS IMAGES POD LABELS", "tpl c nginx app=x"
        },
    };

    [KubectlTheory]
    [MemberData(nameof(Cases))]
    public async Task Get_prints_the_upstream_columns(string resource, string manifest, string header, string row)
    {
        string ns = "tables-" + resource;
        await server.RunAsync("create", "namespace", ns);
        (int applied, string appliedOut, string appliedErr) = await server.RunWithInputAsync("---\n" + manifest, "apply", "-n", ns, "-f", "-"); // "---": flow YAML, not JSON
        Assert.True(applied == 0, appliedErr + appliedOut);

        (int exit, string stdout, string stderr) = await server.RunAsync("get", resource, "-n", ns);
        Assert.True(exit == 0, stderr);
        string[] lines = stdout.TrimEnd().Split('\n').Select(Normalize).ToArray();
        Assert.Equal(header, lines[0]);
        Assert.Equal(row, lines[1]);
    }

    [KubectlFact]
    public async Task Wide_role_bindings_list_their_subjects()
    {
        await server.RunAsync("create", "namespace", "tables-wide");
        Assert.Equal(0, (await server.RunAsync("create", "rolebinding", "rb", "-n", "tables-wide", "--clusterrole=view", "--user=ann", "--group=devs",
            "--serviceaccount=tables-wide:bot")).Exit);
        (int exit, string stdout, string stderr) = await server.RunAsync("get", "rolebinding", "rb", "-n", "tables-wide", "-o", "wide");
        Assert.True(exit == 0, stderr);
        string[] lines = stdout.TrimEnd().Split('\n').Select(Normalize).ToArray();
        Assert.Equal("NAME ROLE AGE USERS GROUPS SERVICEACCOUNTS", lines[0]);
        Assert.Equal("rb ClusterRole/view AGE ann devs tables-wide/bot", lines[1]);
    }

    [KubectlFact]
    public async Task Endpoint_slices_and_quotas_print_their_summaries()
    {
        // The kubernetes Service's slice is written at bootstrap: one address, the API server's port.
        (int exit, string stdout, string stderr) = await server.RunAsync("get", "endpointslices", "kubernetes", "-n", "default");
        Assert.True(exit == 0, stderr);
        string[] lines = stdout.TrimEnd().Split('\n').Select(Normalize).ToArray();
        Assert.Equal("NAME ADDRESSTYPE PORTS ENDPOINTS AGE", lines[0]);
        Assert.Matches(@"^kubernetes IPv4 \d+ 127\.0\.0\.1 AGE$", lines[1]);

        await server.RunAsync("create", "namespace", "tables-quota");
        Assert.Equal(0, (await server.RunAsync("create", "quota", "q", "-n", "tables-quota", "--hard=pods=4,limits.cpu=2,requests.memory=1Gi")).Exit);
        // status.hard is the quota controller's to fill; without it the columns are empty, as upstream prints them.
        (exit, stdout, stderr) = await server.RunAsync("get", "quota", "q", "-n", "tables-quota");
        Assert.True(exit == 0, stderr);
        Assert.Equal("NAME REQUEST LIMIT AGE", Normalize(stdout.Split('\n')[0]));
    }

    /// <summary>Collapses column padding and masks the AGE value (e.g. "0s", "12s").</summary>
    private static string Normalize(string line) => AgeCell().Replace(Spaces().Replace(line.Trim(), " "), "AGE");

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();

    [GeneratedRegex(@"(?<= )\d+[smhdy](\d+[smhd])?(?= |$)")]
    private static partial Regex AgeCell();
}
