using Hangfire;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Outreach.Data;
using Outreach.Data.Identity;
using Outreach.Data.Messages;
using Outreach.Data.Workers;
using Outreach.Jobs.Sms;

namespace Outreach.Web.Infrastructure;

/// <summary>
/// Texts a youth worker a one-time link to set their password: when they are added, and again from their page
/// when the first link lapsed, never came, or the password is forgotten. Their sign-in account is made on the
/// first link. Staff accounts are never reset this way: they sign in with two factors and an administrator
/// deals with them.
/// </summary>
public sealed class WorkerInvitations(
    InvitationData invitations, WorkerData workers, UserManager<AppUser> users, OutboxData outbox,
    IBackgroundJobClient jobs, IOptions<SiteOptions> site, TimeProvider clock)
{
    /// <returns>Null when the text is queued; otherwise why not, in words for the coordinator.</returns>
    public async Task<string?> SendAsync(long workerId, Actor actor, CancellationToken cancellationToken)
    {
        var invitee = await invitations.InviteeAsync(workerId, cancellationToken);
        if (invitee is null)
        {
            return "That youth worker no longer exists.";
        }
        if (!invitee.Active)
        {
            return $"{invitee.FullName} is not active. Make them active before sending a sign-in link.";
        }
        if (invitee.SmsOptedOut)
        {
            return $"{invitee.FullName} replied STOP, so texts do not reach them. They can reply START to take texts again.";
        }
        if (string.IsNullOrWhiteSpace(invitee.Email))
        {
            return $"Add {invitee.FullName}'s email address first: it is what they sign in with.";
        }

        AppUser? user;
        if (invitee.UserId is { } userId)
        {
            user = await users.FindByIdAsync(userId.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (user is null)
            {
                return "Their sign-in account could not be found.";
            }
            if (await users.IsInRoleAsync(user, Roles.Administrator) || await users.IsInRoleAsync(user, Roles.Coordinator))
            {
                return $"{invitee.FullName} signs in as staff: an administrator resets staff passwords.";
            }
        }
        else
        {
            if (await users.FindByEmailAsync(invitee.Email) is not null)
            {
                return $"Someone else already signs in with {invitee.Email}. Give {invitee.FullName} their own email address.";
            }
            user = new AppUser { UserName = invitee.Email, Email = invitee.Email, DisplayName = invitee.FullName };
            var created = await users.CreateAsync(user);
            if (!created.Succeeded)
            {
                return $"No sign-in account could be made for {invitee.Email}: {string.Join(" ", created.Errors.Select(e => e.Description))}";
            }
            var role = await users.AddToRoleAsync(user, Roles.YouthWorker);
            if (!role.Succeeded)
            {
                // No half-made account left behind to block the next attempt.
                await users.DeleteAsync(user);
                return $"No sign-in account could be made: {string.Join(" ", role.Errors.Select(e => e.Description))}";
            }
            await workers.LinkUserAsync(workerId, user.Id, cancellationToken);
        }

        var code = await invitations.CreateAsync(user.Id, workerId, actor, cancellationToken);
        var link = site.Value.Link($"/Account/Activate?user={user.Id}&code={code}");
        var now = clock.GetUtcNow().UtcDateTime;
        var body = invitee.UserId is null
            ? $"Welcome to Outreach. Set your password to see your sessions: {link}"
            : $"Outreach: set a new password with this link (it works once, for 7 days): {link}";
        // Each link is a new text: the code in it replaced any earlier one.
        await outbox.AddAsync(new OutgoingSms(
            $"invitation:worker:{workerId}:user:{user.Id}:{now.Ticks}", "invitation", workerId, null, invitee.MobileE164,
            body, now, now + InvitationData.Lifetime, Urgent: true), cancellationToken);
        jobs.Enqueue<SendOutboxJob>(job => job.RunAsync(CancellationToken.None));
        return null;
    }
}
