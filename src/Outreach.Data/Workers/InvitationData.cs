using System.Security.Cryptography;
using System.Text;
using Dapper;
using Npgsql;

namespace Outreach.Data.Workers;

/// <summary>The youth worker a sign-in link would go to, and whether one can.</summary>
public sealed record Invitee(long WorkerId, string FullName, string MobileE164, string? Email, bool Active, bool SmsOptedOut, long? UserId);

/// <summary>
/// One-time codes that let a youth worker set their password from a link in an SMS: a new worker's first one,
/// or a new one when the first link lapsed or the password is forgotten. Only a hash of the code is stored;
/// redeeming deletes it, so a link works once, and a newer link replaces an older one.
/// </summary>
public sealed class InvitationData(NpgsqlDataSource dataSource, TimeProvider clock)
{
    private const string Provider = "[Invitation]";
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(7);

    public async Task<Invitee?> InviteeAsync(long workerId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<Invitee>(new CommandDefinition("""
            SELECT id AS worker_id, full_name, mobile_e164, email, active, sms_opted_out, user_id
            FROM outreach.youth_workers WHERE id = @workerId
            """, new { workerId }, cancellationToken: cancellationToken));
    }

    /// <returns>The code to put in the link.</returns>
    public async Task<string> CreateAsync(long userId, long workerId, Actor actor, CancellationToken cancellationToken)
    {
        var code = Base64Url(RandomNumberGenerator.GetBytes(16));
        var expires = clock.GetUtcNow().UtcDateTime + Lifetime;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO outreach.user_tokens (user_id, login_provider, name, value)
            VALUES (@userId, @Provider, 'Code', @value)
            ON CONFLICT (user_id, login_provider, name) DO UPDATE SET value = excluded.value
            """, new { userId, Provider, value = Hash(code) + "|" + expires.ToString("O") },
            transaction, cancellationToken: cancellationToken));
        await Audit.AuditLog.WriteAsync(connection, transaction, actor, "invite", "youth_worker", workerId, null,
            new { UserId = userId, ExpiresAt = expires }, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return code;
    }

    public async Task<bool> IsValidAsync(long userId, string code, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var value = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT value FROM outreach.user_tokens WHERE user_id = @userId AND login_provider = @Provider AND name = 'Code'",
            new { userId, Provider }, cancellationToken: cancellationToken));
        return Matches(value, code);
    }

    /// <summary>Deletes the code if it matches and has not expired; true when it did.</summary>
    public async Task<bool> RedeemAsync(long userId, string code, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var value = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT value FROM outreach.user_tokens WHERE user_id = @userId AND login_provider = @Provider AND name = 'Code' FOR UPDATE",
            new { userId, Provider }, transaction, cancellationToken: cancellationToken));
        if (!Matches(value, code))
        {
            return false;
        }
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM outreach.user_tokens WHERE user_id = @userId AND login_provider = @Provider AND name = 'Code'",
            new { userId, Provider }, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    // The code comes from a link anyone can edit: it may be missing altogether.
    private bool Matches(string? stored, string? code)
    {
        if (stored is null || string.IsNullOrEmpty(code) || stored.Split('|') is not [var hash, var expiresText]
            || !DateTime.TryParse(expiresText, null, System.Globalization.DateTimeStyles.RoundtripKind, out var expires))
        {
            return false;
        }
        return expires > clock.GetUtcNow().UtcDateTime
            && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(hash), Encoding.ASCII.GetBytes(Hash(code)));
    }

    private static string Hash(string code) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(code)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
