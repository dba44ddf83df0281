using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Outreach.Data;
using Outreach.Data.Engagements;
using Outreach.Data.Identity;
using Outreach.Web.Infrastructure;

namespace Outreach.Web.Pages.Engagements;

/// <summary>
/// Recording a young person met on an A&amp;E shift, during or after it: a new pseudonymous reference made by
/// the system, or the reference of someone seen before. No names, no free text.
/// </summary>
public class CreateModel(EngagementData engagements, TimeProvider clock) : PageModel
{
    public IReadOnlyList<AeShiftOption> Shifts { get; private set; } = [];

    [BindProperty]
    public InputModel Input { get; set; } = new();

    public sealed class InputModel
    {
        [Display(Name = "A&E shift")]
        public long SessionId { get; set; }

        [Display(Name = "Seen before by the service?")]
        public bool Returning { get; set; }

        [Display(Name = "Their reference")]
        public string? ExistingReference { get; set; }

        [Required(ErrorMessage = "Choose an age band.")]
        [Display(Name = "Age band")]
        public string? AgeBand { get; set; }

        [Display(Name = "Gender (optional)")]
        public string? Gender { get; set; }

        [Required(ErrorMessage = "Choose why they came to A&E.")]
        [Display(Name = "Why they came to A&E")]
        public string? PresentingReason { get; set; }

        [Display(Name = "They consent to support and follow-up")]
        public bool Consent { get; set; }

        [Required(ErrorMessage = "Choose who referred them.")]
        [Display(Name = "Referred by")]
        public string? ReferralSource { get; set; }

        [Required(ErrorMessage = "Enter when they were referred.")]
        [Display(Name = "Referred at (UK time)")]
        public DateTime? ReferredAt { get; set; }

        [Display(Name = "First contact at (UK time)")]
        public DateTime? FirstContactAt { get; set; }

        [Display(Name = "A support plan has started")]
        public bool SupportPlanStarted { get; set; }
    }

    private long? ScopeUserId => User.IsInRole(Roles.Coordinator) || User.IsInRole(Roles.Administrator) ? null : User.UserId() ?? -1;

    public async Task OnGetAsync(long? sessionId, CancellationToken cancellationToken)
    {
        Shifts = await engagements.ShiftsAsync(ScopeUserId, cancellationToken);
        Input.SessionId = sessionId ?? (Shifts.Count > 0 ? Shifts[0].SessionId : 0);
        var now = UkTime.ToLocal(clock.GetUtcNow().UtcDateTime);
        Input.ReferredAt = now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMinute));
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        Shifts = await engagements.ShiftsAsync(ScopeUserId, cancellationToken);
        var referredAt = ToUtc(Input.ReferredAt, "Input.ReferredAt");
        var firstContactAt = ToUtc(Input.FirstContactAt, "Input.FirstContactAt");
        if (Input.Returning && string.IsNullOrWhiteSpace(Input.ExistingReference))
        {
            ModelState.AddModelError("Input.ExistingReference", "Enter the reference they were given before.");
        }
        if (Input.Gender is { Length: 0 })
        {
            Input.Gender = null;
        }
        if (!ModelState.IsValid || referredAt is null)
        {
            return Page();
        }
        var outcome = await engagements.CreateAsync(new NewEngagement(
            Input.SessionId, Input.Returning ? Input.ExistingReference : null, Input.AgeBand!, Input.Gender, Input.PresentingReason!,
            Input.Consent, Input.ReferralSource!, referredAt.Value, firstContactAt, Input.SupportPlanStarted),
            ScopeUserId, HttpContext.Actor(), cancellationToken);
        if (!outcome.Succeeded)
        {
            ModelState.AddErrors(outcome);
            return Page();
        }
        var created = outcome.Value!;
        TempData["StatusMessage"] = created.Returning
            ? $"Engagement recorded for returning young person {created.Reference}. Follow-ups are booked at 4 weeks, 12 weeks and 6 months."
            : $"Engagement recorded. Their reference is {created.Reference}: give it to them and use it if they come back.";
        return RedirectToPage("Details", new { id = created.Id });
    }

    private DateTime? ToUtc(DateTime? local, string field)
    {
        if (local is not { } value)
        {
            return null;
        }
        if (UkTime.TryToUtc(value, out var utc))
        {
            return utc;
        }
        ModelState.AddModelError(field, "That time does not exist in the UK (the clocks go forward then). Choose another.");
        return null;
    }
}
