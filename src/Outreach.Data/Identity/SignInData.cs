using Dapper;
using Npgsql;
using Outreach.Data.Audit;

namespace Outreach.Data.Identity;

/// <summary>
/// Sign-ins held on the server (the cookie carries only a key, so signing out ends a sign-in at once) and
/// failed sign-ins counted by what was typed, so the answer never depends on whether the account exists.
/// Both live in PostgreSQL, shared by every web process. See docs/decisions/0017.
/// </summary>
public sealed class SignInData(NpgsqlDataSource dataSource, TimeProvider clock)
{
    /// <summary>Failures from one source address for one email before each further one must wait.</summary>
    public const int FreeFailuresPerAddress = 5;

    /// <summary>Failures for one email from anywhere before each further one must wait (an attacker spread over many addresses).</summary>
    public const int FreeFailuresPerEmail = 50;

    /// <summary>The longest wait one more failure can bring.</summary>
    public static readonly TimeSpan LongestWait = TimeSpan.FromMinutes(15);

    /// <summary>Failures older than this are forgotten: a person who mistyped last week starts afresh.</summary>
    public static readonly TimeSpan FailuresForgottenAfter = TimeSpan.FromHours(24);

    public async Task StoreSessionAsync(string key, long userId, byte[] ticket, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        // The user's lapsed sign-ins go as a new one comes, so the table holds live ones only.
        await connection.ExecuteAsync(new CommandDefinition("""
            DELETE FROM outreach.sign_in_sessions WHERE user_id = @userId AND expires_at <= @now;
            INSERT INTO outreach.sign_in_sessions (key, user_id, ticket, created_at, expires_at)
            VALUES (@key, @userId, @ticket, @now, @expiresAt)
            """, new { key, userId, ticket, now, expiresAt }, cancellationToken: cancellationToken));
    }

    public async Task RenewSessionAsync(string key, byte[] ticket, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE outreach.sign_in_sessions SET ticket = @ticket, expires_at = @expiresAt WHERE key = @key",
            new { key, ticket, expiresAt }, cancellationToken: cancellationToken));
    }

    /// <returns>The stored ticket of a live sign-in; null once it was signed out or has lapsed.</returns>
    public async Task<byte[]?> SessionAsync(string key, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QueryFirstOrDefaultAsync<byte[]>(new CommandDefinition(
            "SELECT ticket FROM outreach.sign_in_sessions WHERE key = @key AND expires_at > @now",
            new { key, now = clock.GetUtcNow() }, cancellationToken: cancellationToken));
    }

    public async Task EndSessionAsync(string key, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM outreach.sign_in_sessions WHERE key = @key", new { key }, cancellationToken: cancellationToken));
    }

    /// <summary>Ends every sign-in of one user (signing out everywhere, a password set from a link, a role change).</summary>
    public async Task<int> EndAllSessionsAsync(long userId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM outreach.sign_in_sessions WHERE user_id = @userId", new { userId }, cancellationToken: cancellationToken));
    }

    /// <returns>How long until the next attempt for this email from this source may be tried; zero when it may now.</returns>
    public async Task<TimeSpan> WaitBeforeAttemptAsync(string email, string source, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var until = await connection.ExecuteScalarAsync<DateTime?>(new CommandDefinition(
            "SELECT max(blocked_until) FROM outreach.sign_in_failures WHERE key = ANY(@keys) AND last_failed_at > @forgotten",
            new { keys = Keys(email, source), forgotten = now - FailuresForgottenAfter }, cancellationToken: cancellationToken));
        return until is { } u && u > now.UtcDateTime ? u - now.UtcDateTime : TimeSpan.Zero;
    }

    /// <summary>
    /// Counts a failed sign-in for the email typed (whether or not it is anyone's) from this source, and for the
    /// email from anywhere. Past the free failures each one doubles the wait before the next (1 s, 2 s, 4 s ...),
    /// up to <see cref="LongestWait"/>: guessing slows to a crawl while the person themself is never shut out for long.
    /// </summary>
    public async Task RecordFailureAsync(string email, string source, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var keys = Keys(email, source);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO outreach.sign_in_failures AS f (key, failures, last_failed_at, blocked_until)
            SELECT k, 1, @now, NULL::timestamptz FROM unnest(@keys) AS k
            ON CONFLICT (key) DO UPDATE SET
                failures = CASE WHEN f.last_failed_at <= @forgotten THEN 1 ELSE f.failures + 1 END,
                last_failed_at = @now,
                blocked_until = CASE WHEN f.last_failed_at > @forgotten
                                      AND f.failures + 1 > (CASE WHEN f.key LIKE 'pair:%' THEN @perAddress ELSE @perEmail END)
                    THEN @now + least(@longest, make_interval(secs => power(2, least(20, f.failures + 1
                         - (CASE WHEN f.key LIKE 'pair:%' THEN @perAddress ELSE @perEmail END) - 1))))
                    END
            """,
            new
            {
                now, keys, forgotten = now - FailuresForgottenAfter,
                perAddress = FreeFailuresPerAddress, perEmail = FreeFailuresPerEmail, longest = LongestWait,
            }, cancellationToken: cancellationToken));
    }

    /// <summary>A successful sign-in forgets the failures for its email.</summary>
    public async Task ClearFailuresAsync(string email, string source, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM outreach.sign_in_failures WHERE key = ANY(@keys)", new { keys = Keys(email, source) }, cancellationToken: cancellationToken));
    }

    /// <summary>
    /// A security event (sign-ins, failures, waits, password and second-factor changes, API keys) in the audit
    /// log under the entity "security". Never a password, code, link or key: only what happened, to whom, from where.
    /// </summary>
    public async Task RecordEventAsync(Actor actor, string action, long? userId, object? details, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await AuditLog.WriteAsync(connection, transaction, actor, action, SecurityEvents.Entity, userId, null, details, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    private static string[] Keys(string email, string source)
    {
        var normalized = email.Trim().ToUpperInvariant();
        return [$"pair:{normalized}|{source}", $"email:{normalized}"];
    }
}

/// <summary>The audit log's names for security events: entity "security", one action per kind of event.</summary>
public static class SecurityEvents
{
    public const string Entity = "security";
    public const string SignedIn = "sign-in";
    public const string SignInFailed = "sign-in-failed";
    public const string SignInDelayed = "sign-in-delayed";
    public const string SignedOut = "sign-out";
    public const string SignedOutEverywhere = "sign-out-everywhere";
    public const string PasswordSet = "password-set";
    public const string PasswordChanged = "password-changed";
    public const string SecondFactorFailed = "second-factor-failed";
    public const string SecondFactorEnabled = "second-factor-enabled";
    public const string RecoveryCodesMade = "recovery-codes-made";
    public const string RecoveryCodeUsed = "recovery-code-used";
    public const string LockedOut = "locked-out";
    public const string ApiKeyCreated = "api-key-created";
    public const string ApiKeyRevoked = "api-key-revoked";
    public const string ApiKeyNewAddress = "api-key-new-address";
}
