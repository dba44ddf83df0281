using Microsoft.Extensions.Logging;
using Outreach.Data.Reach;

namespace Outreach.Jobs.Reach;

/// <summary>
/// Compiles the impact figures the commissioner's office reads: nightly the months whose inputs changed, and on
/// demand a run queued from the site (which shows its progress).
/// </summary>
public sealed class CompileImpactJob(ImpactData impact, ILogger<CompileImpactJob> logger)
{
    public async Task RunAsync(long? runId, CancellationToken cancellationToken)
    {
        var result = await impact.CompileAsync(CompileMode.Incremental, runId, cancellationToken);
        if (result is null)
        {
            logger.LogInformation("Compile run {RunId} was already taken", runId);
            return;
        }
        logger.LogInformation("Compiled impact figures: run {RunId}, {Months} months, {Rows} rows", result.RunId, result.Months, result.Rows);
    }
}
