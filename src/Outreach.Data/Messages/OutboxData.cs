using Dapper;
using Npgsql;

namespace Outreach.Data.Messages;

public sealed record OutgoingSms(
    string DedupeKey, string Purpose, long? WorkerId, long? SessionId, string ToE164, string Body,
    DateTime NotBeforeUtc, DateTime? ExpiresAtUtc);

public sealed record ClaimedSms(long Id, string ToE164, string Body, int Attempts, DateTime? ExpiresAt);

public sealed record OutboxRow(
    long Id, string Purpose, string? WorkerName, string ToE164, string Body, string Status, DateTime NotBefore,
    int Attempts, string? ProviderSid, string? LastError, DateTime CreatedAt, DateTime? SentAt);

public sealed record DevSmsRow(long Id, string Sid, string ToE164, string FromLabel, string Body, DateTime CreatedAt);

/// <summary>
/// The SMS outbox: every message is a row, keyed by why it exists, before it is a request to the
/// gateway. Adding the same key twice adds nothing; claiming moves a row out of 'pending' in one
/// statement, so two job workers never send the same row.
/// </summary>
public sealed class OutboxData(NpgsqlDataSource dataSource, TimeProvider clock)
{
    /// <returns>The new row's id, or null when a message with this key already exists.</returns>
    public async Task<long?> AddAsync(OutgoingSms sms, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await AddAsync(connection, null, sms, cancellationToken);
    }

    /// <summary>Adds the message inside the caller's transaction, so it is queued only if the change that causes it lands.</summary>
    public static Task<long?> AddAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, OutgoingSms sms, CancellationToken cancellationToken) =>
        connection.ExecuteScalarAsync<long?>(new CommandDefinition("""
            INSERT INTO outreach.sms_outbox (dedupe_key, purpose, worker_id, session_id, to_e164, body, not_before, expires_at)
            VALUES (@DedupeKey, @Purpose, @WorkerId, @SessionId, @ToE164, @Body, @NotBeforeUtc, @ExpiresAtUtc)
            ON CONFLICT (dedupe_key) DO NOTHING
            RETURNING id
            """, sms, transaction, cancellationToken: cancellationToken));

    /// <summary>Moves up to <paramref name="limit"/> due rows to 'sending' and returns them.</summary>
    public async Task<IReadOnlyList<ClaimedSms>> ClaimDueAsync(int limit, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        // Rows that can no longer be useful (their session has started) are voided, not sent late.
        await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE outreach.sms_outbox SET status = 'void', last_error = 'expired before it could be sent'
            WHERE status = 'pending' AND expires_at <= @now
            """, new { now }, cancellationToken: cancellationToken));
        var rows = await connection.QueryAsync<ClaimedSms>(new CommandDefinition("""
            UPDATE outreach.sms_outbox o
               SET status = 'sending', claimed_at = @now, attempts = o.attempts + 1
             WHERE o.id IN (SELECT id FROM outreach.sms_outbox
                             WHERE status = 'pending' AND not_before <= @now AND (expires_at IS NULL OR expires_at > @now)
                             ORDER BY not_before, id
                             LIMIT @limit
                             FOR UPDATE SKIP LOCKED)
            RETURNING o.id, o.to_e164, o.body, o.attempts, o.expires_at
            """, new { now, limit }, cancellationToken: cancellationToken));
        return rows.AsList();
    }

    public async Task MarkSentAsync(long id, string providerSid, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE outreach.sms_outbox SET status = 'sent', provider_sid = @providerSid, sent_at = @now, last_error = NULL
            WHERE id = @id AND status = 'sending'
            """, new { id, providerSid, now = clock.GetUtcNow().UtcDateTime }, cancellationToken: cancellationToken));
    }

    /// <summary>A failure worth trying again later: back to 'pending', not before <paramref name="retryAtUtc"/>.</summary>
    public async Task MarkForRetryAsync(long id, string error, DateTime retryAtUtc, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE outreach.sms_outbox SET status = 'pending', last_error = @error, not_before = @retryAtUtc
            WHERE id = @id AND status = 'sending'
            """, new { id, error, retryAtUtc }, cancellationToken: cancellationToken));
    }

    public async Task MarkFailedAsync(long id, string error, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE outreach.sms_outbox SET status = 'failed', last_error = @error WHERE id = @id AND status = 'sending'",
            new { id, error }, cancellationToken: cancellationToken));
    }

    public async Task<IReadOnlyList<OutboxRow>> RecentAsync(int limit, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<OutboxRow>(new CommandDefinition("""
            SELECT o.id, o.purpose, w.full_name AS worker_name, o.to_e164, o.body, o.status, o.not_before, o.attempts,
                   o.provider_sid, o.last_error, o.created_at, o.sent_at
            FROM outreach.sms_outbox o LEFT JOIN outreach.youth_workers w ON w.id = o.worker_id
            ORDER BY o.created_at DESC, o.id DESC
            LIMIT @limit
            """, new { limit }, cancellationToken: cancellationToken));
        return rows.AsList();
    }

    public async Task<IReadOnlyList<DevSmsRow>> DevelopmentMessagesAsync(int limit, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<DevSmsRow>(new CommandDefinition("""
            SELECT id, sid, to_e164, from_label, body, created_at FROM outreach.dev_sms_messages
            ORDER BY id DESC LIMIT @limit
            """, new { limit }, cancellationToken: cancellationToken));
        return rows.AsList();
    }

    public async Task<string> StoreDevelopmentMessageAsync(string toE164, string fromLabel, string body, CancellationToken cancellationToken)
    {
        var sid = "DV" + Guid.NewGuid().ToString("N");
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO outreach.dev_sms_messages (sid, to_e164, from_label, body) VALUES (@sid, @toE164, @fromLabel, @body)
            """, new { sid, toE164, fromLabel, body }, cancellationToken: cancellationToken));
        return sid;
    }
}
