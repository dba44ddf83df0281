using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Outreach.Data.Identity;
using Outreach.Web.Infrastructure;
using QRCoder;

namespace Outreach.Web.Pages.Account;

/// <summary>Sets up two-factor sign-in with an authenticator app: scan the code, type a code back, keep the recovery codes.</summary>
public class EnableAuthenticatorModel(UserManager<AppUser> users, SignInManager<AppUser> signIn, SecurityEventLog events) : PageModel
{
    public string SharedKey { get; private set; } = "";

    public string QrCodeDataUri { get; private set; } = "";

    public bool Required { get; private set; }

    [TempData]
    public string? RecoveryCodes { get; set; }

    [BindProperty]
    [Required(ErrorMessage = "Enter the 6-digit code your app shows.")]
    [RegularExpression(@"^\s*\d{3}\s?\d{3}\s*$", ErrorMessage = "The code is 6 digits, like 123 456.")]
    [Display(Name = "Code from the app")]
    public string Code { get; set; } = "";

    public async Task<IActionResult> OnGetAsync(bool required)
    {
        Required = required;
        var user = await users.GetUserAsync(User);
        if (user is null)
        {
            return Challenge();
        }
        if (RecoveryCodes is null && user.TwoFactorEnabled)
        {
            return RedirectToPage("Security");
        }
        await LoadKeyAsync(user);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var user = await users.GetUserAsync(User);
        if (user is null)
        {
            return Challenge();
        }
        if (!ModelState.IsValid)
        {
            await LoadKeyAsync(user);
            return Page();
        }
        var code = Code.Replace(" ", "", StringComparison.Ordinal);
        if (!await users.VerifyTwoFactorTokenAsync(user, users.Options.Tokens.AuthenticatorTokenProvider, code))
        {
            ModelState.AddModelError(nameof(Code), "That code is not right. Check the time on your phone and try the newest code.");
            await LoadKeyAsync(user);
            return Page();
        }
        await users.SetTwoFactorEnabledAsync(user, true);
        await events.RecordAsync(HttpContext, SecurityEvents.SecondFactorEnabled, user);
        var codes = await users.GenerateNewTwoFactorRecoveryCodesAsync(user, 10);
        RecoveryCodes = string.Join(' ', codes ?? []);
        await signIn.RefreshSignInAsync(user);
        return RedirectToPage("ShowRecoveryCodes");
    }

    private async Task LoadKeyAsync(AppUser user)
    {
        var key = await users.GetAuthenticatorKeyAsync(user);
        if (string.IsNullOrEmpty(key))
        {
            await users.ResetAuthenticatorKeyAsync(user);
            key = await users.GetAuthenticatorKeyAsync(user);
        }
        SharedKey = string.Join(' ', Enumerable.Range(0, (key!.Length + 3) / 4).Select(i => key.Substring(i * 4, Math.Min(4, key.Length - (i * 4)))))
            .ToLower(CultureInfo.InvariantCulture);
        var uri = $"otpauth://totp/Outreach:{Uri.EscapeDataString(user.Email ?? user.UserName)}?secret={key}&issuer=Outreach&digits=6";
        using var data = QRCodeGenerator.GenerateQrCode(uri, QRCodeGenerator.ECCLevel.M);
        using var png = new PngByteQRCode(data);
        QrCodeDataUri = "data:image/png;base64," + Convert.ToBase64String(png.GetGraphic(5));
    }
}
