using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Outreach.Web.Pages.Account;

/// <summary>Shows new recovery codes once, right after they are made.</summary>
public class ShowRecoveryCodesModel : PageModel
{
    [TempData]
    public string? RecoveryCodes { get; set; }

    public IReadOnlyList<string> Codes { get; private set; } = [];

    public IActionResult OnGet()
    {
        if (string.IsNullOrEmpty(RecoveryCodes))
        {
            return RedirectToPage("Security");
        }
        Codes = RecoveryCodes.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return Page();
    }
}
