using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Outreach.Data.Identity;
using Outreach.Web.Infrastructure;

namespace Outreach.Web.Pages.Account;

/// <summary>Signing out ends this sign-in on the server at once: its row goes, so a copied cookie no longer works.</summary>
public class LogoutModel(SignInManager<AppUser> signInManager, SecurityEventLog events) : PageModel
{
    public IActionResult OnGet() => RedirectToPage("/Index");

    public async Task<IActionResult> OnPostAsync()
    {
        if (User.Identity?.IsAuthenticated == true)
        {
            await events.RecordAsync(HttpContext, SecurityEvents.SignedOut, await signInManager.UserManager.GetUserAsync(User));
        }
        await signInManager.SignOutAsync();
        return RedirectToPage("/Account/Login");
    }
}
