using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Outreach.Data.Identity;
using Outreach.Data.Workers;
using Outreach.Web.Infrastructure;

namespace Outreach.Web.Pages.Account;

/// <summary>A youth worker follows the link from a texted invitation and chooses a password (a first one, or a new one).</summary>
[EnableRateLimiting(RateLimits.SignIn)]
public class ActivateModel(UserManager<AppUser> users, InvitationData invitations, SignInData signIns, SecurityEventLog events) : PageModel
{
    [BindProperty(SupportsGet = true, Name = "user")]
    public long Invitee { get; set; }

    [BindProperty(SupportsGet = true)]
    public string Code { get; set; } = "";

    [BindProperty]
    public InputModel Input { get; set; } = new();

    public bool LinkValid { get; private set; }

    public string? Email { get; private set; }

    public sealed class InputModel
    {
        [Required(ErrorMessage = "Choose a password.")]
        [StringLength(200, MinimumLength = 12, ErrorMessage = "Use at least 12 characters.")]
        [DataType(DataType.Password)]
        [Display(Name = "New password")]
        public string Password { get; set; } = "";

        [Required(ErrorMessage = "Type the password again.")]
        [Compare(nameof(Password), ErrorMessage = "The two passwords are not the same.")]
        [DataType(DataType.Password)]
        [Display(Name = "New password again")]
        public string ConfirmPassword { get; set; } = "";
    }

    public async Task OnGetAsync(CancellationToken cancellationToken) => await LoadAsync(cancellationToken);

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        var user = await LoadAsync(cancellationToken);
        if (user is null || !ModelState.IsValid)
        {
            return Page();
        }
        foreach (var validator in users.PasswordValidators)
        {
            var check = await validator.ValidateAsync(users, user, Input.Password);
            foreach (var error in check.Errors)
            {
                ModelState.AddModelError("Input.Password", error.Description);
            }
        }
        if (!ModelState.IsValid)
        {
            return Page();
        }
        if (!await invitations.RedeemAsync(user.Id, Code, cancellationToken))
        {
            LinkValid = false;
            return Page();
        }
        // A forgotten password: the link replaces it (and, through the new security stamp, signs out any device
        // still signed in with it).
        if (user.PasswordHash is not null)
        {
            var removed = await users.RemovePasswordAsync(user);
            if (!removed.Succeeded)
            {
                ModelState.AddModelError("Input.Password", "Your password could not be changed. Ask your coordinator for a new link.");
                return Page();
            }
            await users.SetLockoutEndDateAsync(user, null);
            await users.ResetAccessFailedCountAsync(user);
        }
        var result = await users.AddPasswordAsync(user, Input.Password);
        if (!result.Succeeded)
        {
            foreach (var error in result.Errors)
            {
                ModelState.AddModelError("Input.Password", error.Description);
            }
            return Page();
        }
        // Whoever was signed in with the old password is signed out at once.
        await signIns.EndAllSessionsAsync(user.Id, cancellationToken);
        await events.RecordAsync(HttpContext, SecurityEvents.PasswordSet, user, new { by = "set-up link" });
        TempData["StatusMessage"] = "Your password is set. Sign in with your email address and new password.";
        return RedirectToPage("/Account/Login");
    }

    private async Task<AppUser?> LoadAsync(CancellationToken cancellationToken)
    {
        var user = Invitee > 0 ? await users.FindByIdAsync(Invitee.ToString(System.Globalization.CultureInfo.InvariantCulture)) : null;
        // Staff sign in with two factors: their passwords are never set from a texted link.
        LinkValid = user is not null && await invitations.IsValidAsync(user.Id, Code, cancellationToken)
            && !await users.IsInRoleAsync(user, Roles.Administrator) && !await users.IsInRoleAsync(user, Roles.Coordinator);
        Email = LinkValid ? user!.Email : null;
        return LinkValid ? user : null;
    }
}
