using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Outreach.Web.Infrastructure;
using Outreach.Data.Identity;

namespace Outreach.Web.Pages.Account;

[EnableRateLimiting(RateLimits.SignIn)]
public class LoginModel(SignInManager<AppUser> signInManager, SignInLimiter limiter, ILogger<LoginModel> logger) : PageModel
{
    [BindProperty]
    public InputModel Input { get; set; } = new();

    public string? ReturnUrl { get; set; }

    public sealed class InputModel
    {
        [Required(ErrorMessage = "Enter your email address.")]
        [EmailAddress(ErrorMessage = "Enter an email address like name@example.org.")]
        [Display(Name = "Email")]
        public string Email { get; set; } = "";

        [Required(ErrorMessage = "Enter your password.")]
        [DataType(DataType.Password)]
        [Display(Name = "Password")]
        public string Password { get; set; } = "";
    }

    public void OnGet(string? returnUrl) => ReturnUrl = returnUrl;

    public async Task<IActionResult> OnPostAsync(string? returnUrl)
    {
        ReturnUrl = returnUrl;
        if (!ModelState.IsValid)
        {
            return Page();
        }

        if (!limiter.TryAcquire(Input.Email))
        {
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            ModelState.AddModelError(string.Empty, "Too many sign-in attempts for this account. Wait a minute and try again.");
            return Page();
        }

        var result = await signInManager.PasswordSignInAsync(Input.Email, Input.Password, isPersistent: false, lockoutOnFailure: true);
        if (result.Succeeded)
        {
            logger.LogInformation("User signed in");
            return LocalRedirect(Url.IsLocalUrl(returnUrl) ? returnUrl : "/");
        }
        if (result.RequiresTwoFactor)
        {
            return RedirectToPage("LoginWith2fa", new { returnUrl });
        }
        if (result.IsLockedOut)
        {
            ModelState.AddModelError(string.Empty, "This account is locked after too many failed attempts. Try again in 15 minutes.");
            return Page();
        }
        ModelState.AddModelError(string.Empty, "The email or password is not right.");
        return Page();
    }
}
