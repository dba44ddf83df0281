using System.Globalization;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using Outreach.Data.Alerts;
using Outreach.Data.Audit;
using Outreach.Data.Messages;
using Outreach.Data.Workers;

namespace Outreach.Data.Records;

public sealed record MySessionRow(
    long SessionId, string Title, string Kind, string VenueName, DateTime StartsAt, DateTime EndsAt,
    string SessionStatus, string AssignmentStatus, bool IsLead, bool HasRecord);

/// <summary>A session that ended without a record, with who should write it and how far the chasing has got.</summary>
public sealed record OverdueRecordRow(
    long SessionId, string Title, string Kind, string VenueName, DateTime StartsAt, DateTime EndsAt,
    long? LeadWorkerId, string? LeadWorkerName, bool Chased, bool Escalated);

/// <summary>A session with no record yet, and the worker who should write it (the lead, or else the first assigned).</summary>
public sealed record UnrecordedSession(
    long SessionId, string Title, string Kind, string VenueName, DateTime StartsAt, DateTime EndsAt,
    long? WorkerId, string? MobileE164, bool SmsOptedOut);

public sealed record RecordTarget(
    long SessionId, string Title, string Kind, string VenueName, DateTime StartsAt, DateTime EndsAt, string Status);

public sealed record SessionRecord(
    bool Delivered, string? NotDeliveredReason, DateTime? ActualStart, DateTime? ActualEnd,
    int CountUnder11, int Count11To13, int Count14To15, int Count16To17, int Count18To24, string Notes)
{
    public int YoungPeople => CountUnder11 + Count11To13 + Count14To15 + Count16To17 + Count18To24;
}

public sealed record SurveyResult(long QuestionId, decimal? BeforeMean, int? BeforeN, decimal? AfterMean, int? AfterN);

/// <summary>The optional parts of a record; keys of <see cref="YearGroups"/> are school years ("7"), of <see cref="Referrals"/> services.</summary>
public sealed record RecordDetails(
    int? CountFemale, int? CountMale, int? CountOtherGender,
    IReadOnlyDictionary<string, int> YearGroups,
    IReadOnlyList<long> TopicIds,
    IReadOnlyList<long> StaffWorkerIds,
    IReadOnlyDictionary<string, int> Referrals,
    IReadOnlyList<SurveyResult> Surveys)
{
    public static readonly RecordDetails None = new(null, null, null, new Dictionary<string, int>(), [], [], new Dictionary<string, int>(), []);
}

public sealed record TopicOption(long Id, string Name, bool Active);

public sealed record QuestionOption(long Id, string Text, bool HigherIsBetter, bool Active);

public sealed record StaffOption(long WorkerId, string FullName, bool IsLead, bool Assigned);

/// <summary>What a worker may know about a concern on the session: that it exists, never its details.</summary>
public sealed record ConcernSummary(long Id, DateTime RaisedAt, bool RaisedByYou, string Status);

public sealed record RecordForm(
    RecordTarget Session, SessionRecord? Record, RecordDetails Details, bool CanWrite,
    IReadOnlyList<TopicOption> Topics, IReadOnlyList<QuestionOption> Questions, IReadOnlyList<StaffOption> Staff,
    ConcernSummary? Concern);

public sealed record RecordSaved(long? NewConcernId, bool OnCallTexted);

public static class RecordVocabulary
{
    public static readonly IReadOnlyDictionary<string, string> Services = new Dictionary<string, string>
    {
        ["mentoring"] = "Mentoring",
        ["camhs"] = "CAMHS (mental health)",
        ["substance_misuse"] = "Substance misuse",
        ["youth_offending"] = "Youth offending service",
        ["other"] = "Other service",
    };

    public static readonly IReadOnlyList<string> YearGroups = ["6", "7", "8", "9", "10", "11", "12", "13"];
}

public sealed class RecordData(NpgsqlDataSource dataSource, TimeProvider clock, IOptions<SmsOptions> sms, IOptions<SiteOptions> site)
{
    // A youth worker reaches only sessions they are (or were) assigned to; coordinators reach all.
    private const string ScopeFilter = """
        (@userId::bigint IS NULL OR EXISTS (
            SELECT 1 FROM outreach.assignments a JOIN outreach.youth_workers w ON w.id = a.worker_id
             WHERE a.session_id = s.id AND w.user_id = @userId AND a.status IN ('assigned', 'confirmed')))
        """;

