using System.Globalization;
using System.Text.RegularExpressions;
using CsvHelper;
using Dapper;
using Npgsql;
using Outreach.Data.Audit;

namespace Outreach.Data.Messages;

/// <summary>
/// What the messages log is searched by. Status is one of <see cref="MessageLogData.Statuses"/>: the outbox's own
/// states, or what Twilio reported back (delivered, not delivered), or "problems" for both kinds of failure.
/// Worker matches part of the name (case-insensitive); days are UK calendar days, both included.
/// </summary>
public sealed record MessageFilter(
    string? Status = null, string? Purpose = null, string? Worker = null, long? WorkerId = null,
    DateOnly? FromDay = null, DateOnly? ToDay = null);

public sealed record MessageLogRow(
    long Id, DateTime CreatedAt, DateTime? SentAt, string Purpose, long? WorkerId, string? WorkerName, string ToE164, string Body,
    string Status, string? DeliveryStatus, string? DeliveryErrorCode, DateTime? DeliveryUpdatedAt, int Attempts, string? LastError,
    long? SessionId, long? ResendOf, long? ResentAs, string? HeldReason)
{
    public int Segments => SmsSegments.Count(Body);

    public bool Problem => MessageLogData.IsProblem(Status, DeliveryStatus);

    public bool CanResend => Problem && ResentAs is null;
}

public sealed record WorkerMessaging(long Id, string FullName, string MobileE164, bool Active, bool SmsOptedOut, bool SmsFailing);

/// <summary>One line of a worker's conversation: a text we queued for them ("out") or a reply from their phone ("in").</summary>
public sealed record HistoryItem(
    string Direction, long Id, DateTime At, string Body, string? Purpose, string? Status, string? DeliveryStatus,
    string? DeliveryErrorCode, string? LastError, long? SessionId)
{
    public bool Outgoing => Direction == "out";
}

