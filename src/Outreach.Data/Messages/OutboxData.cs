using Dapper;
using Npgsql;
using Outreach.Data.Alerts;

namespace Outreach.Data.Messages;

public sealed record OutgoingSms(
    string DedupeKey, string Purpose, long? WorkerId, long? SessionId, string ToE164, string Body,
    DateTime NotBeforeUtc, DateTime? ExpiresAtUtc, bool Urgent = false);

/// <param name="Attempts">Also the claim's token: every later write for this attempt names it, so a sender
/// whose row was taken over as abandoned changes nothing.</param>
/// <param name="NeedsLookup">An earlier request's outcome is unknown: ask Twilio before sending again.</param>
/// <param name="FirstRequestAtUtc">When the first request for this message left: where a lookup starts.</param>
public sealed record ClaimedSms(
    long Id, long? WorkerId, string ToE164, string Body, int Attempts, DateTime? ExpiresAt, bool NeedsLookup,
    DateTime? FirstRequestAtUtc);

/// <param name="Examined">Due rows looked at: claimed, or held for quiet hours or the daily cap.</param>
public sealed record ClaimBatch(IReadOnlyList<ClaimedSms> Claimed, int Examined, int Held);

public sealed record OutboxRow(
    long Id, string Purpose, string? WorkerName, string ToE164, string Body, string Status, DateTime NotBefore,
    int Attempts, string? ProviderSid, string? LastError, DateTime CreatedAt, DateTime? SentAt);

public sealed record DevSmsRow(long Id, string Sid, string ToE164, string FromLabel, string Body, DateTime CreatedAt);

