using System.Collections.Frozen;
using Microsoft.AspNetCore.Identity;
using Outreach.Data.Identity;

namespace Outreach.Web.Infrastructure;

/// <summary>
/// Refuses passwords found in breach lists (the 12-character-and-longer entries of the SecLists top
/// million, bundled with the site) and passwords that are just the user's email address.
/// Length and this list replace composition rules (NIST SP 800-63B, OWASP ASVS 2.1).
/// </summary>
public sealed class CommonPasswordValidator : IPasswordValidator<AppUser>
{
    private static readonly Lazy<FrozenSet<string>> Common = new(Load);

    public Task<IdentityResult> ValidateAsync(UserManager<AppUser> manager, AppUser user, string? password)
    {
        if (string.IsNullOrEmpty(password))
        {
            return Task.FromResult(IdentityResult.Success);
        }
        if (Common.Value.Contains(password) || string.Equals(password, user.Email, StringComparison.OrdinalIgnoreCase)
            || string.Equals(password, user.UserName, StringComparison.OrdinalIgnoreCase))
        {
            return Task.FromResult(IdentityResult.Failed(new IdentityError
            {
                Code = "CommonPassword",
                Description = "This password is too common or too easy to guess. Choose another: a few unrelated words work well.",
            }));
        }
        return Task.FromResult(IdentityResult.Success);
    }

    private static FrozenSet<string> Load()
    {
        using var stream = typeof(CommonPasswordValidator).Assembly.GetManifestResourceStream("common-passwords.txt")
            ?? throw new InvalidOperationException("The common password list is missing from the build.");
        using var reader = new StreamReader(stream);
        var words = new List<string>();
        while (reader.ReadLine() is { } line)
        {
            if (line.Length > 0)
            {
                words.Add(line);
            }
        }
        return words.ToFrozenSet(StringComparer.OrdinalIgnoreCase);
    }
}
