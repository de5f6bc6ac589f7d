using System.Text.Json.Nodes;
using Korvet.Api.Selectors;

namespace Korvet.Api.Tests.Selectors;

public sealed class KindFieldsTests
{
    private static bool Matches(string group, string resource, string selector, string json)
    {
        ObjectFields fields = KindFields.For(group, resource);
        return fields.Matches(fields.Resolve(FieldSelector.Parse(selector)), JsonNode.Parse(json.Replace('\'', '"'))!.AsObject());
    }

    [Theory]
    [InlineData("spec.nodeName=n1", true)]
    [InlineData("spec.host=n1", true)]
    [InlineData("spec.nodeName!=n1", false)]
    [InlineData("status.phase=Running,metadata.namespace=ns", true)]
    [InlineData("spec.hostNetwork=false", true)]
    [InlineData("spec.restartPolicy=Always,spec.schedulerName=default-scheduler,spec.serviceAccountName=sa", true)]
    [InlineData("status.podIP=10.0.0.5", true)]
    [InlineData("status.podIPs=10.0.0.5", false)]
    [InlineData("status.podIPs=", true)]
    [InlineData("status.nominatedNodeName=", true)]
    public void Pods(string selector, bool expected)
    {
        const string pod = "{'metadata':{'name':'p','namespace':'ns'},'spec':{'nodeName':'n1','restartPolicy':'Always','schedulerName':'default-scheduler',"
            + "'serviceAccountName':'sa'},'status':{'phase':'Running','podIP':'10.0.0.1','podIPs':[{'ip':'10.0.0.5'}]}}";
        Assert.Equal(expected, Matches("", "pods", selector, pod));
    }

    [Fact]
    public void Alias_is_rewritten_to_the_canonical_field()
    {
        ObjectFields pods = KindFields.For("", "pods");
        Assert.Equal("spec.nodeName=n1", pods.Resolve(FieldSelector.Parse("spec.host=n1")).ToString());
    }

    [Fact]
    public void Cluster_scoped_kinds_with_conversions_reject_metadata_namespace()
    {
        var e = Assert.Throws<SelectorException>(() => KindFields.For("", "nodes").Resolve(FieldSelector.Parse("metadata.namespace=x")));
        Assert.Equal("field label not supported: metadata.namespace", e.Message);
        Assert.True(Matches("", "nodes", "spec.unschedulable=false,metadata.name=n", "{'metadata':{'name':'n'},'spec':{}}"));
        Assert.True(Matches("", "nodes", "spec.unschedulable=true", "{'metadata':{'name':'n'},'spec':{'unschedulable':true}}"));
        Assert.True(Matches("", "namespaces", "status.phase=Active", "{'metadata':{'name':'n'},'status':{'phase':'Active'}}"));
    }

    [Fact]
    public void Other_core_kinds()
    {
        Assert.True(Matches("", "secrets", "type=kubernetes.io/tls", "{'metadata':{'name':'s'},'type':'kubernetes.io/tls'}"));
        Assert.True(Matches("", "services", "spec.clusterIP!=None,spec.type=ClusterIP", "{'metadata':{'name':'s'},'spec':{'clusterIP':'10.43.0.10','type':'ClusterIP'}}"));
        Assert.True(Matches("", "replicationcontrollers", "status.replicas=0", "{'metadata':{'name':'r'},'status':{}}"));
        Assert.True(Matches("", "replicationcontrollers", "status.replicas=3", "{'metadata':{'name':'r'},'status':{'replicas':3}}"));
    }

    [Fact]
    public void Events_in_both_groups()
    {
        const string core = "{'metadata':{'name':'e','namespace':'ns'},'involvedObject':{'kind':'Pod','name':'p','uid':'u'},'reason':'Started',"
            + "'type':'Normal','reportingComponent':'kubelet'}";
        Assert.True(Matches("", "events", "involvedObject.kind=Pod,involvedObject.name=p,involvedObject.uid=u,reason=Started,type=Normal", core));
        Assert.True(Matches("", "events", "source=kubelet", core));
        Assert.True(Matches("", "events", "source=sched", "{'metadata':{'name':'e'},'source':{'component':'sched'},'reportingComponent':'x'}"));
        const string modern = "{'metadata':{'name':'e','namespace':'ns'},'regarding':{'kind':'Pod','name':'p'},'reason':'Started','reportingController':'kubelet'}";
        Assert.True(Matches("events.k8s.io", "events", "regarding.kind=Pod,regarding.name=p,reportingController=kubelet,reason=Started", modern));
        Assert.Throws<SelectorException>(() => KindFields.For("events.k8s.io", "events").Resolve(FieldSelector.Parse("source=x")));
    }

    [Fact]
    public void Jobs_select_successful_from_succeeded_with_their_own_message()
    {
        Assert.True(Matches("batch", "jobs", "status.successful=1", "{'metadata':{'name':'j'},'status':{'succeeded':1}}"));
        Assert.True(Matches("batch", "jobs", "status.successful=0", "{'metadata':{'name':'j'},'status':{}}"));
        var e = Assert.Throws<SelectorException>(() => KindFields.For("batch", "jobs").Resolve(FieldSelector.Parse("status.active=1")));
        Assert.Equal("field label \"status.active\" not supported for Job", e.Message);
    }

    [Fact]
    public void Unlisted_resources_get_metadata_only()
    {
        Assert.Same(ObjectFields.Default, KindFields.For("apps", "deployments"));
        Assert.Same(ObjectFields.Default, KindFields.For("example.com", "widgets"));
        Assert.True(Matches("apps", "deployments", "metadata.name=d,metadata.namespace=ns", "{'metadata':{'name':'d','namespace':'ns'}}"));
        Assert.True(Matches("certificates.k8s.io", "certificatesigningrequests", "spec.signerName=kubernetes.io/kubelet-serving", "{'metadata':{'name':'c'},'spec':{'signerName':'kubernetes.io/kubelet-serving'}}"));
    }
}
