using System.Text.Json.Nodes;

namespace Korvet.ApiServer.Strategies;

/// <summary>SetDefaults_PersistentVolumeClaim: volumeMode Filesystem and status.phase Pending (also in claim templates).</summary>
internal static class ClaimDefaults
{
    public static void Apply(JsonObject claim)
    {
        JsonFields.DefaultString(JsonFields.Child(claim, "spec"), "volumeMode", "Filesystem");
        JsonFields.DefaultString(JsonFields.Child(claim, "status"), "phase", "Pending");
    }
}
