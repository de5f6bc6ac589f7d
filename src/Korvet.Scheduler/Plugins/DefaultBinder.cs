using Korvet.Api.Core.V1;
using Korvet.Api.Meta.V1;
using Korvet.Client;
using Korvet.Scheduler.Framework;
using Status = Korvet.Scheduler.Framework.Status;

namespace Korvet.Scheduler.Plugins;

/// <summary>DefaultBinder: POSTs a v1 Binding to <c>pods/{name}/binding</c> (uid-guarded, so a recreated pod of the
/// same name is never bound by mistake). Thread-safe.</summary>
public sealed class DefaultBinder : IBindPlugin
{
    private readonly ResourceClient<Pod> _pods;

    public DefaultBinder(KubernetesClient client)
    {
        _pods = client.Resource<Pod>();
    }

    public string Name => "DefaultBinder";

    public async Task<Status> BindAsync(PodInfo pod, string nodeName, CancellationToken cancellationToken)
    {
        var binding = new Binding
        {
            Kind = "Binding",
            ApiVersion = "v1",
            Metadata = new ObjectMeta { Name = pod.Name, Namespace = pod.Namespace, Uid = pod.Pod.Metadata?.Uid },
            Target = new ObjectReference { Kind = "Node", ApiVersion = "v1", Name = nodeName },
        };
        try
        {
            await _pods.CreateSubresourceAsync(pod.Name, pod.Namespace, "binding", binding, cancellationToken);
            return Status.Success;
        }
        catch (ApiException e)
        {
            return Status.Error($"binding rejected: {e.StatusCode} {e.Message}");
        }
        catch (HttpRequestException e)
        {
            return Status.Error($"binding failed: {e.Message}");
        }
    }
}
