using Hangfire;
using Microsoft.Extensions.Logging;
using Outreach.Data.Venues;

namespace Outreach.Jobs.Venues;

/// <summary>Reads an uploaded venue file too large to check during the request, and stages its rows for the preview.</summary>
public sealed class CheckVenueImportJob(VenueImportData imports, ILogger<CheckVenueImportJob> logger)
{
    // A failure here is the database or the machine, not the file (bad rows are staged, not thrown):
    // a few quick retries, then the page offers to discard and upload again.
    [AutomaticRetry(Attempts = 3, DelaysInSeconds = [5, 30, 120])]
    public async Task RunAsync(long importId, CancellationToken cancellationToken)
    {
        await imports.CheckAsync(importId, cancellationToken);
        logger.LogInformation("Checked venue import {ImportId}", importId);
    }
}
