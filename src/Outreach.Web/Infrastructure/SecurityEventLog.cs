using Outreach.Data.Identity;

namespace Outreach.Web.Infrastructure;

/// <summary>
/// Security events (<see cref="SecurityEvents"/>) to both places they belong: the audit log, where administrators
/// filter for them, and the structured log, for whoever watches the service. Neither ever carries a password,
/// code, link, key or the email typed into a failed sign-in: only the event, the account when it is known, and
/// (in the audit log) the source address.
/// </summary>
public sealed class SecurityEventLog(SignInData signIns, ILogger<SecurityEventLog> logger)
{
    public async Task RecordAsync(HttpContext context, string action, AppUser? user, object? details = null)
    {
        var actor = context.Actor();
        // A successful sign-in is the user's own act; anything before it (a failure, a wait) is by whoever typed,
        // so it is recorded as anonymous against the account.
        if (action == SecurityEvents.SignedIn && user is not null && actor.UserId is null)
        {
            actor = actor with { UserId = user.Id, Name = user.UserName ?? actor.Name };
        }
        await signIns.RecordEventAsync(actor, action, user?.Id, details, context.RequestAborted);
        logger.LogInformation("Security event {SecurityEvent} for user {UserId}", action, user?.Id);
    }

    /// <summary>The structured-log side of an API key's event; ApiKeyData writes its audit event in the same transaction as the change.</summary>
    public void ApiKeyEvent(string action, long? keyId) =>
        logger.LogInformation("Security event {SecurityEvent} for API key {ApiKeyId}", action, keyId);
}
