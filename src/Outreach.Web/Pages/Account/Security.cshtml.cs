using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Outreach.Data.Identity;
using Outreach.Web.Infrastructure;

namespace Outreach.Web.Pages.Account;

/// <summary>The signed-in user's own security: password, two-factor sign-in, recovery codes, signing out everywhere.</summary>
public class SecurityModel(UserManager<AppUser> users, SignInManager<AppUser> signIn, SignInData signIns, SecurityEventLog events) : PageModel
{
    public bool TwoFactorEnabled { get; private set; }

    public int RecoveryCodesLeft { get; private set; }

    [TempData]
    public string? RecoveryCodes { get; set; }

    [BindProperty]
    public PasswordInput Input { get; set; } = new();

    public sealed class PasswordInput
    {
        [Required(ErrorMessage = "Enter your current password.")]
        [DataType(DataType.Password)]
        [Display(Name = "Current password")]
        public string CurrentPassword { get; set; } = "";

        [Required(ErrorMessage = "Choose a new password.")]
        [StringLength(200, MinimumLength = 12, ErrorMessage = "Use at least 12 characters.")]
        [DataType(DataType.Password)]
        [Display(Name = "New password")]
        public string NewPassword { get; set; } = "";

        [Required(ErrorMessage = "Type the new password again.")]
        [Compare(nameof(NewPassword), ErrorMessage = "The two passwords are not the same.")]
        [DataType(DataType.Password)]
        [Display(Name = "New password again")]
        public string ConfirmPassword { get; set; } = "";
    }

    public async Task<IActionResult> OnGetAsync() => await LoadAsync() is null ? Challenge() : Page();

    public async Task<IActionResult> OnPostChangePasswordAsync()
    {
        var user = await LoadAsync();
        if (user is null)
        {
            return Challenge();
        }
        if (!ModelState.IsValid)
        {
            return Page();
        }
        // Changing the password renews the security stamp: every other sign-in ends within a minute.
        var result = await users.ChangePasswordAsync(user, Input.CurrentPassword, Input.NewPassword);
        if (!result.Succeeded)
        {
            foreach (var error in result.Errors)
            {
                ModelState.AddModelError(error.Code == "PasswordMismatch" ? "Input.CurrentPassword" : "Input.NewPassword",
                    error.Code == "PasswordMismatch" ? "Your current password is not right." : error.Description);
            }
            return Page();
        }
        await events.RecordAsync(HttpContext, SecurityEvents.PasswordChanged, user);
        await signIn.RefreshSignInAsync(user);
        TempData["StatusMessage"] = "Your password is changed. Any other place you were signed in has been signed out.";
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostSignOutEverywhereAsync()
    {
        var user = await users.GetUserAsync(User);
        if (user is null)
        {
            return Challenge();
        }
        await users.UpdateSecurityStampAsync(user);
        var ended = await signIns.EndAllSessionsAsync(user.Id, HttpContext.RequestAborted);
        await events.RecordAsync(HttpContext, SecurityEvents.SignedOutEverywhere, user, new { signInsEnded = ended });
        await signIn.SignOutAsync();
        TempData["StatusMessage"] = "You are signed out everywhere. Sign in again to continue.";
        return RedirectToPage("Login");
    }

    public async Task<IActionResult> OnPostNewRecoveryCodesAsync()
    {
        var user = await users.GetUserAsync(User);
        if (user is null || !user.TwoFactorEnabled)
        {
            return RedirectToPage();
        }
        RecoveryCodes = string.Join(' ', await users.GenerateNewTwoFactorRecoveryCodesAsync(user, 10) ?? []);
        await events.RecordAsync(HttpContext, SecurityEvents.RecoveryCodesMade, user);
        return RedirectToPage("ShowRecoveryCodes");
    }

    private async Task<AppUser?> LoadAsync()
    {
        var user = await users.GetUserAsync(User);
        if (user is not null)
        {
            TwoFactorEnabled = user.TwoFactorEnabled;
            RecoveryCodesLeft = user.TwoFactorEnabled ? await users.CountRecoveryCodesAsync(user) : 0;
        }
        return user;
    }
}
