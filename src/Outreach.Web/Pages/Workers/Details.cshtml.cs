using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Outreach.Data;
using Outreach.Data.Workers;
using Outreach.Web.Infrastructure;

namespace Outreach.Web.Pages.Workers;

/// <summary>One youth worker: profile, safeguarding, when they can work, and what they are booked on.</summary>
public class DetailsModel(WorkerData workers, AvailabilityData availability, WorkerInvitations invitations, TimeProvider clock) : PageModel
{
    public WorkerProfile Worker { get; private set; } = null!;

    public IReadOnlyList<AvailabilityRange> Pattern { get; private set; } = [];

    public IReadOnlyList<LeaveEntry> Leave { get; private set; } = [];

    public IReadOnlyList<WorkerSession> Upcoming { get; private set; } = [];

    /// <summary>Latest first.</summary>
    public IReadOnlyList<WorkerRate> Rates { get; private set; } = [];

    /// <summary>The rate costing today's sessions: the latest entry may start in the future.</summary>
    public WorkerRate? CurrentRate => WorkerRate.InForceOn(Rates, Today);

    public DateOnly Today { get; private set; }

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken cancellationToken)
    {
        var worker = await workers.ProfileAsync(id, cancellationToken);
        if (worker is null)
        {
            return NotFound();
        }
        Worker = worker;
        var now = clock.GetUtcNow().UtcDateTime;
        Today = DateOnly.FromDateTime(UkTime.ToLocal(now));
        Pattern = await availability.PatternAsync(id, cancellationToken);
        Leave = await availability.LeaveAsync(id, Today, cancellationToken);
        Upcoming = await workers.UpcomingSessionsAsync(id, now, cancellationToken);
        Rates = await workers.RatesAsync(id, cancellationToken);
        return Page();
    }

    /// <summary>A first sign-in link, or a new one when the last lapsed or the password is forgotten.</summary>
    public async Task<IActionResult> OnPostSendSignInLinkAsync(long id, CancellationToken cancellationToken)
    {
        if (await workers.FindAsync(id, cancellationToken) is null)
        {
            return NotFound();
        }
        var notSent = await invitations.SendAsync(id, HttpContext.Actor(), cancellationToken);
        TempData["StatusMessage"] = notSent ?? "A text with a link to set their password is on its way. The link works once, for 7 days.";
        return RedirectToPage(new { id });
    }

    /// <summary>Bootstrap colour for the DBS status: red when they cannot be booked now, amber when due soon.</summary>
    public string DbsTone()
    {
        if (Worker.DbsNextReviewOn is not { } review || DateOnly.FromDateTime(review) <= Today)
        {
            return "danger";
        }
        return DateOnly.FromDateTime(review).DayNumber - Today.DayNumber <= Dbs.DueWithinDays ? "warning" : "success";
    }
}
