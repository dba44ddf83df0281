using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Outreach.Data.Messages;
using Outreach.Data.Sessions;
using Outreach.Data.Workers;
using Outreach.Jobs;
using Outreach.Web.Infrastructure;

namespace Outreach.Web.Pages.Sessions;

/// <summary>One session: what, where, when, who is on it, and assigning more workers.</summary>
public class DetailsModel(SessionData sessions, CandidateData candidates, SkillData skills, AutoFillData autoFill, FollowUpJobs followUps, CoverData cover) : PageModel
{
    public SessionDetail Session { get; private set; } = null!;

    public IReadOnlyList<AssignmentRow> Assignments { get; private set; } = [];

    /// <summary>The region's workers ranked for this session, each ineligible one with its reasons.</summary>
    public IReadOnlyList<Candidate> Candidates { get; private set; } = [];

    public IReadOnlyList<string> RequiredSkills { get; private set; } = [];

    public IReadOnlyList<CoverOfferRow> CoverOffers { get; private set; } = [];

    /// <summary>The series the session belongs to, for "Auto-fill this series".</summary>
    public long? SeriesId { get; private set; }

    [BindProperty]
    [Required(ErrorMessage = "Choose a youth worker to assign.")]
    [Display(Name = "Youth worker")]
    public long? WorkerId { get; set; }

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken cancellationToken) =>
        await LoadAsync(id, cancellationToken) ? Page() : NotFound();

    public async Task<IActionResult> OnPostAssignAsync(long id, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, cancellationToken))
        {
            return NotFound();
        }
        if (!ModelState.IsValid)
        {
            return Page();
        }
        var outcome = await sessions.AssignAsync(id, WorkerId!.Value, HttpContext.Actor(), cancellationToken);
        if (!outcome.Succeeded)
        {
            ModelState.AddErrors(outcome, prefix: "");
            return Page();
        }
        followUps.Enqueue(outcome);
        var name = Candidates.FirstOrDefault(c => c.Id == WorkerId)?.FullName ?? "The worker";
        TempData["StatusMessage"] = $"{name} is assigned. They are asked by text to confirm, and reminded before the session.";
        return RedirectToPage(new { id });
    }

    private async Task<bool> LoadAsync(long id, CancellationToken cancellationToken)
    {
        var session = await sessions.FindAsync(id, cancellationToken);
        if (session is null)
        {
            return false;
        }
        Session = session;
        Assignments = await sessions.AssignmentsAsync(id, cancellationToken);
        Candidates = await candidates.RankAsync(id, cancellationToken);
        RequiredSkills = await skills.ForSessionAsync(id, cancellationToken);
        SeriesId = await autoFill.SeriesOfSessionAsync(id, cancellationToken);
        CoverOffers = await cover.ForSessionAsync(id, cancellationToken);
        return true;
    }
}
