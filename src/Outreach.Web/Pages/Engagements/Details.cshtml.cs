using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Outreach.Data;
using Outreach.Data.Engagements;
using Outreach.Data.Identity;
using Outreach.Web.Infrastructure;

namespace Outreach.Web.Pages.Engagements;

/// <summary>One engagement: what was recorded, the time from referral to first contact, follow-up outcomes, closing. Each view is audited.</summary>
public class DetailsModel(EngagementData engagements) : PageModel
{
    public EngagementDetail Engagement { get; private set; } = null!;

    public IReadOnlyList<FollowUpRow> FollowUps { get; private set; } = [];

    [BindProperty]
    public UpdateInput Update { get; set; } = new();

    [BindProperty]
    public string? Stage { get; set; }

    [BindProperty]
    public string? Outcome { get; set; }

    [BindProperty]
    public string? CloseReason { get; set; }

    public sealed class UpdateInput
    {
        [Display(Name = "First contact at (UK time)")]
        public DateTime? FirstContactAt { get; set; }

        [Display(Name = "A support plan has started")]
        public bool SupportPlanStarted { get; set; }

        [Display(Name = "They consent to support and follow-up")]
        public bool Consent { get; set; }
    }

    private long? ScopeUserId => User.IsInRole(Roles.Coordinator) || User.IsInRole(Roles.Administrator) ? null : User.UserId() ?? -1;

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, cancellationToken))
        {
            return NotFound();
        }
        Update = new UpdateInput
        {
            FirstContactAt = Engagement.FirstContactAt is { } f ? UkTime.ToLocal(f) : null,
            SupportPlanStarted = Engagement.SupportPlanStarted,
            Consent = Engagement.Consent,
        };
        return Page();
    }

    public async Task<IActionResult> OnPostUpdateAsync(long id, CancellationToken cancellationToken)
    {
        DateTime? firstContact = null;
        if (Update.FirstContactAt is { } local)
        {
            if (UkTime.TryToUtc(local, out var utc))
            {
                firstContact = utc;
            }
            else
            {
                ModelState.AddModelError("Update.FirstContactAt", "That time does not exist in the UK (the clocks go forward then). Choose another.");
            }
        }
        if (!ModelState.IsValid)
        {
            return await LoadAsync(id, cancellationToken) ? Page() : NotFound();
        }
        return await ApplyAsync(id, engagements.UpdateAsync(id, firstContact, Update.SupportPlanStarted, Update.Consent, ScopeUserId,
            HttpContext.Actor(), cancellationToken), "Update.", "Engagement updated.", cancellationToken);
    }

    public Task<IActionResult> OnPostFollowUpAsync(long id, CancellationToken cancellationToken) =>
        ApplyAsync(id, engagements.RecordFollowUpAsync(id, Stage ?? "", Outcome ?? "", ScopeUserId, HttpContext.Actor(), cancellationToken),
            "", $"Follow-up at {EngagementVocabulary.StageLabel(Stage ?? "")} recorded.", cancellationToken);

    public Task<IActionResult> OnPostCloseAsync(long id, CancellationToken cancellationToken) =>
        ApplyAsync(id, engagements.CloseAsync(id, CloseReason ?? "", ScopeUserId, HttpContext.Actor(), cancellationToken),
            "", "Case closed.", cancellationToken);

    private async Task<IActionResult> ApplyAsync(long id, Task<Outcome<bool>> change, string prefix, string done, CancellationToken cancellationToken)
    {
        var outcome = await change;
        if (outcome.Succeeded)
        {
            TempData["StatusMessage"] = done;
            return RedirectToPage(new { id });
        }
        if (outcome.Errors.Any(e => e.Field.Length == 0))
        {
            return NotFound();
        }
        ModelState.AddErrors(outcome, prefix);
        return await LoadAsync(id, cancellationToken) ? Page() : NotFound();
    }

    private async Task<bool> LoadAsync(long id, CancellationToken cancellationToken)
    {
        var found = await engagements.ReadAsync(id, ScopeUserId, HttpContext.Actor(), cancellationToken);
        if (found is null)
        {
            return false;
        }
        (Engagement, FollowUps) = found.Value;
        return true;
    }

    public static string Duration(TimeSpan span) => span.TotalMinutes < 60
        ? $"{(int)span.TotalMinutes} min"
        : span.TotalHours < 48 ? $"{(int)span.TotalHours} h {span.Minutes} min" : $"{(int)span.TotalDays} days {span.Hours} h";
}
