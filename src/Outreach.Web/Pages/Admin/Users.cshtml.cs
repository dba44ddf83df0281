using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Outreach.Data.Identity;
using Outreach.Web.Infrastructure;

namespace Outreach.Web.Pages.Admin;

/// <summary>Sign-in accounts: each user's role (one of <see cref="Roles.All"/>) and unlocking a locked-out account.</summary>
public class UsersModel(UserManager<AppUser> userManager, UserListData list, UserAuditData audit, TimeProvider clock) : PageModel
{
    public IReadOnlyList<UserItem> Users { get; private set; } = [];

    [BindProperty(SupportsGet = true, Name = "q")]
    public string? Search { get; set; }

    public string? ErrorMessage { get; private set; }

    public DateTime Now => clock.GetUtcNow().UtcDateTime;

    public async Task OnGetAsync(CancellationToken cancellationToken) => Users = await list.ListAsync(Search, cancellationToken);

    public async Task<IActionResult> OnPostRoleAsync(string? id, string? role, CancellationToken cancellationToken)
    {
        var newRole = Roles.All.FirstOrDefault(r => string.Equals(r, role, StringComparison.Ordinal));
        if (newRole is null)
        {
            return await RefuseAsync($"“{role}” is not a role. Choose one of: {string.Join(", ", Roles.All)}.", cancellationToken);
        }
        var user = await FindAsync(id);
        if (user is null)
        {
            return await RefuseAsync("There is no such user: nothing was changed.", cancellationToken);
        }
        if (user.Id == User.UserId() && newRole != Roles.Administrator)
        {
            return await RefuseAsync("You cannot remove your own Administrator role: ask another administrator to do it.", cancellationToken);
        }
        var before = (await userManager.GetRolesAsync(user)).Order(StringComparer.Ordinal).ToArray();
        if (before.SequenceEqual([newRole]))
        {
            TempData["StatusMessage"] = $"{user.Email ?? user.UserName} is already {newRole}.";
            return RedirectToPage(new { q = Search });
        }
        var result = await userManager.RemoveFromRolesAsync(user, before);
        if (result.Succeeded)
        {
            result = await userManager.AddToRoleAsync(user, newRole);
        }
        if (result.Succeeded)
        {
            // Signs the user out everywhere at the next security stamp check.
            result = await userManager.UpdateSecurityStampAsync(user);
        }
        var after = (await userManager.GetRolesAsync(user)).Order(StringComparer.Ordinal).ToArray();
        if (!before.SequenceEqual(after))
        {
            await audit.WriteAsync(HttpContext.Actor(), "change-role", user.Id, new { roles = before }, new { roles = after }, cancellationToken);
        }
        if (!result.Succeeded)
        {
            return await RefuseAsync("The role could not be changed: " + string.Join(" ", result.Errors.Select(e => e.Description)), cancellationToken);
        }
        TempData["StatusMessage"] = $"{user.Email ?? user.UserName} is now {newRole}, and is signed out everywhere.";
        return RedirectToPage(new { q = Search });
    }

    public async Task<IActionResult> OnPostUnlockAsync(string? id, CancellationToken cancellationToken)
    {
        var user = await FindAsync(id);
        if (user is null)
        {
            return await RefuseAsync("There is no such user: nothing was changed.", cancellationToken);
        }
        var before = new { lockoutEnd = user.LockoutEnd, accessFailedCount = user.AccessFailedCount };
        var result = await userManager.SetLockoutEndDateAsync(user, null);
        if (result.Succeeded)
        {
            result = await userManager.ResetAccessFailedCountAsync(user);
        }
        if (!result.Succeeded)
        {
            return await RefuseAsync("The account could not be unlocked: " + string.Join(" ", result.Errors.Select(e => e.Description)), cancellationToken);
        }
        await audit.WriteAsync(HttpContext.Actor(), "unlock", user.Id, before, new { lockoutEnd = (DateTimeOffset?)null, accessFailedCount = 0 }, cancellationToken);
        TempData["StatusMessage"] = $"{user.Email ?? user.UserName} is unlocked and can sign in again.";
        return RedirectToPage(new { q = Search });
    }

    private async Task<AppUser?> FindAsync(string? id) =>
        string.IsNullOrWhiteSpace(id) ? null : await userManager.FindByIdAsync(id);

    private async Task<IActionResult> RefuseAsync(string message, CancellationToken cancellationToken)
    {
        ErrorMessage = message;
        Users = await list.ListAsync(Search, cancellationToken);
        return Page();
    }
}
