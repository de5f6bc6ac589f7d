using Korvet.Api.Batch.V1;
using Korvet.Api.Core.V1;

namespace Korvet.Controllers.Job;

/// <summary>
/// What one sync of a Job should do, in this order: write <see cref="Status"/> (when <see cref="StatusChanged"/>),
/// then remove the tracking finalizer from <see cref="RemoveFinalizers"/> (only pods whose UIDs the written status
/// already lists in uncountedTerminatedPods, or pods of a finished Job), delete <see cref="Delete"/>, create
/// <see cref="Create"/> pods (Indexed Jobs: one for each of <see cref="CreateIndexes"/>), and look again after
/// <see cref="RequeueAfter"/> if set.
/// </summary>
public sealed record JobPlan(
    JobStatus Status,
    bool StatusChanged,
    IReadOnlyList<Pod> RemoveFinalizers,
    IReadOnlyList<Pod> Delete,
    int Create,
    TimeSpan? RequeueAfter,
    IReadOnlyList<int> CreateIndexes);
