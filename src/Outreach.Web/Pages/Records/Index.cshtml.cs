using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Outreach.Data.Identity;
using Outreach.Data.Records;
using Outreach.Data.Rosters;
using Outreach.Web.Infrastructure;

namespace Outreach.Web.Pages.Records;

/// <summary>A youth worker's own sessions (to record after they happen); for coordinators, the records still missing.</summary>
public class IndexModel(RecordData records, CalendarFeedData feeds, Microsoft.Extensions.Options.IOptions<Outreach.Data.SiteOptions> site, TimeProvider clock) : PageModel
{
    public bool HasCalendarFeed { get; private set; }

    /// <summary>Shown once, right after the worker made a new address.</summary>
    [TempData]
    public string? NewFeedUrl { get; set; }

    public IReadOnlyList<MySessionRow> Sessions { get; private set; } = [];

    /// <summary>For coordinators: every session of the last six weeks that ended without a record, oldest first.</summary>
    public IReadOnlyList<OverdueRecordRow> Missing { get; private set; } = [];

    public bool IsWorker { get; private set; }

    public DateTime NowUtc { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        NowUtc = clock.GetUtcNow().UtcDateTime;
        IsWorker = User.IsInRole(Roles.YouthWorker);
        if (IsWorker && User.UserId() is { } userId)
        {
            Sessions = await records.MySessionsAsync(userId, NowUtc.AddDays(-28), cancellationToken);
        }
        else
        {
            Missing = await records.OverdueAsync(NowUtc.AddDays(-42), TimeSpan.Zero, 200, cancellationToken);
        }
        HasCalendarFeed = IsWorker && User.UserId() is { } id && await feeds.HasTokenAsync(id, cancellationToken);
    }

    /// <summary>Makes a new secret calendar address; any old one stops working.</summary>
    public async Task<IActionResult> OnPostResetFeedAsync(CancellationToken cancellationToken)
    {
        var token = User.UserId() is { } userId ? await feeds.ResetTokenAsync(userId, cancellationToken) : null;
        if (token is null)
        {
            return NotFound();
        }
        NewFeedUrl = site.Value.Link($"/calendar/{token}.ics");
        return RedirectToPage();
    }
}
