using Korvet.Api.Apps.V1;
using Korvet.Api.IntStr;
using Deployment = Korvet.Api.Apps.V1.Deployment;

namespace Korvet.Controllers.Deployments;

/// <summary>
/// Upstream deployment_util's replica arithmetic (fenceposts, surge, new-RS size, proportional scaling). Pure functions
/// over the typed objects; nothing here writes. Replica counts read a null <c>spec.replicas</c> as 0 for ReplicaSets
/// (they are always defaulted by the server) and as 1 for Deployments.
/// </summary>
public static class DeploymentMath
{
    public const string RollingUpdate = "RollingUpdate";
    public const string Recreate = "Recreate";

    public static int Replicas(Deployment d) => d.Spec?.Replicas ?? 1;

    public static int Replicas(ReplicaSet rs) => rs.Spec?.Replicas ?? 0;

    public static bool IsRollingUpdate(Deployment d) => (d.Spec?.Strategy?.Type ?? RollingUpdate) == RollingUpdate;

    /// <summary>ResolveFenceposts: surge rounds up, unavailable rounds down; both zero means unavailable 1.</summary>
    /// <exception cref="FormatException">a value is neither an integer nor a percentage.</exception>
    public static (int Surge, int Unavailable) ResolveFenceposts(IntOrString? maxSurge, IntOrString? maxUnavailable, int desired)
    {
        int surge = IntOrPercent.Scaled(maxSurge ?? IntOrString.FromInt(0), desired, roundUp: true);
        int unavailable = IntOrPercent.Scaled(maxUnavailable ?? IntOrString.FromInt(0), desired, roundUp: false);
        if (surge == 0 && unavailable == 0)
        {
            unavailable = 1;
        }

        return (surge, unavailable);
    }

    /// <summary>The resolved maxSurge of a RollingUpdate deployment; 0 for Recreate.</summary>
    public static int MaxSurge(Deployment d)
    {
        if (!IsRollingUpdate(d))
        {
            return 0;
        }

        RollingUpdateDeployment? r = d.Spec?.Strategy?.RollingUpdate;
        return ResolveFenceposts(r?.MaxSurge, r?.MaxUnavailable, Replicas(d)).Surge;
    }

    /// <summary>The resolved maxUnavailable, capped at replicas; 0 for Recreate or zero replicas.</summary>
    public static int MaxUnavailable(Deployment d)
    {
        int replicas = Replicas(d);
        if (!IsRollingUpdate(d) || replicas == 0)
        {
            return 0;
        }

        RollingUpdateDeployment? r = d.Spec?.Strategy?.RollingUpdate;
        int unavailable = ResolveFenceposts(r?.MaxSurge, r?.MaxUnavailable, replicas).Unavailable;
        return Math.Min(unavailable, replicas);
    }

    public static int SpecReplicaSum(IEnumerable<ReplicaSet?> sets) => sets.Sum(rs => rs is null ? 0 : Replicas(rs));

    public static int StatusReplicaSum(IEnumerable<ReplicaSet?> sets) => sets.Sum(rs => rs?.Status?.Replicas ?? 0);

    public static int ReadySum(IEnumerable<ReplicaSet?> sets) => sets.Sum(rs => rs?.Status?.ReadyReplicas ?? 0);

    public static int AvailableSum(IEnumerable<ReplicaSet?> sets) => sets.Sum(rs => rs?.Status?.AvailableReplicas ?? 0);

    /// <summary>Sets with a non-zero spec.replicas (FilterActiveReplicaSets).</summary>
    public static List<ReplicaSet> Active(IEnumerable<ReplicaSet?> sets) => [.. sets.OfType<ReplicaSet>().Where(rs => Replicas(rs) > 0)];

    /// <summary>
    /// NewRSNewReplicas: RollingUpdate grows the new set up to replicas+maxSurge pods in total and never beyond
    /// replicas; Recreate jumps straight to replicas.
    /// </summary>
    public static int NewReplicaSetReplicas(Deployment d, IEnumerable<ReplicaSet?> allSets, ReplicaSet newSet)
    {
        int replicas = Replicas(d);
        if (!IsRollingUpdate(d))
        {
            return replicas;
        }

        RollingUpdateDeployment? r = d.Spec?.Strategy?.RollingUpdate;
        int surge = IntOrPercent.Scaled(r?.MaxSurge ?? IntOrString.FromInt(0), replicas, roundUp: true);
        int current = SpecReplicaSum(allSets);
        int maxTotal = replicas + surge;
        int newCurrent = Replicas(newSet);
        if (current >= maxTotal)
        {
            return newCurrent;
        }

        int scaleUp = Math.Min(maxTotal - current, replicas - newCurrent);
        return newCurrent + scaleUp;
    }

    /// <summary>IsSaturated: the new set has all replicas desired, annotated and available.</summary>
    public static bool IsSaturated(Deployment d, ReplicaSet? rs)
    {
        if (rs is null || Revisions.DesiredReplicas(rs) is not int desired)
        {
            return false;
        }

        int replicas = Replicas(d);
        return Replicas(rs) == replicas && desired == replicas && (rs.Status?.AvailableReplicas ?? 0) == replicas;
    }

    /// <summary>
    /// getReplicaSetFraction: how many replicas this set gains or loses when the deployment's allowed size
    /// (replicas + maxSurge) changes from what the set's max-replicas annotation recorded (or status.replicas).
    /// </summary>
    public static int ReplicaSetFraction(ReplicaSet rs, Deployment d)
    {
        int replicas = Replicas(d);
        if (replicas == 0)
        {
            return -Replicas(rs);
        }

        int deploymentReplicas = replicas + MaxSurge(d);
        int annotated = Revisions.MaxReplicas(rs) ?? d.Status?.Replicas ?? 0;
        if (annotated == 0)
        {
            // Upstream divides by zero here (a float Inf); nothing sensible to scale from, so leave the set alone.
            return 0;
        }

        double size = (double)Replicas(rs) * deploymentReplicas / annotated;
        return (int)Math.Round(size, MidpointRounding.AwayFromZero) - Replicas(rs);
    }

    /// <summary>GetProportion: the set's fraction clamped to what is still left to add (or remove).</summary>
    public static int Proportion(ReplicaSet? rs, Deployment d, int toAdd, int added)
    {
        if (rs is null || Replicas(rs) == 0 || toAdd == 0 || toAdd == added)
        {
            return 0;
        }

        int fraction = ReplicaSetFraction(rs, d);
        int allowed = toAdd - added;
        return toAdd > 0 ? Math.Min(fraction, allowed) : Math.Max(fraction, allowed);
    }
}