/// <summary>
/// The SMS outbox: every message is a row, keyed by why it exists, before it is a request to the
/// gateway. Adding the same key twice adds nothing; claiming moves a row out of 'pending' in one
/// transaction, so two job workers never send the same row.
/// </summary>
public sealed class OutboxData(NpgsqlDataSource dataSource, TimeProvider clock)
{
    // Claims take this transaction lock, so two workers counting a worker's messages for the daily cap
    // never both see room for one more. A claim is a few statements; the wait is short.
    private const long ClaimLockKey = 0x5_3D5_0001;

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
            INSERT INTO outreach.sms_outbox (dedupe_key, purpose, worker_id, session_id, to_e164, body, not_before, expires_at, urgent)
            VALUES (@DedupeKey, @Purpose, @WorkerId, @SessionId, @ToE164, @Body, @NotBeforeUtc, @ExpiresAtUtc, @Urgent)
            ON CONFLICT (dedupe_key) DO NOTHING
            RETURNING id
            """, sms, transaction, cancellationToken: cancellationToken));

    /// <summary>
    /// Takes up to <paramref name="limit"/> due rows for sending. On the way it voids what must not go
    /// (expired, worker opted out), hands abandoned rows back (a 'sending' row past its lease is
    /// 'pending' again if its request never left, 'unknown' if it did), and holds non-urgent rows in
    /// quiet hours or over the worker's daily cap until they may go.
    /// </summary>
    public async Task<ClaimBatch> ClaimDueAsync(int limit, SmsSendPolicy policy, TimeSpan lease, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var today = SmsSendPolicy.UkDay(now);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "SELECT pg_advisory_xact_lock(@ClaimLockKey)", new { ClaimLockKey }, tx, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE outreach.sms_outbox
               SET status = CASE WHEN request_at IS NULL THEN 'pending' ELSE 'unknown' END,
                   not_before = @now,
                   last_error = CASE WHEN request_at IS NULL THEN 'sender stopped before the request left'
                                     ELSE 'sender stopped without an answer from the gateway' END
             WHERE status = 'sending' AND coalesce(request_at, claimed_at) <= @staleBefore;

            UPDATE outreach.sms_outbox SET status = 'void', last_error = 'expired before it could be sent'
             WHERE status = 'pending' AND expires_at <= @now;

            UPDATE outreach.sms_outbox o SET status = 'void', last_error = 'worker opted out of SMS'
              FROM outreach.youth_workers w
             WHERE w.id = o.worker_id AND w.sms_opted_out AND o.status = 'pending';
            """, new { now, staleBefore = now - lease }, tx, cancellationToken: cancellationToken));

        var candidates = (await connection.QueryAsync<Candidate>(new CommandDefinition("""
            SELECT o.id, o.status, o.worker_id, o.urgent, s.starts_at AS session_starts_at
            FROM outreach.sms_outbox o LEFT JOIN outreach.sessions s ON s.id = o.session_id
            WHERE o.status IN ('pending', 'unknown') AND o.not_before <= @now
            ORDER BY o.not_before, o.id
            LIMIT @limit
            FOR UPDATE OF o SKIP LOCKED
            """, new { now, limit }, tx, cancellationToken: cancellationToken))).AsList();
        if (candidates.Count == 0)
        {
            await tx.CommitAsync(cancellationToken);
            return new ClaimBatch([], 0, 0);
        }

        var ids = candidates.Select(c => c.Id).ToArray();
        var workers = candidates.Where(c => c.WorkerId is not null).Select(c => c.WorkerId!.Value).Distinct().ToArray();
        var counted = (await connection.QueryAsync<(long WorkerId, int Count)>(new CommandDefinition("""
            SELECT worker_id, count(*)::int FROM outreach.sms_outbox
            WHERE worker_id = ANY(@workers) AND cap_day = @today AND status IN ('sending', 'unknown', 'sent')
              AND NOT (id = ANY(@ids))
            GROUP BY worker_id
            """, new { workers, today, ids }, tx, cancellationToken: cancellationToken)))
            .ToDictionary(r => r.WorkerId, r => r.Count);

        var claim = new List<long>();
        var lookups = new HashSet<long>();
        var held = new List<(long Id, DateTime Until, string Reason)>();
        foreach (var c in candidates)
        {
            var urgent = SmsSendPolicy.IsUrgent(c.Urgent, c.SessionStartsAt, now);
            var unknown = c.Status == "unknown";
            var sentToday = c.WorkerId is { } w ? counted.GetValueOrDefault(w) : 0;
            if (!urgent && policy.IsQuiet(now))
            {
                held.Add((c.Id, policy.EndOfQuiet(now), "quiet hours"));
            }
            // A row whose earlier request may have gone was counted on the day it went.
            else if (!urgent && !unknown && c.WorkerId is not null && policy.DailyCap > 0 && sentToday >= policy.DailyCap)
            {
                held.Add((c.Id, policy.StartOfNextDay(now), "daily cap"));
            }
            else
            {
                claim.Add(c.Id);
                if (unknown)
                {
                    lookups.Add(c.Id);
                }
                else if (c.WorkerId is { } counting)
                {
                    counted[counting] = sentToday + 1;
                }
            }
        }

        if (held.Count > 0)
        {
            await connection.ExecuteAsync(new CommandDefinition("""
                UPDATE outreach.sms_outbox o SET not_before = h.until, held_reason = h.reason
                  FROM unnest(@heldIds, @untils, @reasons) AS h(id, until, reason)
                 WHERE o.id = h.id
                """, new
            {
                heldIds = held.Select(h => h.Id).ToArray(),
                untils = held.Select(h => h.Until).ToArray(),
                reasons = held.Select(h => h.Reason).ToArray(),
            }, tx, cancellationToken: cancellationToken));
        }

        var claimed = (await connection.QueryAsync<ClaimedRow>(new CommandDefinition("""
            UPDATE outreach.sms_outbox o
               SET status = 'sending', claimed_at = @now, attempts = o.attempts + 1, request_at = NULL, held_reason = NULL,
                   cap_day = CASE WHEN o.status = 'unknown' THEN coalesce(o.cap_day, @today) ELSE @today END
             WHERE o.id = ANY(@claim)
            RETURNING o.id, o.worker_id, o.to_e164, o.body, o.attempts, o.expires_at, o.first_request_at
            """, new { now, today, claim = claim.ToArray() }, tx, cancellationToken: cancellationToken))).AsList();
        await tx.CommitAsync(cancellationToken);

        return new ClaimBatch(
            [.. claimed.OrderBy(r => r.Id).Select(r => new ClaimedSms(
                r.Id, r.WorkerId, r.ToE164, r.Body, r.Attempts, r.ExpiresAt, lookups.Contains(r.Id), r.FirstRequestAt))],
            candidates.Count, held.Count);
    }

    /// <summary>
    /// Records that this attempt's request is about to leave (the lease now runs from here). False when
    /// the row is no longer this attempt's, or its worker has opted out since (the row is then void).
    /// </summary>
    public async Task<bool> BeginAttemptAsync(long id, int attempts, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var started = await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE outreach.sms_outbox o SET request_at = @now, first_request_at = coalesce(o.first_request_at, @now)
             WHERE o.id = @id AND o.status = 'sending' AND o.attempts = @attempts
               AND NOT EXISTS (SELECT 1 FROM outreach.youth_workers w WHERE w.id = o.worker_id AND w.sms_opted_out)
            """, new { id, attempts, now }, cancellationToken: cancellationToken));
        if (started == 1)
        {
            return true;
        }
        await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE outreach.sms_outbox SET status = 'void', last_error = 'worker opted out of SMS'
             WHERE id = @id AND status = 'sending' AND attempts = @attempts
            """, new { id, attempts }, cancellationToken: cancellationToken));
        return false;
    }

    /// <returns>False when the row was no longer this attempt's (taken over as abandoned).</returns>
    public async Task<bool> MarkSentAsync(long id, int attempts, string providerSid, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE outreach.sms_outbox SET status = 'sent', provider_sid = @providerSid, sent_at = @now, last_error = NULL
            WHERE id = @id AND status = 'sending' AND attempts = @attempts
            """, new { id, attempts, providerSid, now = clock.GetUtcNow().UtcDateTime }, cancellationToken: cancellationToken)) == 1;
    }

    /// <summary>
    /// Tries again later, not before <paramref name="retryAtUtc"/>. With <paramref name="outcomeUnknown"/>
    /// the request may have reached the gateway, so the next attempt looks it up before sending.
    /// </summary>
    public async Task MarkForRetryAsync(
        long id, int attempts, string error, DateTime retryAtUtc, bool outcomeUnknown, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE outreach.sms_outbox SET status = @status, last_error = @error, not_before = @retryAtUtc
            WHERE id = @id AND status = 'sending' AND attempts = @attempts
            """, new { id, attempts, error, retryAtUtc, status = outcomeUnknown ? "unknown" : "pending" },
            cancellationToken: cancellationToken));
    }

    public async Task MarkVoidAsync(long id, int attempts, string reason, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE outreach.sms_outbox SET status = 'void', last_error = @reason
            WHERE id = @id AND status = 'sending' AND attempts = @attempts
            """, new { id, attempts, reason }, cancellationToken: cancellationToken));
    }

    /// <summary>
    /// The gateway refused the message for good. When it refused the number itself, the worker's number
    /// is marked failing too (if it is still the number refused) and coordinators get one alert for it,
    /// all in one transaction.
    /// </summary>
    public async Task MarkFailedAsync(
        long id, int attempts, string error, bool numberRefused, int? providerCode, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var failed = await connection.QuerySingleOrDefaultAsync<FailedRow>(new CommandDefinition("""
            UPDATE outreach.sms_outbox SET status = 'failed', last_error = @error
            WHERE id = @id AND status = 'sending' AND attempts = @attempts
            RETURNING worker_id, to_e164
            """, new { id, attempts, error }, tx, cancellationToken: cancellationToken));
        if (numberRefused && failed is { WorkerId: { } workerId } row)
        {
            var flagged = await connection.ExecuteAsync(new CommandDefinition("""
                UPDATE outreach.youth_workers SET sms_failing = true, updated_at = @now
                WHERE id = @workerId AND mobile_e164 = @to
                """, new { workerId, to = row.ToE164, now = clock.GetUtcNow().UtcDateTime }, tx, cancellationToken: cancellationToken));
            if (flagged == 1)
            {
                var reason = providerCode is { } code ? $" (Twilio error {code})" : "";
                await AlertData.RaiseAsync(connection, tx, new NewAlert(
                    $"sms-failing:worker:{workerId}:{row.ToE164}", "sms_failing",
                    $"Text messages to this worker's mobile number are refused{reason}. Check the number with them; nothing more is sent to it until it works.",
                    WorkerId: workerId), cancellationToken);
            }
        }
        await tx.CommitAsync(cancellationToken);
    }

    /// <summary>The first of the gateway's message ids that no outbox row has recorded yet.</summary>
    public async Task<string?> FirstUnrecordedSidAsync(IReadOnlyList<string> providerSids, CancellationToken cancellationToken)
    {
        if (providerSids.Count == 0)
        {
            return null;
        }
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var recorded = (await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT provider_sid FROM outreach.sms_outbox WHERE provider_sid = ANY(@sids)",
            new { sids = providerSids.ToArray() }, cancellationToken: cancellationToken))).ToHashSet(StringComparer.Ordinal);
        return providerSids.FirstOrDefault(s => !recorded.Contains(s));
    }

    /// <summary>
    /// Takes the next free send slot, one <paramref name="spacing"/> after the last one taken (or now,
    /// when sending has been idle), in one UPDATE of one row: every process sending together keeps to
    /// the rate. <paramref name="nowUtc"/> null uses the database's clock, which all processes share.
    /// </summary>
    /// <returns>The slot and the "now" it was measured against; wait the difference before sending.</returns>
    public async Task<(DateTime Slot, DateTime Now)> TakeSendSlotAsync(TimeSpan spacing, DateTime? nowUtc, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleAsync<(DateTime, DateTime)>(new CommandDefinition("""
            WITH t AS (SELECT coalesce(@nowUtc::timestamptz, clock_timestamp()) AS now)
            UPDATE outreach.sms_send_slots s SET next_free = greatest(s.next_free, t.now) + @spacing
              FROM t
             WHERE s.id = 1
            RETURNING s.next_free - @spacing, t.now
            """, new { nowUtc, spacing }, cancellationToken: cancellationToken));
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
        return [.. rows.Select(r => r with { Body = SmsText.ForReaders(r.Body) })];
    }

    /// <summary>What the development gateway delivered, as the Messages page shows it (set-password links hidden).</summary>
    public async Task<IReadOnlyList<DevSmsRow>> DevelopmentMessagesAsync(int limit, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<DevSmsRow>(new CommandDefinition("""
            SELECT id, sid, to_e164, from_label, body, created_at FROM outreach.dev_sms_messages
            ORDER BY id DESC LIMIT @limit
            """, new { limit }, cancellationToken: cancellationToken));
        return [.. rows.Select(r => r with { Body = SmsText.ForReaders(r.Body) })];
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

    /// <summary>Development messages to a number with this text since a moment, oldest first.</summary>
    public async Task<IReadOnlyList<string>> FindDevelopmentMessagesAsync(
        string toE164, string body, DateTime sinceUtc, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<string>(new CommandDefinition("""
            SELECT sid FROM outreach.dev_sms_messages
            WHERE to_e164 = @toE164 AND body = @body AND created_at >= @sinceUtc
            ORDER BY id
            """, new { toE164, body, sinceUtc }, cancellationToken: cancellationToken));
        return rows.AsList();
    }

    private sealed record Candidate(long Id, string Status, long? WorkerId, bool Urgent, DateTime? SessionStartsAt);

    private sealed record FailedRow(long? WorkerId, string ToE164);

    private sealed record ClaimedRow(
        long Id, long? WorkerId, string ToE164, string Body, int Attempts, DateTime? ExpiresAt, DateTime? FirstRequestAt);
}