/// <summary>
/// The coordinators' log of every text: searched a page at a time, exported as CSV, a worker's whole conversation,
/// and resending a text that failed. Sending itself belongs to <see cref="OutboxData"/> and the send job.
/// </summary>
public sealed partial class MessageLogData(NpgsqlDataSource dataSource, TimeProvider clock)
{
    public static readonly IReadOnlyDictionary<string, string> Statuses = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["problems"] = "Failed or not delivered",
        ["pending"] = "Waiting to send",
        ["sending"] = "Being sent",
        ["sent"] = "Sent to Twilio",
        ["delivered"] = "Delivered to the phone",
        ["undelivered"] = "Not delivered to the phone",
        ["failed"] = "Failed to send",
        ["void"] = "Not sent (out of date)",
        ["unknown"] = "Outcome unknown, being checked with Twilio",
    };

    /// <summary>Totals are counted up to this; a larger one is shown as "more than".</summary>
    public const int CountLimit = 10_000;

    public static bool IsProblem(string status, string? deliveryStatus) =>
        status == "failed" || deliveryStatus is "undelivered" or "failed";

    /// <summary>A status for people: what happened to the text, in one phrase.</summary>
    public static string Describe(string status, string? deliveryStatus) => (status, deliveryStatus) switch
    {
        (_, "delivered") => "Delivered",
        (_, "undelivered") => "Not delivered",
        (_, "failed") => "Twilio could not send it",
        (_, "canceled") => "Cancelled at Twilio",
        ("sent", "sending" or "queued" or "accepted" or "scheduled") => "Sent, on its way",
        ("sent", _) => "Sent",
        ("pending", _) => "Waiting to send",
        ("sending", _) => "Being sent",
        ("failed", _) => "Failed to send",
        ("void", _) => "Not sent (out of date)",
        ("unknown", _) => "Outcome unknown: being checked with Twilio before any resend",
        _ => status,
    };

    public async Task<Paged<MessageLogRow>> PageAsync(MessageFilter filter, int? page, int? pageSize, CancellationToken cancellationToken)
    {
        var (number, size, offset) = Paged<MessageLogRow>.Normalise(page, pageSize);
        var (where, args) = Where(filter);
        args.Add("size", size);
        args.Add("offset", offset);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        // Counting millions of rows would cost more than the page itself: past CountLimit the total is "more than".
        var join = SqlText.Given(filter.Worker) is null ? "" : "JOIN outreach.youth_workers w ON w.id = o.worker_id";
        var total = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            $"SELECT count(*) FROM (SELECT 1 FROM outreach.sms_outbox o {join} {where} LIMIT {CountLimit + 1}) c",
            args, cancellationToken: cancellationToken));
        var items = await connection.QueryAsync<MessageLogRow>(new CommandDefinition(
            $"{Select} {where} ORDER BY o.created_at DESC, o.id DESC LIMIT @size OFFSET @offset", args, cancellationToken: cancellationToken));
        return new Paged<MessageLogRow>([.. items.Select(m => m with { Body = SmsText.ForReaders(m.Body) })], number, size, total);
    }

    /// <summary>The kinds of message there are, for the filter; read by skipping through the purpose index.</summary>
    public async Task<IReadOnlyList<string>> PurposesAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<string>(new CommandDefinition("""
            WITH RECURSIVE p (purpose) AS (
                (SELECT purpose FROM outreach.sms_outbox ORDER BY purpose LIMIT 1)
                UNION ALL
                SELECT (SELECT o.purpose FROM outreach.sms_outbox o WHERE o.purpose > p.purpose ORDER BY o.purpose LIMIT 1)
                FROM p WHERE p.purpose IS NOT NULL
            )
            SELECT purpose FROM p WHERE purpose IS NOT NULL
            """, cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <summary>
    /// Writes every text the filter matches to <paramref name="output"/> as CSV (UTF-8, UK times), newest first,
    /// streaming from the database. The export holds numbers and message bodies, so it is audited first.
    /// </summary>
    public async Task WriteCsvAsync(MessageFilter filter, Actor actor, Stream output, CancellationToken cancellationToken)
    {
        await AuditLog.WriteExportAsync(dataSource, actor, "sms_outbox", filter, cancellationToken);

        var (where, args) = Where(filter);
        await using var reading = await dataSource.OpenConnectionAsync(cancellationToken);
        // Bodies and names are typed by people: a value a spreadsheet would run as a formula is escaped.
        await using var csv = CsvWriter.Create(output, CsvWriterOptions.Default with { Injection = CsvInjection.Escape }, leaveOpen: true);
        await csv.WriteRecordAsync(
            ["Message", "Queued (UK time)", "Sent (UK time)", "Kind", "Worker", "To", "Status", "Delivery status",
             "Error code", "Error meaning", "Delivery reported (UK time)", "Attempts", "Parts", "Last send error", "Session", "Resend of", "Body"],
            cancellationToken);
        var rows = reading.QueryUnbufferedAsync<MessageLogRow>($"{Select} {where} ORDER BY o.created_at DESC, o.id DESC", args);
        await foreach (var m in rows.WithCancellation(cancellationToken))
        {
            await csv.WriteRecordAsync(
            [
                m.Id.ToString(CultureInfo.InvariantCulture),
                UkTime.Format(m.CreatedAt, CsvTime),
                m.SentAt is { } sent ? UkTime.Format(sent, CsvTime) : "",
                m.Purpose,
                m.WorkerName ?? "",
                m.ToE164,
                Describe(m.Status, m.DeliveryStatus),
                m.DeliveryStatus ?? "",
                m.DeliveryErrorCode ?? "",
                DeliveryErrors.Meaning(m.DeliveryErrorCode) ?? "",
                m.DeliveryUpdatedAt is { } reported ? UkTime.Format(reported, CsvTime) : "",
                m.Attempts.ToString(CultureInfo.InvariantCulture),
                m.Segments.ToString(CultureInfo.InvariantCulture),
                m.LastError ?? "",
                m.SessionId?.ToString(CultureInfo.InvariantCulture) ?? "",
                m.ResendOf?.ToString(CultureInfo.InvariantCulture) ?? "",
                SmsText.ForReaders(m.Body),
            ], cancellationToken);
        }
        await csv.FlushAsync(cancellationToken);
    }

    /// <summary>
    /// Queues a failed or undelivered text again as a new outbox row (same worker, session, kind, words and urgency, to
    /// the worker's current number, due now), keyed as the original's n-th resend and audited. Refused, with a reason a
    /// coordinator can act on, when <see cref="ResendRules"/> finds it no longer makes sense to send.
    /// </summary>
    /// <returns>The new row's id.</returns>
    public async Task<Outcome<long>> ResendAsync(long id, Actor actor, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // Locked so two coordinators resending the same text at once make one new row between them.
        var original = (await SourcesAsync(connection, transaction, [id], lockRows: true, cancellationToken)).SingleOrDefault();
        if (original is null)
        {
            return Outcome<long>.Fail("id", "That message does not exist.");
        }
        if (original.ResentAs is not null)
        {
            return Outcome<long>.Fail("id", $"This message has already been resent (message {original.ResentAs}).");
        }
        if (!IsProblem(original.Status, original.DeliveryStatus))
        {
            return Outcome<long>.Fail("id", "Only a message that failed or was not delivered can be resent.");
        }
        // The same check the log ran to offer the button, run again on the locked row: what has changed since is caught here.
        var refusal = (await ResendRules.WhyNotAsync(connection, transaction, [original.Candidate], now, cancellationToken))[0];
        if (refusal is not null)
        {
            return Outcome<long>.Fail("id", "Not resent: " + refusal);
        }
        var root = original.Candidate.RootKey;

        var previous = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT count(*) FROM outreach.sms_outbox WHERE starts_with(dedupe_key, @prefix)",
            new { prefix = root + ":resend:" }, transaction, cancellationToken: cancellationToken));
        var key = $"{root}:resend:{(previous + 1).ToString(CultureInfo.InvariantCulture)}";
        var newId = await connection.ExecuteScalarAsync<long?>(new CommandDefinition("""
            INSERT INTO outreach.sms_outbox (dedupe_key, purpose, worker_id, session_id, to_e164, body, not_before, expires_at, urgent, resend_of)
            VALUES (@key, @Purpose, @WorkerId, @SessionId, @to, @Body, @now, @ExpiresAt, @Urgent, @Id)
            ON CONFLICT DO NOTHING
            RETURNING id
            """, new { key, original.Purpose, original.WorkerId, original.SessionId, to = original.WorkerMobile ?? original.ToE164, original.Body, now, original.ExpiresAt, original.Urgent, original.Id },
            transaction, cancellationToken: cancellationToken));
        if (newId is null)
        {
            return Outcome<long>.Fail("id", "This message has already been resent.");
        }
        await AuditLog.WriteAsync(connection, transaction, actor, "resend", "sms_outbox", newId,
            new { original.Id, original.Status, original.DeliveryStatus, original.DeliveryErrorCode },
            new { Id = newId, DedupeKey = key, ResendOf = original.Id, original.WorkerId, original.SessionId, original.Purpose },
            cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return Outcome<long>.Ok(newId.Value);
    }

    /// <summary>
    /// Of the given texts, those failed or undelivered and not yet resent that may not be resent now, each with why
    /// (a text that may be resent is absent), by the same rules <see cref="ResendAsync"/> applies: one read of the
    /// rows and at most three for the rules, however many rows the log's page holds.
    /// </summary>
    public async Task<IReadOnlyDictionary<long, string>> ResendRefusalsAsync(IEnumerable<long> messageIds, CancellationToken cancellationToken)
    {
        var ids = messageIds.Distinct().ToArray();
        if (ids.Length == 0)
        {
            return new Dictionary<long, string>();
        }
        var now = clock.GetUtcNow().UtcDateTime;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var sources = (await SourcesAsync(connection, null, ids, lockRows: false, cancellationToken))
            .Where(s => s.ResentAs is null && IsProblem(s.Status, s.DeliveryStatus)).ToList();
        var reasons = await ResendRules.WhyNotAsync(connection, null, sources.Select(s => s.Candidate).ToList(), now, cancellationToken);
        var refusals = new Dictionary<long, string>();
        for (var i = 0; i < sources.Count; i++)
        {
            if (reasons[i] is { } reason)
            {
                refusals[sources[i].Id] = reason;
            }
        }
        return refusals;
    }

    public async Task<WorkerMessaging?> WorkerAsync(long workerId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<WorkerMessaging>(new CommandDefinition("""
            SELECT id, full_name, mobile_e164, active, sms_opted_out, sms_failing FROM outreach.youth_workers WHERE id = @workerId
            """, new { workerId }, cancellationToken: cancellationToken));
    }

    /// <summary>Every text to and from one worker, newest first: outbox rows (at their sending time) and their replies.</summary>
    public async Task<Paged<HistoryItem>> WorkerHistoryAsync(long workerId, int? page, int? pageSize, CancellationToken cancellationToken)
    {
        var (number, size, offset) = Paged<HistoryItem>.Normalise(page, pageSize);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var total = await connection.ExecuteScalarAsync<long>(new CommandDefinition("""
            SELECT (SELECT count(*) FROM outreach.sms_outbox WHERE worker_id = @workerId)
                 + (SELECT count(*) FROM outreach.sms_inbound WHERE worker_id = @workerId)
            """, new { workerId }, cancellationToken: cancellationToken));
        var items = await connection.QueryAsync<HistoryItem>(new CommandDefinition("""
            SELECT direction, id, at, body, purpose, status, delivery_status, delivery_error_code, last_error, session_id
            FROM (
                SELECT 'out' AS direction, o.id, coalesce(o.sent_at, o.created_at) AS at, o.body, o.purpose, o.status,
                       o.delivery_status, o.delivery_error_code, o.last_error, o.session_id
                FROM outreach.sms_outbox o WHERE o.worker_id = @workerId
                UNION ALL
                SELECT 'in', i.id, i.received_at, i.body, NULL, NULL, NULL, NULL, NULL, NULL::bigint
                FROM outreach.sms_inbound i WHERE i.worker_id = @workerId
            ) h
            ORDER BY at DESC, direction, id DESC
            LIMIT @size OFFSET @offset
            """, new { workerId, size, offset }, cancellationToken: cancellationToken));
        return new Paged<HistoryItem>([.. items.Select(h => h with { Body = SmsText.ForReaders(h.Body) })], number, size, total);
    }

    private const string CsvTime = "yyyy-MM-dd HH:mm:ss";

    private const string Select = """
        SELECT o.id, o.created_at, o.sent_at, o.purpose, o.worker_id, w.full_name AS worker_name, o.to_e164, o.body,
               o.status, o.delivery_status, o.delivery_error_code, o.delivery_updated_at, o.attempts, o.last_error,
               o.session_id, o.resend_of, (SELECT r.id FROM outreach.sms_outbox r WHERE r.resend_of = o.id) AS resent_as,
               o.held_reason
        FROM outreach.sms_outbox o LEFT JOIN outreach.youth_workers w ON w.id = o.worker_id
        """;

    // Only the filters given become conditions, so each search gets the plan of its own index.
    private static (string Where, DynamicParameters Args) Where(MessageFilter filter)
    {
        var conditions = new List<string>();
        var args = new DynamicParameters();
        switch (SqlText.Given(filter.Status))
        {
            case "problems":
                conditions.Add("(o.status = 'failed' OR o.delivery_status IN ('undelivered', 'failed'))");
                break;
            case "delivered":
                conditions.Add("o.delivery_status = 'delivered'");
                break;
            case "undelivered":
                conditions.Add("o.delivery_status IN ('undelivered', 'failed')");
                break;
            case { } status:
                conditions.Add("o.status = @status");
                args.Add("status", status);
                break;
        }
        if (SqlText.Given(filter.Purpose) is { } purpose)
        {
            conditions.Add("o.purpose = @purpose");
            args.Add("purpose", purpose);
        }
        if (SqlText.Given(filter.Worker) is { } worker)
        {
            conditions.Add("w.full_name ILIKE '%' || @worker || '%'");
            args.Add("worker", SqlText.EscapeLike(worker));
        }
        if (filter.WorkerId is { } workerId)
        {
            conditions.Add("o.worker_id = @workerId");
            args.Add("workerId", workerId);
        }
        if (filter.FromDay is { } from)
        {
            conditions.Add("o.created_at >= @from");
            args.Add("from", UkTime.StartOfDay(from));
        }
        if (filter.ToDay is { } to)
        {
            conditions.Add("o.created_at < @to");
            args.Add("to", UkTime.StartOfDay(to.AddDays(1)));
        }
        return (conditions.Count == 0 ? "" : " WHERE " + string.Join(" AND ", conditions), args);
    }


    private static async Task<IReadOnlyList<ResendSource>> SourcesAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, long[] ids, bool lockRows, CancellationToken cancellationToken)
    {
        var rows = await connection.QueryAsync<ResendSource>(new CommandDefinition($"""
            SELECT o.id, o.dedupe_key, o.purpose, o.worker_id, o.session_id, o.to_e164, o.body, o.status, o.delivery_status,
                   o.delivery_error_code, o.created_at, o.expires_at, o.urgent,
                   (SELECT r.id FROM outreach.sms_outbox r WHERE r.resend_of = o.id) AS resent_as,
                   w.full_name AS worker_name, w.mobile_e164 AS worker_mobile, w.active AS worker_active,
                   w.sms_opted_out AS worker_opted_out, w.sms_failing AS worker_failing
            FROM outreach.sms_outbox o LEFT JOIN outreach.youth_workers w ON w.id = o.worker_id
            WHERE o.id = ANY(@ids)
            ORDER BY o.id
            {(lockRows ? "FOR UPDATE OF o" : "")}
            """, new { ids }, transaction, cancellationToken: cancellationToken));
        return rows.AsList();
    }

    [GeneratedRegex(@"(:resend:[0-9]+)+$", RegexOptions.CultureInvariant)]
    private static partial Regex ResendSuffix();

    private sealed record ResendSource(
        long Id, string DedupeKey, string Purpose, long? WorkerId, long? SessionId, string ToE164, string Body, string Status,
        string? DeliveryStatus, string? DeliveryErrorCode, DateTime CreatedAt, DateTime? ExpiresAt, bool Urgent, long? ResentAs, string? WorkerName,
        string? WorkerMobile, bool? WorkerActive, bool? WorkerOptedOut, bool? WorkerFailing)
    {
        // A resend of a resend is judged as the text it copies, whose key names what it was about.
        public ResendCandidate Candidate => new(
            ResendSuffix().Replace(DedupeKey, ""), Purpose, WorkerId, SessionId, CreatedAt, ExpiresAt,
            WorkerName, WorkerActive, WorkerOptedOut, WorkerFailing);
    }
}
