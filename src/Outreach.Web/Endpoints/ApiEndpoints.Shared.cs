using System.Globalization;
using Outreach.Data.Workers;
using Outreach.Web.Infrastructure;

namespace Outreach.Web.Endpoints;

/// <summary>What the operations mapped in ApiEndpoints.cs share with <see cref="VenuesApi"/> and <see cref="WorkersApi"/>.</summary>
public static partial class ApiEndpoints
{
    /// <summary>A thing's version for ETag and If-Match: its last-change time, in ticks.</summary>
    internal static string ETag(DateTime updatedAt) => $"\"{updatedAt.Ticks.ToString(CultureInfo.InvariantCulture)}\"";

    private static ChangedMeanwhileProblem ChangedMeanwhile(string what) => new(what);

    private static Task<WorkerResponse?> WorkerViewAsync(WorkerData workers, TimeProvider clock, long id, CancellationToken ct) =>
        WorkersApi.ViewAsync(workers, clock, id, ct);
}
