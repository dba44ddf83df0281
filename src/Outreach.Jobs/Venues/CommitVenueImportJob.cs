using Hangfire;
using Microsoft.Extensions.Logging;
using Outreach.Data.Venues;

namespace Outreach.Jobs.Venues;

/// <summary>Writes a large checked import's good rows in one transaction, in the name of the coordinator who asked.</summary>
public sealed class CommitVenueImportJob(VenueImportData imports, ILogger<CommitVenueImportJob> logger)
{
    [AutomaticRetry(Attempts = 3, DelaysInSeconds = [5, 30, 120])]
    public async Task RunAsync(long importId, CancellationToken cancellationToken)
    {
        var outcome = await imports.CommitAsync(importId, actor: null, cancellationToken);
        if (outcome.Succeeded)
        {
            var result = outcome.Value!;
            logger.LogInformation(
                "Committed venue import {ImportId}: {Added} added, {Updated} updated, {Closed} closed, {Unchanged} unchanged",
                importId, result.Added, result.Updated, result.Closed, result.Unchanged);
        }
        else
        {
            // Refused for a reason the coordinator can fix (shown on the import's page); retrying would not help.
            logger.LogWarning("Venue import {ImportId} was not committed: {Reason}", importId, outcome.Errors[0].Message);
        }
    }
}