    // The lead worker writes the record; when nobody leads, any assigned worker may. Others assigned only read it.
    private const string WriteFilter = """
        (@userId::bigint IS NULL OR EXISTS (
            SELECT 1 FROM outreach.assignments a JOIN outreach.youth_workers w ON w.id = a.worker_id
             WHERE a.session_id = s.id AND w.user_id = @userId AND a.status IN ('assigned', 'confirmed')
               AND (a.is_lead OR NOT EXISTS (SELECT 1 FROM outreach.assignments l
                                              WHERE l.session_id = s.id AND l.is_lead AND l.status IN ('assigned', 'confirmed')))))
        """;

    public async Task<IReadOnlyList<MySessionRow>> MySessionsAsync(long userId, DateTime fromUtc, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<MySessionRow>(new CommandDefinition("""
            SELECT s.id AS session_id, s.title, s.kind, v.name AS venue_name, s.starts_at, s.ends_at,
                   s.status AS session_status, a.status AS assignment_status, a.is_lead,
                   EXISTS (SELECT 1 FROM outreach.session_records r WHERE r.session_id = s.id) AS has_record
            FROM outreach.assignments a
            JOIN outreach.youth_workers w ON w.id = a.worker_id
            JOIN outreach.sessions s ON s.id = a.session_id
            JOIN outreach.venues v ON v.id = s.venue_id
            WHERE w.user_id = @userId AND a.status IN ('assigned', 'confirmed') AND s.ends_at >= @fromUtc
            ORDER BY s.starts_at
            LIMIT 200
            """, new { userId, fromUtc }, cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <summary>
    /// Sessions ended at least <paramref name="overdueAfter"/> ago (and since <paramref name="fromUtc"/>) with no record,
    /// oldest first, with their lead worker and whether the chaser text and the escalation have gone.
    /// </summary>
    public async Task<IReadOnlyList<OverdueRecordRow>> OverdueAsync(
        DateTime fromUtc, TimeSpan overdueAfter, int limit, CancellationToken cancellationToken)
    {
        var cutoff = clock.GetUtcNow().UtcDateTime - overdueAfter;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<OverdueRecordRow>(new CommandDefinition("""
            SELECT s.id AS session_id, s.title, s.kind, v.name AS venue_name, s.starts_at, s.ends_at,
                   lead.worker_id AS lead_worker_id, lead.full_name AS lead_worker_name,
                   EXISTS (SELECT 1 FROM outreach.sms_outbox o WHERE o.dedupe_key = 'record-chase:session:' || s.id) AS chased,
                   EXISTS (SELECT 1 FROM outreach.alerts al WHERE al.dedupe_key = 'record-overdue:session:' || s.id) AS escalated
            FROM outreach.sessions s
            JOIN outreach.venues v ON v.id = s.venue_id
            LEFT JOIN LATERAL (
                SELECT a.worker_id, w.full_name FROM outreach.assignments a JOIN outreach.youth_workers w ON w.id = a.worker_id
                WHERE a.session_id = s.id AND a.status IN ('assigned', 'confirmed')
                ORDER BY a.is_lead DESC, a.id LIMIT 1) lead ON true
            WHERE s.starts_at >= @fromUtc - interval '24 hours' AND s.starts_at <= @cutoff
              AND s.ends_at >= @fromUtc AND s.ends_at <= @cutoff AND s.status <> 'cancelled'
              AND NOT EXISTS (SELECT 1 FROM outreach.session_records r WHERE r.session_id = s.id)
            ORDER BY s.ends_at
            LIMIT @limit
            """, new { fromUtc, cutoff, limit }, cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <summary>Sessions (not cancelled) that ended between the two times and still have no record, for the chaser job.</summary>
    public async Task<IReadOnlyList<UnrecordedSession>> UnrecordedAsync(DateTime endedFromUtc, DateTime endedToUtc, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<UnrecordedSession>(new CommandDefinition("""
            SELECT s.id AS session_id, s.title, s.kind, v.name AS venue_name, s.starts_at, s.ends_at,
                   lead.worker_id, lead.mobile_e164, coalesce(lead.sms_opted_out, false) AS sms_opted_out
            FROM outreach.sessions s
            JOIN outreach.venues v ON v.id = s.venue_id
            LEFT JOIN LATERAL (
                SELECT a.worker_id, w.mobile_e164, w.sms_opted_out OR NOT w.active AS sms_opted_out
                FROM outreach.assignments a JOIN outreach.youth_workers w ON w.id = a.worker_id
                WHERE a.session_id = s.id AND a.status IN ('assigned', 'confirmed')
                ORDER BY a.is_lead DESC, a.id LIMIT 1) lead ON true
            -- Sessions last at most 24 hours, so the start bounds keep this on the starts_at index.
            WHERE s.starts_at >= @endedFromUtc - interval '24 hours' AND s.starts_at <= @endedToUtc
              AND s.ends_at >= @endedFromUtc AND s.ends_at <= @endedToUtc AND s.status <> 'cancelled'
              AND NOT EXISTS (SELECT 1 FROM outreach.session_records r WHERE r.session_id = s.id)
            ORDER BY s.ends_at
            LIMIT 5000
            """, new { endedFromUtc, endedToUtc }, cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <summary>Everything the record page shows, or null when the session is outside the user's scope.</summary>
    /// <param name="userId">The youth worker's user id, or null for a coordinator who may correct any record.</param>
    public async Task<RecordForm?> LoadAsync(long sessionId, long? userId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var session = await connection.QuerySingleOrDefaultAsync<RecordTarget>(new CommandDefinition($"""
            SELECT s.id AS session_id, s.title, s.kind, v.name AS venue_name, s.starts_at, s.ends_at, s.status
            FROM outreach.sessions s JOIN outreach.venues v ON v.id = s.venue_id
            WHERE s.id = @sessionId AND {ScopeFilter}
            """, new { sessionId, userId }, cancellationToken: cancellationToken));
        if (session is null)
        {
            return null;
        }
        var canWrite = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            $"SELECT EXISTS (SELECT 1 FROM outreach.sessions s WHERE s.id = @sessionId AND {WriteFilter})",
            new { sessionId, userId }, cancellationToken: cancellationToken));
        var record = await ReadRecordAsync(connection, null, sessionId, cancellationToken);
        var details = await ReadDetailsAsync(connection, null, sessionId, cancellationToken);

        var topics = await connection.QueryAsync<TopicOption>(new CommandDefinition("""
            SELECT t.id, t.name, t.active FROM outreach.record_topics t
            WHERE t.active OR t.id IN (SELECT topic_id FROM outreach.session_record_topics WHERE session_id = @sessionId)
            ORDER BY lower(t.name)
            """, new { sessionId }, cancellationToken: cancellationToken));
        var questions = await connection.QueryAsync<QuestionOption>(new CommandDefinition("""
            SELECT q.id, q.text, q.higher_is_better, q.active FROM outreach.survey_questions q
            WHERE q.active OR q.id IN (SELECT question_id FROM outreach.session_record_surveys WHERE session_id = @sessionId)
            ORDER BY q.id
            """, new { sessionId }, cancellationToken: cancellationToken));
        var staff = await connection.QueryAsync<StaffOption>(new CommandDefinition("""
            SELECT w.id AS worker_id, w.full_name, coalesce(bool_or(a.is_lead AND a.status IN ('assigned', 'confirmed')), false) AS is_lead,
                   coalesce(bool_or(a.status IN ('assigned', 'confirmed')), false) AS assigned
            FROM outreach.youth_workers w
            LEFT JOIN outreach.assignments a ON a.worker_id = w.id AND a.session_id = @sessionId
            WHERE a.id IS NOT NULL OR w.id IN (SELECT worker_id FROM outreach.session_record_staff WHERE session_id = @sessionId)
            GROUP BY w.id, w.full_name
            ORDER BY 3 DESC, w.full_name
            """, new { sessionId }, cancellationToken: cancellationToken));
        var concern = await connection.QuerySingleOrDefaultAsync<ConcernSummary>(new CommandDefinition("""
            SELECT id, raised_at, coalesce(raised_by_user_id = @userId, false) AS raised_by_you, status
            FROM outreach.safeguarding_concerns WHERE session_id = @sessionId
            """, new { sessionId, userId }, cancellationToken: cancellationToken));
        return new RecordForm(session, record, details, canWrite, topics.AsList(), questions.AsList(), staff.AsList(), concern);
    }

    private sealed record SessionState(DateTime StartsAt, string Status, string VenueName);

    private const string RecordColumns = """
        delivered, not_delivered_reason, actual_start, actual_end, count_under_11 AS count_under11,
        count_11_13 AS count11_to13, count_14_15 AS count14_to15, count_16_17 AS count16_to17,
        count_18_24 AS count18_to24, notes
        """;

    private static Task<SessionRecord?> ReadRecordAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, long sessionId, CancellationToken cancellationToken) =>
        connection.QuerySingleOrDefaultAsync<SessionRecord>(new CommandDefinition(
            $"SELECT {RecordColumns} FROM outreach.session_records WHERE session_id = @sessionId",
            new { sessionId }, transaction, cancellationToken: cancellationToken));

    private sealed record DetailColumns(int? CountFemale, int? CountMale, int? CountOtherGender, string? YearGroupCounts);

    private static async Task<RecordDetails> ReadDetailsAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, long sessionId, CancellationToken cancellationToken)
    {
        var columns = await connection.QuerySingleOrDefaultAsync<DetailColumns>(new CommandDefinition("""
            SELECT count_female, count_male, count_other_gender, year_group_counts::text AS year_group_counts
            FROM outreach.session_records WHERE session_id = @sessionId
            """, new { sessionId }, transaction, cancellationToken: cancellationToken));
        if (columns is null)
        {
            return RecordDetails.None;
        }
        var topics = await connection.QueryAsync<long>(new CommandDefinition(
            "SELECT topic_id FROM outreach.session_record_topics WHERE session_id = @sessionId ORDER BY topic_id",
            new { sessionId }, transaction, cancellationToken: cancellationToken));
        var staff = await connection.QueryAsync<long>(new CommandDefinition(
            "SELECT worker_id FROM outreach.session_record_staff WHERE session_id = @sessionId ORDER BY worker_id",
            new { sessionId }, transaction, cancellationToken: cancellationToken));
        var referrals = await connection.QueryAsync<(string Service, int Count)>(new CommandDefinition(
            "SELECT service, count FROM outreach.session_record_referrals WHERE session_id = @sessionId ORDER BY service",
            new { sessionId }, transaction, cancellationToken: cancellationToken));
        var surveys = await connection.QueryAsync<SurveyResult>(new CommandDefinition("""
            SELECT question_id, before_mean, before_n, after_mean, after_n
            FROM outreach.session_record_surveys WHERE session_id = @sessionId ORDER BY question_id
            """, new { sessionId }, transaction, cancellationToken: cancellationToken));
        var yearGroups = columns.YearGroupCounts is null
            ? new Dictionary<string, int>()
            : JsonSerializer.Deserialize<Dictionary<string, int>>(columns.YearGroupCounts) ?? [];
        return new RecordDetails(
            columns.CountFemale, columns.CountMale, columns.CountOtherGender, yearGroups, topics.AsList(), staff.AsList(),
            referrals.ToDictionary(r => r.Service, r => r.Count, StringComparer.Ordinal), surveys.AsList());
    }

    /// <summary>The checks that need no database, each message naming the field it belongs beside.</summary>
    public static IReadOnlyList<FieldError> Validate(SessionRecord record, RecordDetails details)
    {
        var errors = new List<FieldError>();
        var headCount = record.YoungPeople;
        if (record.ActualStart is { } start && record.ActualEnd is { } end && end <= start)
        {
            errors.Add(new("ActualEnd", "The end must be after the start."));
        }
        foreach (var (field, value) in new[] { ("CountFemale", details.CountFemale), ("CountMale", details.CountMale), ("CountOtherGender", details.CountOtherGender) })
        {
            if (value is < 0 or > 2000)
            {
                errors.Add(new(field, "Enter a number from 0 to 2000."));
            }
        }
        var genders = (details.CountFemale ?? 0) + (details.CountMale ?? 0) + (details.CountOtherGender ?? 0);
        if (genders > headCount && !errors.Any(e => e.Field.StartsWith("Count", StringComparison.Ordinal)))
        {
            errors.Add(new("CountFemale", $"The counts by gender add up to {genders}, more than the {headCount} young people counted by age."));
        }
        foreach (var (year, count) in details.YearGroups)
        {
            if (!RecordVocabulary.YearGroups.Contains(year))
            {
                errors.Add(new("YearGroups", "Choose year groups from the list."));
            }
            else if (count is < 0 or > 2000)
            {
                errors.Add(new($"YearGroups[{year}]", "Enter a number from 0 to 2000."));
            }
        }
        var inYears = details.YearGroups.Values.Where(c => c > 0).Sum();
        if (inYears > headCount && !errors.Any(e => e.Field.StartsWith("YearGroups", StringComparison.Ordinal)))
        {
            errors.Add(new("YearGroups", $"The counts by year group add up to {inYears}, more than the {headCount} young people counted by age."));
        }
        foreach (var (service, count) in details.Referrals)
        {
            if (!RecordVocabulary.Services.ContainsKey(service))
            {
                errors.Add(new("Referrals", "Choose services from the list."));
            }
            else if (count is < 0 or > 2000)
            {
                errors.Add(new($"Referrals[{service}]", "Enter a number from 0 to 2000."));
            }
        }
        for (var i = 0; i < details.Surveys.Count; i++)
        {
            var s = details.Surveys[i];
            CheckSurveyHalf(errors, $"Surveys[{i}].Before", s.BeforeMean, s.BeforeN, headCount);
            CheckSurveyHalf(errors, $"Surveys[{i}].After", s.AfterMean, s.AfterN, headCount);
        }
        if (details.Surveys.Select(s => s.QuestionId).Distinct().Count() != details.Surveys.Count)
        {
            errors.Add(new("Surveys", "Each question once."));
        }
        return errors;
    }

    private static void CheckSurveyHalf(List<FieldError> errors, string prefix, decimal? mean, int? n, int headCount)
    {
        if (mean is null != n is null)
        {
            errors.Add(new(mean is null ? prefix + "Mean" : prefix + "N", "Give both the average and how many answered, or neither."));
            return;
        }
        if (mean is { } m && (m < 1 || m > 5 || decimal.Round(m, 2) != m))
        {
            errors.Add(new(prefix + "Mean", "The average is on the 1 to 5 scale, with at most two decimals."));
        }
        if (n is { } count && (count < 1 || count > headCount))
        {
            errors.Add(new(prefix + "N", $"How many answered must be from 1 to the {headCount} young people counted."));
        }
    }

    /// <summary>
    /// Writes the whole record (counts, topics, staff, referrals, survey results and, when <paramref name="concernDetails"/>
    /// is given and the session has none yet, a safeguarding concern with its alert and text) in one transaction, audited.
    /// </summary>
    /// <returns>Not found (empty field) when the session is outside what the user may write; field errors for bad parts, with nothing written.</returns>
    public async Task<Outcome<RecordSaved>> SaveAsync(
        long sessionId, SessionRecord record, RecordDetails details, string? concernDetails, long? userId, Actor actor,
        CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        var session = await connection.QuerySingleOrDefaultAsync<SessionState>(new CommandDefinition($"""
            SELECT s.starts_at, s.status, v.name AS venue_name FROM outreach.sessions s JOIN outreach.venues v ON v.id = s.venue_id
            WHERE s.id = @sessionId AND {WriteFilter}
            FOR UPDATE OF s
            """, new { sessionId, userId }, transaction, cancellationToken: cancellationToken));
        if (session is null)
        {
            return Outcome<RecordSaved>.Fail("", "Session not found.");
        }
        if (session.StartsAt > clock.GetUtcNow().UtcDateTime)
        {
            return Outcome<RecordSaved>.Fail("Delivered", "This session has not started yet: record it once it has happened.");
        }
        if (session.Status == "cancelled")
        {
            return Outcome<RecordSaved>.Fail("Delivered", "This session was cancelled: there is nothing to record.");
        }
        var problems = Validate(record, details);
        if (problems.Count > 0)
        {
            return new Outcome<RecordSaved>(null, problems);
        }

        var beforeRecord = await ReadRecordAsync(connection, transaction, sessionId, cancellationToken);
        var beforeDetails = beforeRecord is null ? null : await ReadDetailsAsync(connection, transaction, sessionId, cancellationToken);
        var yearGroups = details.YearGroups.Where(y => y.Value > 0).ToDictionary(y => y.Key, y => y.Value, StringComparer.Ordinal);

        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO outreach.session_records
                (session_id, delivered, not_delivered_reason, actual_start, actual_end, count_under_11, count_11_13,
                 count_14_15, count_16_17, count_18_24, notes, recorded_by, count_female, count_male, count_other_gender,
                 year_group_counts, safeguarding_concern)
            VALUES (@sessionId, @Delivered, @NotDeliveredReason, @ActualStart, @ActualEnd, @CountUnder11, @Count11To13,
                    @Count14To15, @Count16To17, @Count18To24, @Notes, @recordedBy, @CountFemale, @CountMale, @CountOtherGender,
                    @yearGroups::jsonb, @raising)
            ON CONFLICT (session_id) DO UPDATE SET
                delivered = excluded.delivered, not_delivered_reason = excluded.not_delivered_reason,
                actual_start = excluded.actual_start, actual_end = excluded.actual_end,
                count_under_11 = excluded.count_under_11, count_11_13 = excluded.count_11_13,
                count_14_15 = excluded.count_14_15, count_16_17 = excluded.count_16_17,
                count_18_24 = excluded.count_18_24, notes = excluded.notes,
                count_female = excluded.count_female, count_male = excluded.count_male,
                count_other_gender = excluded.count_other_gender, year_group_counts = excluded.year_group_counts,
                -- A concern once raised stays raised: it is closed on the safeguarding page, not by editing the record.
                safeguarding_concern = outreach.session_records.safeguarding_concern OR excluded.safeguarding_concern,
                updated_at = now()
            """,
            new
            {
                sessionId, record.Delivered, record.NotDeliveredReason, record.ActualStart, record.ActualEnd,
                record.CountUnder11, record.Count11To13, record.Count14To15, record.Count16To17, record.Count18To24,
                record.Notes, recordedBy = actor.UserId, details.CountFemale, details.CountMale, details.CountOtherGender,
                yearGroups = yearGroups.Count == 0 ? null : JsonSerializer.Serialize(yearGroups),
                raising = concernDetails is not null,
            }, transaction, cancellationToken: cancellationToken));

        var topicIds = details.TopicIds.Distinct().ToArray();
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM outreach.session_record_topics WHERE session_id = @sessionId", new { sessionId }, transaction, cancellationToken: cancellationToken));
        // Inactive topics stay valid for records that already had them; new choices come from the active list.
        var topicsWritten = await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO outreach.session_record_topics (session_id, topic_id)
            SELECT @sessionId, t.id FROM outreach.record_topics t
            WHERE t.id = ANY(@topicIds) AND (t.active OR t.id = ANY(@previous))
            """, new { sessionId, topicIds, previous = beforeDetails?.TopicIds.ToArray() ?? [] }, transaction, cancellationToken: cancellationToken));
        if (topicsWritten != topicIds.Length)
        {
            return await RefuseAsync(transaction, "TopicIds", "Choose topics from the list.", cancellationToken);
        }

        var staffIds = details.StaffWorkerIds.Distinct().ToArray();
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM outreach.session_record_staff WHERE session_id = @sessionId", new { sessionId }, transaction, cancellationToken: cancellationToken));
        var staffWritten = await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO outreach.session_record_staff (session_id, worker_id)
            SELECT @sessionId, w.id FROM outreach.youth_workers w
            WHERE w.id = ANY(@staffIds)
              AND (w.id = ANY(@previous) OR EXISTS (SELECT 1 FROM outreach.assignments a WHERE a.session_id = @sessionId AND a.worker_id = w.id))
            """, new { sessionId, staffIds, previous = beforeDetails?.StaffWorkerIds.ToArray() ?? [] }, transaction, cancellationToken: cancellationToken));
        if (staffWritten != staffIds.Length)
        {
            return await RefuseAsync(transaction, "StaffIds", "Choose staff from the workers on this session.", cancellationToken);
        }

        var referrals = details.Referrals.Where(r => r.Value > 0).ToArray();
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM outreach.session_record_referrals WHERE session_id = @sessionId", new { sessionId }, transaction, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO outreach.session_record_referrals (session_id, service, count)
            SELECT @sessionId, r.service, r.count FROM unnest(@services, @counts) AS r (service, count)
            """, new { sessionId, services = referrals.Select(r => r.Key).ToArray(), counts = referrals.Select(r => r.Value).ToArray() },
            transaction, cancellationToken: cancellationToken));

        var surveys = details.Surveys.Where(s => s.BeforeN is not null || s.AfterN is not null).ToArray();
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM outreach.session_record_surveys WHERE session_id = @sessionId", new { sessionId }, transaction, cancellationToken: cancellationToken));
        var surveysWritten = await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO outreach.session_record_surveys (session_id, question_id, before_mean, before_n, after_mean, after_n)
            SELECT @sessionId, q.id, r.before_mean, r.before_n, r.after_mean, r.after_n
            FROM unnest(@questionIds, @beforeMeans, @beforeNs, @afterMeans, @afterNs) AS r (question_id, before_mean, before_n, after_mean, after_n)
            JOIN outreach.survey_questions q ON q.id = r.question_id
            WHERE q.active OR q.id = ANY(@previous)
            """,
            new
            {
                sessionId,
                questionIds = surveys.Select(s => s.QuestionId).ToArray(),
                beforeMeans = surveys.Select(s => s.BeforeMean).ToArray(),
                beforeNs = surveys.Select(s => s.BeforeN).ToArray(),
                afterMeans = surveys.Select(s => s.AfterMean).ToArray(),
                afterNs = surveys.Select(s => s.AfterN).ToArray(),
                previous = beforeDetails?.Surveys.Select(s => s.QuestionId).ToArray() ?? [],
            }, transaction, cancellationToken: cancellationToken));
        if (surveysWritten != surveys.Length)
        {
            return await RefuseAsync(transaction, "Surveys", "Answer the survey questions on the form.", cancellationToken);
        }

        await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE outreach.sessions
               SET status = CASE WHEN @Delivered THEN 'delivered' ELSE 'planned' END, updated_at = now()
             WHERE id = @sessionId
            """, new { sessionId, record.Delivered }, transaction, cancellationToken: cancellationToken));

