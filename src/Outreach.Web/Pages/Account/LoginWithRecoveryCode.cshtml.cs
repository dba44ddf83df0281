using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Outreach.Data.Identity;
using Outreach.Web.Infrastructure;

namespace Outreach.Web.Pages.Account;

/// <summary>Signing in with one of the recovery codes when the phone is lost; each code works once.</summary>
[EnableRateLimiting(RateLimits.SignIn)]
public class LoginWithRecoveryCodeModel(SignInManager<AppUser> signIn, SecurityEventLog events) : PageModel
{
    [BindProperty]
    [Required(ErrorMessage = "Enter one of your recovery codes.")]
    [StringLength(20, ErrorMessage = "A recovery code is 11 characters, like ab12c-3de45.")]
    [Display(Name = "Recovery code")]
    public string RecoveryCode { get; set; } = "";

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
        var result = await signIn.TwoFactorRecoveryCodeSignInAsync(RecoveryCode.Replace(" ", "", StringComparison.Ordinal));
        if (result.Succeeded)
        {
            await events.RecordAsync(HttpContext, SecurityEvents.RecoveryCodeUsed, user);
            await events.RecordAsync(HttpContext, SecurityEvents.SignedIn, user, new { secondFactor = "recovery code" });
            return LocalRedirect(Url.IsLocalUrl(returnUrl) ? returnUrl : "/");
        }
        await events.RecordAsync(HttpContext, result.IsLockedOut ? SecurityEvents.LockedOut : SecurityEvents.SecondFactorFailed, user);
        ModelState.AddModelError(nameof(RecoveryCode), result.IsLockedOut
            ? "This account is locked after too many failed attempts. Try again in 15 minutes."
            : "That recovery code is not right, or it has been used already.");
        return Page();
    }
}
