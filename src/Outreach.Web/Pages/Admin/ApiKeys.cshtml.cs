using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Outreach.Data.ApiKeys;
using Outreach.Data.Identity;
using Outreach.Web.Infrastructure;

namespace Outreach.Web.Pages.Admin;

/// <summary>Keys for machine clients of the API: made with a role, shown once, revocable.</summary>
public class ApiKeysModel(ApiKeyData keys, SecurityEventLog events) : PageModel
{
    public IReadOnlyList<ApiKeyRow> Keys { get; private set; } = [];

    [TempData]
    public string? NewKey { get; set; }

    [BindProperty]
    public InputModel Input { get; set; } = new();

    public sealed class InputModel
    {
        [Required(ErrorMessage = "Say who or what will use the key.")]
        [StringLength(100, ErrorMessage = "Keep the name under 100 characters.")]
        [Display(Name = "Name")]
        public string Name { get; set; } = "";

        [Required(ErrorMessage = "Choose the role the key acts as.")]
        [Display(Name = "Acts as")]
        public string Role { get; set; } = "Coordinator";
    }

    public async Task OnGetAsync(CancellationToken cancellationToken) => Keys = await keys.ListAsync(cancellationToken);

    public async Task<IActionResult> OnPostCreateAsync(CancellationToken cancellationToken)
    {
        if (ModelState.IsValid)
        {
            var outcome = await keys.CreateAsync(Input.Name, Input.Role, HttpContext.Actor(), cancellationToken);
            if (outcome.Succeeded)
            {
                events.ApiKeyEvent(SecurityEvents.ApiKeyCreated, null);
                NewKey = outcome.Value;
                return RedirectToPage();
            }
            ModelState.AddErrors(outcome);
        }
        Keys = await keys.ListAsync(cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostRevokeAsync(long id, CancellationToken cancellationToken)
    {
        var revoked = await keys.RevokeAsync(id, HttpContext.Actor(), cancellationToken);
        if (revoked)
        {
            events.ApiKeyEvent(SecurityEvents.ApiKeyRevoked, id);
        }
        TempData["StatusMessage"] = revoked ? "The key is revoked: it no longer works." : "That key was already revoked.";
        return RedirectToPage();
    }
}
