using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Outreach.Data.Sessions;
using Outreach.Web.Infrastructure;

namespace Outreach.Web.Pages.Sessions;

/// <summary>Who a session is for: the expected audience size and the school year groups.</summary>
public class AudienceModel(SessionData sessions) : PageModel
{
    public SessionDetail Session { get; private set; } = null!;

    [BindProperty]
    public InputModel Input { get; set; } = new();

    public sealed class InputModel
    {
        [Range(0, 5000, ErrorMessage = "Enter an expected audience between 0 and 5000.")]
        [Display(Name = "Expected audience")]
        public int? ExpectedSize { get; set; }

        public List<long> YearGroups { get; set; } = [];
    }

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, cancellationToken))
        {
            return NotFound();
        }
        Input = new InputModel { ExpectedSize = Session.ExpectedSize, YearGroups = Session.YearGroups.Select(y => (long)y).ToList() };
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(long id, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, cancellationToken))
        {
            return NotFound();
        }
        if (!ModelState.IsValid)
        {
            return Page();
        }
        var outcome = await sessions.SetAudienceAsync(id, Input.ExpectedSize,
            Input.YearGroups.Select(y => (int)Math.Clamp(y, -1, 99)).ToList(), HttpContext.Actor(), cancellationToken);
        if (!outcome.Succeeded)
        {
            ModelState.AddErrors(outcome);
            return Page();
        }
        if (!outcome.Value)
        {
            return NotFound();
        }
        TempData["StatusMessage"] = "The audience is saved.";
        return RedirectToPage("Details", new { id });
    }

    private async Task<bool> LoadAsync(long id, CancellationToken cancellationToken)
    {
        var session = await sessions.FindAsync(id, cancellationToken);
        if (session is null)
        {
            return false;
        }
        Session = session;
        return true;
    }
}
