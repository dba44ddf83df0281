using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Outreach.Data.Identity;
using Outreach.Web.Infrastructure;

namespace Outreach.Web.Pages.Account;

/// <summary>The second step of signing in: the code from the authenticator app.</summary>
[EnableRateLimiting(RateLimits.SignIn)]
public class LoginWith2faModel(SignInManager<AppUser> signIn, SecurityEventLog events) : PageModel
{
    [BindProperty]
    [Required(ErrorMessage = "Enter the 6-digit code from your authenticator app.")]
    [RegularExpression(@"^\s*\d{3}\s?\d{3}\s*$", ErrorMessage = "The code is 6 digits, like 123 456.")]
    [Display(Name = "Code from your app")]
    public string Code { get; set; } = "";

    public string? ReturnUrl { get; private set; }

    public async Task<IActionResult> OnGetAsync(string? returnUrl)
    {
        ReturnUrl = returnUrl;
        return await signIn.GetTwoFactorAuthenticationUserAsync() is null ? RedirectToPage("Login") : Page();
    }

    public async Task<IActionResult> OnPostAsync(string? returnUrl)
    {
        ReturnUrl = returnUrl;
        var user = await signIn.GetTwoFactorAuthenticationUserAsync();
        if (user is null)
        {
            return RedirectToPage("Login");
        }
        if (!ModelState.IsValid)
        {
            return Page();
        }
        var result = await signIn.TwoFactorAuthenticatorSignInAsync(Code.Replace(" ", "", StringComparison.Ordinal), isPersistent: false, rememberClient: false);
        if (result.Succeeded)
        {
            await events.RecordAsync(HttpContext, SecurityEvents.SignedIn, user, new { secondFactor = "authenticator" });
            return LocalRedirect(Url.IsLocalUrl(returnUrl) ? returnUrl : "/");
        }
        await events.RecordAsync(HttpContext, result.IsLockedOut ? SecurityEvents.LockedOut : SecurityEvents.SecondFactorFailed, user);
        if (result.IsLockedOut)
        {
            ModelState.AddModelError(string.Empty, "This account is locked after too many failed attempts. Try again in 15 minutes.");
            return Page();
        }
        ModelState.AddModelError(nameof(Code), "That code is not right. Try the newest code from your app.");
        return Page();
    }
}
