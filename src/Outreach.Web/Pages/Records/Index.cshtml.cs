using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Outreach.Data.Identity;
using Outreach.Data.Records;
using Outreach.Data.Rosters;
using Outreach.Web.Infrastructure;

namespace Outreach.Web.Pages.Records;

/// <summary>A youth worker's own sessions (to record after they happen); for coordinators, the records still missing.</summary>
public class IndexModel(RecordData records, CalendarFeedData feeds, TimeProvider clock) : PageModel
{
    public bool HasCalendarFeed { get; private set; }

    /// <summary>Shown once, right after the worker made a new address.</summary>
    [TempData]
    public string? NewFeedUrl { get; set; }

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
        NewFeedUrl = $"{Request.Scheme}://{Request.Host}/calendar/{token}.ics";
        return RedirectToPage();
    }
}
