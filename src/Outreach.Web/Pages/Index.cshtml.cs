using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Outreach.Data.Alerts;
using Outreach.Data.Identity;
using Outreach.Data.Records;
using Outreach.Web.Infrastructure;
using Outreach.Data.Sessions;

namespace Outreach.Web.Pages;

/// <summary>The start page: each role lands where its work is.</summary>
public class IndexModel(SessionData sessions, AlertData alerts, RecordData records, TimeProvider clock) : PageModel
{
    public IReadOnlyList<AlertRow> Alerts { get; private set; } = [];

    [TempData]
    public string? StatusMessage { get; set; }

    public IReadOnlyList<SessionRow> Understaffed { get; private set; } = [];

    public int UpcomingCount { get; private set; }

    /// <summary>Sessions ended more than 24 hours ago (in the last six weeks) with no record: the chaser has texted, the record is late.</summary>
    public IReadOnlyList<OverdueRecordRow> OverdueRecords { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        if (User.IsInRole(Roles.Coordinator) || User.IsInRole(Roles.Administrator))
        {
            var now = clock.GetUtcNow().UtcDateTime;
            var upcoming = await sessions.ListAsync(now, now.AddDays(14), cancellationToken);
            UpcomingCount = upcoming.Count(s => s.Status != "cancelled");
            Understaffed = upcoming.Where(s => s.Status != "cancelled" && s.AssignedWorkers < s.RequiredWorkers).ToList();
            Alerts = await alerts.OpenAsync(100, cancellationToken);
            OverdueRecords = await records.OverdueAsync(now.AddDays(-42), TimeSpan.FromHours(24), 11, cancellationToken);
            return Page();
        }
        if (User.IsInRole(Roles.YouthWorker))
        {
            return RedirectToPage("/Records/Index");
        }
        if (User.IsInRole(Roles.Commissioner))
        {
            return RedirectToPage("/Reports/Index");
        }
        return Page();
    }

    public async Task<IActionResult> OnPostResolveAsync(long id, CancellationToken cancellationToken)
    {
        if (!User.IsInRole(Roles.Coordinator) && !User.IsInRole(Roles.Administrator))
        {
            return Forbid();
        }
        StatusMessage = await alerts.ResolveAsync(id, HttpContext.Actor(), cancellationToken)
            ? "Alert marked as dealt with."
            : "That alert was already dealt with.";
        return RedirectToPage();
    }
}
