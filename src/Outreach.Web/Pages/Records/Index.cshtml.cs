using Microsoft.AspNetCore.Mvc.RazorPages;
using Outreach.Data.Identity;
using Outreach.Data.Records;
using Outreach.Web.Infrastructure;

namespace Outreach.Web.Pages.Records;

/// <summary>A youth worker's own sessions (to record after they happen); for coordinators, the records still missing.</summary>
public class IndexModel(RecordData records, TimeProvider clock) : PageModel
{
    public IReadOnlyList<MySessionRow> Sessions { get; private set; } = [];

    public bool IsWorker { get; private set; }

    public DateTime NowUtc { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        NowUtc = clock.GetUtcNow().UtcDateTime;
        IsWorker = User.IsInRole(Roles.YouthWorker);
        Sessions = IsWorker && User.UserId() is { } userId
            ? await records.MySessionsAsync(userId, NowUtc.AddDays(-28), cancellationToken)
            : await records.MissingAsync(NowUtc.AddDays(-42), cancellationToken);
    }
}