        var after = new RecordSnapshot(record, details with { TopicIds = topicIds, StaffWorkerIds = staffIds, YearGroups = yearGroups });
        await AuditLog.WriteAsync(connection, transaction, actor, beforeRecord is null ? "create" : "update",
            "session_record", sessionId, beforeRecord is null ? null : new RecordSnapshot(beforeRecord, beforeDetails!), after, cancellationToken);

        var saved = new RecordSaved(null, false);
        if (concernDetails is not null)
        {
            saved = await RaiseConcernAsync(connection, transaction, sessionId, session, concernDetails, actor, cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return Outcome<RecordSaved>.Ok(saved, saved.OnCallTexted ? FollowUps.TextsQueued : FollowUps.None);
    }

    private sealed record RecordSnapshot(SessionRecord Record, RecordDetails Details);

    private static async Task<Outcome<RecordSaved>> RefuseAsync(
        NpgsqlTransaction transaction, string field, string message, CancellationToken cancellationToken)
    {
        await transaction.RollbackAsync(cancellationToken);
        return Outcome<RecordSaved>.Fail(field, message);
    }

    // The concern, its dashboard alert and the on-call text land with the record or not at all; the unique
    // index on the session makes a second save (or a retried request) raise nothing new.
    private async Task<RecordSaved> RaiseConcernAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, long sessionId, SessionState session, string details,
        Actor actor, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var concernId = await connection.ExecuteScalarAsync<long?>(new CommandDefinition("""
            INSERT INTO outreach.safeguarding_concerns (session_id, raised_by_user_id, raised_at, details, updated_at)
            VALUES (@sessionId, @userId, @now, @details, @now)
            ON CONFLICT (session_id) DO NOTHING
            RETURNING id
            """, new { sessionId, userId = actor.UserId, now, details }, transaction, cancellationToken: cancellationToken));
        if (concernId is not { } id)
        {
            return new RecordSaved(null, false);
        }
        // Not the details: administrators read the audit log, and a concern's details are for coordinators only,
        // read on the concern's page where each reading is itself audited.
        await AuditLog.WriteAsync(connection, transaction, actor, "create", "safeguarding_concern", id, null,
            new { SessionId = sessionId, Status = "open" }, cancellationToken);
        var when = UkTime.Format(session.StartsAt, "ddd d MMM");
        await AlertData.RaiseAsync(connection, transaction, new NewAlert(
            $"safeguarding:concern:{id}", "safeguarding",
            $"Safeguarding concern raised from the session at {session.VenueName} on {when}: open Safeguarding to read it and hand it over.",
            sessionId), cancellationToken);

        var texted = false;
        if (MobileNumber.TryNormalise(sms.Value.OnCallCoordinatorMobile, out var onCall, out _))
        {
            // No details in a text message: it says where to read them.
            texted = await OutboxData.AddAsync(connection, transaction, new OutgoingSms(
                $"safeguarding:concern:{id}:on-call", "safeguarding", null, sessionId, onCall,
                $"Outreach: safeguarding concern raised at {session.VenueName} ({when}). Read it: " +
                site.Value.Link($"/Safeguarding/Details/{id.ToString(CultureInfo.InvariantCulture)}"),
                now, null), cancellationToken) is not null;
        }
        return new RecordSaved(id, texted);
    }
}
