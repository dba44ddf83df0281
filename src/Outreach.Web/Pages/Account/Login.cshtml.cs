using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Outreach.Data.Identity;
using Outreach.Web.Infrastructure;

namespace Outreach.Web.Pages.Account;

/// <summary>
/// Sign-in by email and password. It answers the same way, in about the same time, whether or not the email is
/// anyone's: an unknown email has a stand-in password hash checked, and failures are counted and slowed by what
/// was typed, never by a hard lock anyone could set off (decision 0017).
/// </summary>
[EnableRateLimiting(RateLimits.SignIn)]
public class LoginModel(
    SignInManager<AppUser> signInManager, IPasswordHasher<AppUser> hasher, SignInData signIns, SecurityEventLog events) : PageModel
{
    public const string WrongEmailOrPassword = "The email or password is not right.";

    private static string? standInHash;

    [BindProperty]
    public InputModel Input { get; set; } = new();

    public string? ReturnUrl { get; set; }

    public sealed class InputModel
    {
        [Required(ErrorMessage = "Enter your email address.")]
        [EmailAddress(ErrorMessage = "Enter an email address like name@example.org.")]
        [StringLength(200, ErrorMessage = "Keep the email address under 200 characters.")]
        [Display(Name = "Email")]
        public string Email { get; set; } = "";

        [Required(ErrorMessage = "Enter your password.")]
        [StringLength(200, ErrorMessage = "Keep the password under 200 characters.")]
        [DataType(DataType.Password)]
        [Display(Name = "Password")]
        public string Password { get; set; } = "";
    }

    public void OnGet(string? returnUrl) => ReturnUrl = returnUrl;

    public async Task<IActionResult> OnPostAsync(string? returnUrl, CancellationToken cancellationToken)
    {
        ReturnUrl = returnUrl;
        if (!ModelState.IsValid)
        {
            return Page();
        }

        var source = ClientAddress.Of(HttpContext);
        var wait = await signIns.WaitBeforeAttemptAsync(Input.Email, source, cancellationToken);
        if (wait > TimeSpan.Zero)
        {
            await events.RecordAsync(HttpContext, SecurityEvents.SignInDelayed, null, new { waitSeconds = (int)Math.Ceiling(wait.TotalSeconds) });
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            Response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            ModelState.AddModelError(string.Empty, $"Too many failed sign-ins for this email. Wait {Describe(wait)} and try again.");
            return Page();
        }

        var user = await signInManager.UserManager.FindByEmailAsync(Input.Email);
        Microsoft.AspNetCore.Identity.SignInResult result;
        if (user is null)
        {
            // The same work as a wrong password for a real account, so the time taken says nothing.
            standInHash ??= hasher.HashPassword(new AppUser(), Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16)));
            hasher.VerifyHashedPassword(new AppUser(), standInHash, Input.Password);
            result = Microsoft.AspNetCore.Identity.SignInResult.Failed;
        }
        else
        {
            // No hard lock on failures: anyone could lock anyone out with five guesses. Failures slow down instead.
            result = await signInManager.PasswordSignInAsync(user, Input.Password, isPersistent: false, lockoutOnFailure: false);
        }

        if (result.Succeeded || result.RequiresTwoFactor)
        {
            await signIns.ClearFailuresAsync(Input.Email, source, cancellationToken);
        }
        if (result.Succeeded)
        {
            await events.RecordAsync(HttpContext, SecurityEvents.SignedIn, user);
            return LocalRedirect(Url.IsLocalUrl(returnUrl) ? returnUrl : "/");
        }
        if (result.RequiresTwoFactor)
        {
            return RedirectToPage("LoginWith2fa", new { returnUrl });
        }

        await signIns.RecordFailureAsync(Input.Email, source, cancellationToken);
        await events.RecordAsync(HttpContext, result.IsLockedOut ? SecurityEvents.LockedOut : SecurityEvents.SignInFailed, user,
            new { knownAccount = user is not null });
        // A locked account (too many wrong second-factor codes) answers like a wrong password: the answer never
        // says whether an account exists or what state it is in.
        ModelState.AddModelError(string.Empty, WrongEmailOrPassword);
        return Page();
    }

    public static string Describe(TimeSpan wait)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
        var minutes = (int)Math.Ceiling(wait.TotalMinutes);
        return seconds == 1 ? "1 second" : seconds <= 90 ? $"{seconds} seconds" : $"{minutes} minutes";
    }
}
