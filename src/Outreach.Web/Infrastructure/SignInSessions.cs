using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Outreach.Data.Identity;

namespace Outreach.Web.Infrastructure;

/// <summary>
/// Keeps each sign-in on the server: the cookie holds a random key, the sign-in itself (claims, expiry) is a
/// data-protected row of <c>sign_in_sessions</c>. Signing out deletes the row, so a copied cookie stops working
/// at once, in every web process; it is looked up on each request by its primary key.
/// </summary>
public sealed class SignInSessions(SignInData signIns, IDataProtectionProvider protection, TimeProvider clock) : ITicketStore
{
    private readonly IDataProtector _protector = protection.CreateProtector("Outreach.SignInSessions");

    public async Task<string> StoreAsync(AuthenticationTicket ticket) => await StoreAsync(ticket, CancellationToken.None);

    public async Task<string> StoreAsync(AuthenticationTicket ticket, CancellationToken cancellationToken)
    {
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var userId = long.Parse(ticket.Principal.FindFirstValue(ClaimTypes.NameIdentifier) ?? throw new InvalidOperationException("A sign-in without a user."),
            NumberStyles.None, CultureInfo.InvariantCulture);
        await signIns.StoreSessionAsync(key, userId, Protect(ticket), Expiry(ticket), cancellationToken);
        return key;
    }

    public Task RenewAsync(string key, AuthenticationTicket ticket) => RenewAsync(key, ticket, CancellationToken.None);

    public Task RenewAsync(string key, AuthenticationTicket ticket, CancellationToken cancellationToken) =>
        signIns.RenewSessionAsync(key, Protect(ticket), Expiry(ticket), cancellationToken);

    public Task<AuthenticationTicket?> RetrieveAsync(string key) => RetrieveAsync(key, CancellationToken.None);

    public async Task<AuthenticationTicket?> RetrieveAsync(string key, CancellationToken cancellationToken)
    {
        var stored = await signIns.SessionAsync(key, cancellationToken);
        if (stored is null)
        {
            return null;
        }
        try
        {
            return TicketSerializer.Default.Deserialize(_protector.Unprotect(stored));
        }
        catch (CryptographicException)
        {
            // A key ring that no longer holds its key: the same as signed out.
            return null;
        }
    }

    public Task RemoveAsync(string key) => RemoveAsync(key, CancellationToken.None);

    public Task RemoveAsync(string key, CancellationToken cancellationToken) => signIns.EndSessionAsync(key, cancellationToken);

    private byte[] Protect(AuthenticationTicket ticket) => _protector.Protect(TicketSerializer.Default.Serialize(ticket));

    private DateTimeOffset Expiry(AuthenticationTicket ticket) =>
        ticket.Properties.ExpiresUtc ?? clock.GetUtcNow() + SignInPolicy.IdleTimeout;
}
