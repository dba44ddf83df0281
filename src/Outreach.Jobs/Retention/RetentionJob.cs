using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Outreach.Data.Retention;

namespace Outreach.Jobs.Retention;

/// <summary>
/// Daily: replaces old SMS bodies, deletes old development-gateway messages, pseudonymises the contact
/// details of workers who left long enough ago, removes the references of A&amp;E cases closed long enough ago and
/// the details of safeguarding concerns the venue has long held. Runs again safely: what was removed is not due again.
/// </summary>
public sealed class RetentionJob(
    RetentionData retention, IOptions<RetentionOptions> options, TimeProvider clock, ILogger<RetentionJob> logger)
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var run = await retention.ApplyAsync(options.Value.Rules, clock.GetUtcNow().UtcDateTime, cancellationToken);
        foreach (var count in run.Counts)
        {
            logger.LogInformation("Retention run {RunId}: {Kind} older than {Months} months, {Affected} rows",
                run.Id, count.Kind, count.PeriodMonths, count.Affected);
        }
    }
}
