using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Outreach.Data;
using Outreach.Data.Safeguarding;
using Outreach.Web.Infrastructure;

namespace Outreach.Web.Pages.Safeguarding;

/// <summary>One concern: its details (each opening audited), the handover to the venue's safeguarding lead, their acknowledgement, closing.</summary>
public class DetailsModel(SafeguardingData concerns) : PageModel
{
    public ConcernDetail Concern { get; private set; } = null!;

    public SafeguardingLead? Lead { get; private set; }

    [BindProperty]
    [Required(ErrorMessage = "Say who it was handed to.")]
    [StringLength(300, ErrorMessage = "Keep this under 300 characters.")]
    [Display(Name = "Handed over to (name, role, how)")]
    public string? HandedOverTo { get; set; }

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, cancellationToken))
        {
            return NotFound();
        }
        HandedOverTo ??= Concern.HandedOverTo ?? Lead?.Describe();
        return Page();
    }

    public async Task<IActionResult> OnPostHandOverAsync(long id, CancellationToken cancellationToken)
    {
        if (!ModelState.IsValid || string.IsNullOrWhiteSpace(HandedOverTo))
        {
            ModelState.TryAddModelError(nameof(HandedOverTo), "Say who it was handed to.");
            return await LoadAsync(id, cancellationToken) ? Page() : NotFound();
        }
        return await ApplyAsync(id, concerns.HandOverAsync(id, HandedOverTo.Trim(), HttpContext.Actor(), cancellationToken),
            "Handover recorded.", cancellationToken);
    }

    public Task<IActionResult> OnPostAcknowledgeAsync(long id, CancellationToken cancellationToken) =>
        ApplyAsync(id, concerns.AcknowledgeAsync(id, HttpContext.Actor(), cancellationToken), "Acknowledgement recorded.", cancellationToken);

    public Task<IActionResult> OnPostCloseAsync(long id, CancellationToken cancellationToken) =>
        ApplyAsync(id, concerns.CloseAsync(id, HttpContext.Actor(), cancellationToken), "Concern closed.", cancellationToken);

    private async Task<IActionResult> ApplyAsync(long id, Task<Outcome<bool>> change, string done, CancellationToken cancellationToken)
    {
        ModelState.Remove(nameof(HandedOverTo));
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
        ModelState.AddErrors(outcome, "");
        return await LoadAsync(id, cancellationToken) ? Page() : NotFound();
    }

    private async Task<bool> LoadAsync(long id, CancellationToken cancellationToken)
    {
        var found = await concerns.ReadAsync(id, HttpContext.Actor(), cancellationToken);
        if (found is null)
        {
            return false;
        }
        (Concern, Lead) = found.Value;
        return true;
    }
}
