using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Outreach.Data.Sessions;
using Outreach.Jobs;
using Outreach.Web.Infrastructure;

namespace Outreach.Web.Pages.Sessions;

/// <summary>
/// Cancels one session, or this one and the later occurrences of its series, with the reason. Bookings
/// stay as they are (the record of who was due to go); reminders are not sent for cancelled sessions.
/// </summary>
public class CancelModel(SessionEditData edits, FollowUpJobs followUps) : PageModel
{
    public SessionForEdit Session { get; private set; } = null!;

    [BindProperty]
    public InputModel Input { get; set; } = new();

    public sealed class InputModel
    {
        [Display(Name = "Cancel")]
        public ChangeScope Scope { get; set; } = ChangeScope.This;

        [Required(ErrorMessage = "Give the reason for cancelling: the workers and the venue will ask.")]
        [StringLength(500, ErrorMessage = "Keep the reason under 500 characters.")]
        [Display(Name = "Reason")]
        public string Reason { get; set; } = "";
    }

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken cancellationToken) =>
        await LoadAsync(id, cancellationToken) ? Page() : NotFound();

    public async Task<IActionResult> OnPostAsync(long id, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, cancellationToken))
        {
            return NotFound();
        }
        if (!Enum.IsDefined(Input.Scope))
        {
            ModelState.AddModelError("Input.Scope", "Choose which sessions to cancel.");
        }
        if (!ModelState.IsValid)
        {
            return Page();
        }
        var outcome = await edits.CancelAsync(id, Input.Scope, Input.Reason, HttpContext.Actor(), cancellationToken);
        if (!outcome.Succeeded)
        {
            ModelState.AddErrors(outcome);
            return Page();
        }
        followUps.Enqueue(outcome);
        var count = outcome.Value!.Count;
        TempData["StatusMessage"] = count == 1 ? "The session is cancelled." : $"{count} sessions are cancelled.";
        return RedirectToPage("Details", new { id });
    }

    private async Task<bool> LoadAsync(long id, CancellationToken cancellationToken)
    {
        var session = await edits.FindAsync(id, cancellationToken);
        if (session is null)
        {
            return false;
        }
        Session = session;
        return true;
    }
}
