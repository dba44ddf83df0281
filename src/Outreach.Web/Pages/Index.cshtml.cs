using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Outreach.Data.Identity;
using Outreach.Data.Sessions;

namespace Outreach.Web.Pages;

/// <summary>The start page: each role lands where its work is.</summary>
public class IndexModel(SessionData sessions, TimeProvider clock) : PageModel
{
    public IReadOnlyList<SessionRow> Understaffed { get; private set; } = [];

    public int UpcomingCount { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        if (User.IsInRole(Roles.Coordinator) || User.IsInRole(Roles.Administrator))
        {
            var now = clock.GetUtcNow().UtcDateTime;
            var upcoming = await sessions.ListAsync(now, now.AddDays(14), cancellationToken);
            UpcomingCount = upcoming.Count(s => s.Status != "cancelled");
            Understaffed = upcoming.Where(s => s.Status != "cancelled" && s.AssignedWorkers < s.RequiredWorkers).ToList();
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
}
