using Microsoft.Extensions.Logging;
using Outreach.Data.Reach;

namespace Outreach.Jobs.Reach;

/// <summary>Rebuilds the reach figures the commissioner's office reads (nightly, and on demand).</summary>
public sealed class CompileReachJob(ReachData reach, ILogger<CompileReachJob> logger)
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var rows = await reach.CompileAsync(cancellationToken);
        logger.LogInformation("Compiled reach figures: {Rows} rows", rows);
    }
}
