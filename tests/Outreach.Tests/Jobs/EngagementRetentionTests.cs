using System.Globalization;
using Dapper;
using Npgsql;
using Outreach.Data;
using Outreach.Data.Engagements;
using Outreach.Data.Reach;
using Outreach.Data.Retention;
using Outreach.Jobs.Retention;
using Outreach.Tests.Infrastructure;

namespace Outreach.Tests.Jobs;

/// <summary>
/// The retention job's rules for A&amp;E engagements and safeguarding concerns, over a database of their own so
/// "nothing else changed" and the compiled figures can be checked over whole tables. The clock is the real time to
/// the second, as in <see cref="RetentionJobTests"/>; every timestamp that matters is set relative to it.
/// </summary>
[Collection("Database")]
public sealed class EngagementRetentionTests(EngagementRetentionTests.OwnDatabase db) : IClassFixture<EngagementRetentionTests.OwnDatabase>
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());

    private static DateTime EngagementCutoff => Now.UtcDateTime.AddMonths(-24);

    private static DateTime ConcernCutoff => Now.UtcDateTime.AddMonths(-12);

    private static DateTime UkDay(DateTime utc) => UkTime.ToLocal(utc).Date;

    [Fact]
    public async Task References_go_once_every_engagement_of_the_case_ended_before_the_period_and_younger_cases_keep_theirs()
    {
        await using var harness = await JobHarness.StartAsync(db.ConnectionString, Now);
        var shift = await RetentionRows.AeShiftAsync(db.DataSource, Now.UtcDateTime.AddYears(-3), "planned");
        var closedJustOutside = await RetentionRows.EngagementAsync(db.DataSource, shift, closedAt: EngagementCutoff.AddMinutes(-1));
        var closedJustInside = await RetentionRows.EngagementAsync(db.DataSource, shift, closedAt: EngagementCutoff.AddMinutes(1));
        // Left open: the case ends when the day its last follow-up was due has passed.
        var openDueDayBefore = await RetentionRows.EngagementAsync(db.DataSource, shift, lastDueOn: UkDay(EngagementCutoff).AddDays(-1));
        var openDueOnTheDay = await RetentionRows.EngagementAsync(db.DataSource, shift, lastDueOn: UkDay(EngagementCutoff));
        // ...or when its last follow-up was recorded, if that was later.
        var openRecordedLate = await RetentionRows.EngagementAsync(db.DataSource, shift,
            lastDueOn: UkDay(EngagementCutoff).AddDays(-60), lastRecordedAt: EngagementCutoff.AddMinutes(1));
        // A young person seen again: the case is theirs, so an old closed engagement keeps its reference while a newer one runs.
        var returningOld = await RetentionRows.EngagementAsync(db.DataSource, shift, closedAt: EngagementCutoff.AddMonths(-10));
        var returningNew = await RetentionRows.EngagementAsync(db.DataSource, shift, closedAt: EngagementCutoff.AddDays(1),
            reference: await ReferenceOfAsync(returningOld));
        var twiceOld = await RetentionRows.EngagementAsync(db.DataSource, shift, closedAt: EngagementCutoff.AddMonths(-10));
        var twiceNew = await RetentionRows.EngagementAsync(db.DataSource, shift, closedAt: EngagementCutoff.AddDays(-1),
            reference: await ReferenceOfAsync(twiceOld));
        var alertRemoved = await RetentionRows.FollowUpAlertAsync(db.DataSource, closedJustOutside, await ReferenceOfAsync(closedJustOutside));
        var alertKept = await RetentionRows.FollowUpAlertAsync(db.DataSource, closedJustInside, await ReferenceOfAsync(closedJustInside));
        var smsRemoved = await RetentionRows.FollowUpSmsAsync(db.DataSource, openDueDayBefore, await ReferenceOfAsync(openDueDayBefore));
        long[] due = [closedJustOutside, openDueDayBefore, twiceOld, twiceNew];
        var before = await SnapshotAsync();

        await harness.Get<RetentionJob>().RunAsync(CancellationToken.None);

        var after = await SnapshotAsync();
        Assert.Equal(Without(before.Engagements, due), Without(after.Engagements, due));
        Assert.Equal(before.FollowUps, after.FollowUps);
        Assert.Equal(Without(before.Alerts, alertRemoved), Without(after.Alerts, alertRemoved));
        Assert.Equal(Without(before.Outbox, smsRemoved), Without(after.Outbox, smsRemoved));
        foreach (var id in new[] { closedJustInside, openDueOnTheDay, openRecordedLate, returningOld, returningNew })
        {
            Assert.NotNull(await ReferenceOfAsync(id));
        }

        await using var c = await db.DataSource.OpenConnectionAsync();
        foreach (var id in due)
        {
            var row = await c.QuerySingleAsync<(string? Reference, DateTime? RemovedAt)>(
                "SELECT reference, details_removed_at FROM outreach.ae_engagements WHERE id = @id", new { id });
            Assert.Equal((null, Now.UtcDateTime), (row.Reference, row.RemovedAt));
            Assert.Equal(
                RetentionJobTests.Strip(before.Engagements[Key(id)], "reference", "details_removed_at", "counted_as_young_person", "updated_at"),
                RetentionJobTests.Strip(after.Engagements[Key(id)], "reference", "details_removed_at", "counted_as_young_person", "updated_at"));
            var audit = await c.QuerySingleAsync<string>("""
                SELECT after::text FROM outreach.audit_events
                WHERE entity = 'ae_engagement' AND entity_id = @id AND action = 'retention' AND actor_name = 'system'
                """, new { id = id.ToString(CultureInfo.InvariantCulture) });
            Assert.DoesNotContain("AE-", audit, StringComparison.Ordinal);
        }
        // The earlier of the two engagements under one reference was the young person's first; the later was not.
        Assert.Equal([true, false], await c.QueryAsync<bool>(
            "SELECT counted_as_young_person FROM outreach.ae_engagements WHERE id = ANY(@ids) ORDER BY id", new { ids = new[] { twiceOld, twiceNew } }));

        var alert = await c.QuerySingleAsync<string>("SELECT message FROM outreach.alerts WHERE id = @alertRemoved", new { alertRemoved });
        Assert.DoesNotContain("AE-", alert, StringComparison.Ordinal);
        Assert.Contains("removed under the retention rule", alert, StringComparison.Ordinal);
        var sms = await c.QuerySingleAsync<(string Body, DateTime? RemovedAt)>(
            "SELECT body, body_removed_at FROM outreach.sms_outbox WHERE id = @smsRemoved", new { smsRemoved });
        Assert.Equal((RetentionData.RemovedBody(24), Now.UtcDateTime), (sms.Body, sms.RemovedAt));

        var run = await RetentionRows.LatestCountsAsync(c);
        Assert.Equal((24, EngagementCutoff, 4), run[RetentionData.EngagementReferences]);
    }

    [Fact]
    public async Task Concern_details_go_only_after_handover_and_acknowledgement_or_closure_and_the_period_after_that()
    {
        await using var harness = await JobHarness.StartAsync(db.ConnectionString, Now);
        var longAgo = ConcernCutoff.AddMonths(-6);
        var acknowledgedJustOutside = await RetentionRows.ConcernAsync(db.DataSource, "acknowledged", longAgo, ConcernCutoff.AddMinutes(-1), null);
        var acknowledgedJustInside = await RetentionRows.ConcernAsync(db.DataSource, "acknowledged", longAgo, ConcernCutoff.AddMinutes(1), null);
        var closedAfterHandover = await RetentionRows.ConcernAsync(db.DataSource, "closed", longAgo, null, ConcernCutoff.AddDays(-1));
        var acknowledgedThenClosedLater = await RetentionRows.ConcernAsync(
            db.DataSource, "closed", longAgo, ConcernCutoff.AddDays(-30), ConcernCutoff.AddDays(1));
        // Nobody else holds these: the venue never had them, or has not said it has.
        var closedWithoutHandover = await RetentionRows.ConcernAsync(db.DataSource, "closed", null, null, longAgo);
        var handedOverOnly = await RetentionRows.ConcernAsync(db.DataSource, "handed_over", longAgo, null, null);
        var stillOpen = await RetentionRows.ConcernAsync(db.DataSource, "open", null, null, null);
        long[] due = [acknowledgedJustOutside, closedAfterHandover];
        var before = await SnapshotAsync();

        await harness.Get<RetentionJob>().RunAsync(CancellationToken.None);

        var after = await SnapshotAsync();
        Assert.Equal(Without(before.Concerns, due), Without(after.Concerns, due));
        foreach (var id in new[] { acknowledgedJustInside, acknowledgedThenClosedLater, closedWithoutHandover, handedOverOnly, stillOpen })
        {
            Assert.Contains("\"details\":\"Said ", after.Concerns[Key(id)], StringComparison.Ordinal);
        }
        await using var c = await db.DataSource.OpenConnectionAsync();
        foreach (var id in due)
        {
            var row = await c.QuerySingleAsync<(string? Details, DateTime? RemovedAt, string HandedOverTo)>(
                "SELECT details, details_removed_at, handed_over_to FROM outreach.safeguarding_concerns WHERE id = @id", new { id });
            Assert.Equal((null, Now.UtcDateTime, "Ms Lead, DSL"), (row.Details, row.RemovedAt, row.HandedOverTo));
            Assert.Equal(
                RetentionJobTests.Strip(before.Concerns[Key(id)], "details", "details_removed_at", "updated_at"),
                RetentionJobTests.Strip(after.Concerns[Key(id)], "details", "details_removed_at", "updated_at"));
            Assert.Equal(1, await c.ExecuteScalarAsync<long>("""
                SELECT count(*) FROM outreach.audit_events
                WHERE entity = 'safeguarding_concern' AND entity_id = @id AND action = 'retention' AND after::text NOT LIKE '%Said %'
                """, new { id = id.ToString(CultureInfo.InvariantCulture) }));
        }
        var run = await RetentionRows.LatestCountsAsync(c);
        Assert.Equal((12, ConcernCutoff, 2), run[RetentionData.ConcernDetails]);
    }

    [Fact]
    public async Task Running_it_again_removes_nothing_more_and_changes_no_row()
    {
        await using var harness = await JobHarness.StartAsync(db.ConnectionString, Now);
        var shift = await RetentionRows.AeShiftAsync(db.DataSource, Now.UtcDateTime.AddYears(-3), "planned");
        var first = await RetentionRows.EngagementAsync(db.DataSource, shift, closedAt: EngagementCutoff.AddMonths(-2));
        await RetentionRows.EngagementAsync(db.DataSource, shift, closedAt: EngagementCutoff.AddMonths(-1), reference: await ReferenceOfAsync(first));
        await RetentionRows.ConcernAsync(db.DataSource, "acknowledged", ConcernCutoff.AddMonths(-3), ConcernCutoff.AddMonths(-2), null);
        await using var c = await db.DataSource.OpenConnectionAsync();

        await harness.Get<RetentionJob>().RunAsync(CancellationToken.None);
        var once = await RetentionRows.LatestCountsAsync(c);
        var afterOnce = await SnapshotAsync();
        var auditsOnce = await c.ExecuteScalarAsync<long>("SELECT count(*) FROM outreach.audit_events WHERE action = 'retention'");
        await harness.Get<RetentionJob>().RunAsync(CancellationToken.None);
        var twice = await RetentionRows.LatestCountsAsync(c);

        Assert.Equal(2, once[RetentionData.EngagementReferences].Affected);
        Assert.Equal(1, once[RetentionData.ConcernDetails].Affected);
        Assert.Equal(0, twice[RetentionData.EngagementReferences].Affected);
        Assert.Equal(0, twice[RetentionData.ConcernDetails].Affected);
        Assert.Equal(afterOnce, await SnapshotAsync());
        // Only the second run's own event: nothing was removed, so no row has a second removal on record.
        Assert.Equal(auditsOnce + 1, await c.ExecuteScalarAsync<long>("SELECT count(*) FROM outreach.audit_events WHERE action = 'retention'"));
    }

    [Fact]
    public async Task Both_periods_follow_their_settings()
    {
        // Shorter than the defaults, so what this test keeps is not due when the other tests here run.
        await using var harness = await JobHarness.StartAsync(db.ConnectionString, Now,
            new Dictionary<string, string?> { ["Retention:EngagementMonths"] = "6", ["Retention:ConcernDetailMonths"] = "3" });
        var shift = await RetentionRows.AeShiftAsync(db.DataSource, Now.UtcDateTime.AddYears(-1), "planned");
        var inside = await RetentionRows.EngagementAsync(db.DataSource, shift, closedAt: Now.UtcDateTime.AddMonths(-6).AddDays(1));
        var outside = await RetentionRows.EngagementAsync(db.DataSource, shift, closedAt: Now.UtcDateTime.AddMonths(-6).AddDays(-1));
        var concernInside = await RetentionRows.ConcernAsync(db.DataSource, "closed", Now.UtcDateTime.AddMonths(-5), null, Now.UtcDateTime.AddMonths(-3).AddDays(1));
        var concernOutside = await RetentionRows.ConcernAsync(db.DataSource, "closed", Now.UtcDateTime.AddMonths(-5), null, Now.UtcDateTime.AddMonths(-3).AddDays(-1));

        await harness.Get<RetentionJob>().RunAsync(CancellationToken.None);

        Assert.NotNull(await ReferenceOfAsync(inside));
        Assert.Null(await ReferenceOfAsync(outside));
        await using var c = await db.DataSource.OpenConnectionAsync();
        Assert.Equal([true, false], await c.QueryAsync<bool>(
            "SELECT details IS NOT NULL FROM outreach.safeguarding_concerns WHERE id = ANY(@ids) ORDER BY id", new { ids = new[] { concernInside, concernOutside } }));
        var run = await RetentionRows.LatestCountsAsync(c);
        // (How many it removed includes what the other tests here keep under the longer defaults.)
        Assert.Equal((6, Now.UtcDateTime.AddMonths(-6)), (run[RetentionData.EngagementReferences].PeriodMonths, run[RetentionData.EngagementReferences].Cutoff));
        Assert.Equal((3, Now.UtcDateTime.AddMonths(-3)), (run[RetentionData.ConcernDetails].PeriodMonths, run[RetentionData.ConcernDetails].Cutoff));
    }

    [Fact]
    public async Task Compiled_figures_are_the_same_after_retention_and_after_a_full_recompile()
    {
        await using var harness = await JobHarness.StartAsync(db.ConnectionString, Now);
        var area = await TestData.AreaAsync(db.DataSource);
        var venue = await TestData.VenueAsync(db.DataSource, "emergency_department", area);
        var march = await RetentionRows.AeShiftAsync(db.DataSource, SchedulingData.Utc(2023, 3, 10, 19), "planned", venue);
        var april = await RetentionRows.AeShiftAsync(db.DataSource, SchedulingData.Utc(2023, 4, 14, 19), "delivered", venue);
        var may = await RetentionRows.AeShiftAsync(db.DataSource, SchedulingData.Utc(2023, 5, 12, 19), "planned", venue);
        var februaryDraft = await RetentionRows.AeShiftAsync(db.DataSource, SchedulingData.Utc(2023, 2, 10, 19), "draft", venue);
        var recent = await RetentionRows.AeShiftAsync(db.DataSource, Now.UtcDateTime.AddDays(-10), "planned", venue);
        var closed2023 = SchedulingData.Utc(2023, 7, 1, 12);
        // Seen in March, back in April: one young person, in March.
        var once = await RetentionRows.EngagementAsync(db.DataSource, march, closedAt: closed2023, withFollowUps: true);
        await RetentionRows.EngagementAsync(db.DataSource, april, closedAt: closed2023, reference: await ReferenceOfAsync(once));
        // Seen in April and again last week: the case is still open, so the reference stays.
        var stillOpen = await RetentionRows.EngagementAsync(db.DataSource, april, closedAt: closed2023);
        await RetentionRows.EngagementAsync(db.DataSource, recent, reference: await ReferenceOfAsync(stillOpen), lastDueOn: UkDay(Now.UtcDateTime).AddMonths(6));
        // Recorded in the wrong order: the May engagement has the lower id, but March's shift came first.
        var laterShiftFirstRecorded = await RetentionRows.EngagementAsync(db.DataSource, may, closedAt: closed2023);
        await RetentionRows.EngagementAsync(db.DataSource, march, closedAt: closed2023, reference: await ReferenceOfAsync(laterShiftFirstRecorded));
        // Met on a shift still in draft: that one does not count, so April's is their first.
        var onDraft = await RetentionRows.EngagementAsync(db.DataSource, februaryDraft, closedAt: closed2023);
        await RetentionRows.EngagementAsync(db.DataSource, april, closedAt: closed2023, reference: await ReferenceOfAsync(onDraft));
        var impact = harness.Get<ImpactData>();
        await impact.CompileAsync(CompileMode.Full, null, CancellationToken.None);
        var compiled = await FiguresAsync();
        await using var c = await db.DataSource.OpenConnectionAsync();
        var removedBefore = await c.ExecuteScalarAsync<long>("SELECT count(*) FROM outreach.ae_engagements WHERE details_removed_at IS NOT NULL");

        await harness.Get<RetentionJob>().RunAsync(CancellationToken.None);

        Assert.Equal(6, await c.ExecuteScalarAsync<long>("SELECT count(*) FROM outreach.ae_engagements WHERE details_removed_at IS NOT NULL") - removedBefore);
        Assert.Equal(compiled, await FiguresAsync());
        // Retention marked its months for the next compile, and that compile, then a full one, still agree.
        Assert.True(await c.ExecuteScalarAsync<long>("SELECT count(*) FROM outreach.impact_dirty_months") > 0);
        await impact.CompileAsync(CompileMode.Incremental, null, CancellationToken.None);
        Assert.Equal(compiled, await FiguresAsync());
        await impact.CompileAsync(CompileMode.Full, null, CancellationToken.None);
        Assert.Equal(compiled, await FiguresAsync());

        // Worked out by hand, so the test fails if the compile forgets the kept flag (it would count every removed
        // engagement as a young person) or works it out differently from the rule.
        var cells = (await c.QueryAsync<(DateTime Month, int YoungPeople, int Engagements, int Due4w, int Done4w)>("""
            SELECT month::timestamp, ae_young_people, ae_engagements, follow_ups_4w_due, follow_ups_4w_done FROM outreach.impact_monthly
            WHERE area_id = @area AND session_kind = 'ae_shift' AND month < '2024-01-01' ORDER BY month
            """, new { area })).ToList();
        Assert.Equal(
            [(new DateTime(2023, 3, 1), 2, 2, 1, 1), (new DateTime(2023, 4, 1), 2, 3, 0, 0), (new DateTime(2023, 5, 1), 0, 1, 0, 0)],
            cells);

        async Task<IReadOnlyList<string>> FiguresAsync()
        {
            await using var f = await db.DataSource.OpenConnectionAsync();
            return (await f.QueryAsync<string>("""
                SELECT (to_jsonb(m) - 'compiled_at')::text FROM outreach.impact_monthly m ORDER BY month, area_id, venue_kind, session_kind
                """)).AsList();
        }
    }

    [Fact]
    public async Task A_returning_young_person_recorded_while_a_run_removes_their_reference_is_refused_rather_than_counted_twice()
    {
        await using var harness = await JobHarness.StartAsync(db.ConnectionString, Now);
        var oldShift = await RetentionRows.AeShiftAsync(db.DataSource, Now.UtcDateTime.AddYears(-3), "planned");
        var old = await RetentionRows.EngagementAsync(db.DataSource, oldShift, closedAt: EngagementCutoff.AddMonths(-1));
        var reference = (await ReferenceOfAsync(old))!;
        var tonight = await RetentionRows.AeShiftAsync(db.DataSource, Now.UtcDateTime.AddHours(-2), "planned");
        // A run in progress: it holds its lock and is removing the reference.
        await using var run = await db.DataSource.OpenConnectionAsync();
        await using var runTransaction = await run.BeginTransactionAsync();
        await run.ExecuteAsync($"SELECT pg_advisory_xact_lock(hashtext('{RetentionData.AdvisoryLock}'))", transaction: runTransaction);

        var create = harness.Get<EngagementData>().CreateAsync(
            new NewEngagement(tonight, reference, "16_17", null, "knife", true, "ed_staff", Now.UtcDateTime.AddHours(-1), null, false),
            null, Actor.System, CancellationToken.None);
        await Task.Delay(500);
        Assert.False(create.IsCompleted, "recording a returning young person did not wait for the retention run");
        await run.ExecuteAsync("""
            UPDATE outreach.ae_engagements SET reference = NULL, details_removed_at = @now, counted_as_young_person = true WHERE id = @old
            """, new { old, now = Now.UtcDateTime }, runTransaction);
        await runTransaction.CommitAsync();
        var outcome = await create;

        Assert.False(outcome.Succeeded);
        Assert.Equal("ExistingReference", Assert.Single(outcome.Errors).Field);
        await using var c = await db.DataSource.OpenConnectionAsync();
        Assert.Equal(0, await c.ExecuteScalarAsync<long>("SELECT count(*) FROM outreach.ae_engagements WHERE reference = @reference", new { reference }));
    }

    private async Task<string?> ReferenceOfAsync(long engagementId)
    {
        await using var c = await db.DataSource.OpenConnectionAsync();
        return await c.ExecuteScalarAsync<string?>("SELECT reference FROM outreach.ae_engagements WHERE id = @engagementId", new { engagementId });
    }

    private sealed record Snapshot(
        IReadOnlyDictionary<string, string> Engagements, IReadOnlyDictionary<string, string> FollowUps,
        IReadOnlyDictionary<string, string> Alerts, IReadOnlyDictionary<string, string> Outbox, IReadOnlyDictionary<string, string> Concerns)
    {
        public bool Equals(Snapshot? other) => other is not null
            && Same(Engagements, other.Engagements) && Same(FollowUps, other.FollowUps) && Same(Alerts, other.Alerts)
            && Same(Outbox, other.Outbox) && Same(Concerns, other.Concerns);

        public override int GetHashCode() => Engagements.Count;

        private static bool Same(IReadOnlyDictionary<string, string> a, IReadOnlyDictionary<string, string> b) =>
            a.Count == b.Count && a.All(r => b.TryGetValue(r.Key, out var v) && v == r.Value);
    }

    private async Task<Snapshot> SnapshotAsync()
    {
        await using var c = await db.DataSource.OpenConnectionAsync();
        async Task<IReadOnlyDictionary<string, string>> RowsAsync(string table, string key) =>
            (await c.QueryAsync<(string Key, string Row)>($"SELECT ({key})::text, row_to_json(t)::text FROM outreach.{table} t"))
            .ToDictionary(r => r.Key, r => r.Row);
        return new Snapshot(
            await RowsAsync("ae_engagements", "id"), await RowsAsync("ae_follow_ups", "engagement_id || ':' || stage"),
            await RowsAsync("alerts", "id"), await RowsAsync("sms_outbox", "id"), await RowsAsync("safeguarding_concerns", "id"));
    }

    private static string Key(long id) => id.ToString(CultureInfo.InvariantCulture);

    private static SortedDictionary<string, string> Without(IReadOnlyDictionary<string, string> rows, params long[] ids)
    {
        var keys = ids.Select(i => i.ToString(CultureInfo.InvariantCulture)).ToHashSet(StringComparer.Ordinal);
        return new(rows.Where(r => !keys.Contains(r.Key)).ToDictionary(r => r.Key, r => r.Value), StringComparer.Ordinal);
    }

    /// <summary>A migrated database for these tests alone.</summary>
    public sealed class OwnDatabase : IAsyncLifetime
    {
        public string ConnectionString { get; private set; } = "";

        public NpgsqlDataSource DataSource { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            ConnectionString = await MigratedDatabase.CreateMigratedAsync("engagement_retention");
            DataSource = NpgsqlDataSource.Create(ConnectionString);
        }

        public async Task DisposeAsync()
        {
            if (DataSource is not null)
            {
                await DataSource.DisposeAsync();
            }
        }
    }
}

/// <summary>Engagements, concerns and the messages about them, dated as a retention test needs.</summary>
public static class RetentionRows
{
    public static async Task<long> AeShiftAsync(NpgsqlDataSource db, DateTime startsAtUtc, string status, long? venueId = null)
    {
        venueId ??= await TestData.VenueAsync(db, "emergency_department");
        await using var c = await db.OpenConnectionAsync();
        return await c.ExecuteScalarAsync<long>("""
            INSERT INTO outreach.sessions (venue_id, kind, title, starts_at, ends_at, status)
            VALUES (@venueId, 'ae_shift', @title, @startsAtUtc, @endsAtUtc, @status) RETURNING id
            """, new { venueId, title = TestData.Unique("A&E shift"), startsAtUtc, endsAtUtc = startsAtUtc.AddHours(8), status });
    }

    /// <summary>
    /// Closed at <paramref name="closedAt"/>, or left open with follow-ups whose last is due on <paramref name="lastDueOn"/>
    /// (recorded at <paramref name="lastRecordedAt"/> when given). Referred months before either.
    /// </summary>
    public static async Task<long> EngagementAsync(
        NpgsqlDataSource db, long sessionId, DateTime? closedAt = null, DateTime? lastDueOn = null, DateTime? lastRecordedAt = null,
        string? reference = null, bool withFollowUps = false)
    {
        var lastDue = lastDueOn ?? UkTime.ToLocal(closedAt!.Value).Date.AddDays(-10);
        var referredAt = DateTime.SpecifyKind(lastDue.AddMonths(-7), DateTimeKind.Utc);
        await using var c = await db.OpenConnectionAsync();
        var id = await c.ExecuteScalarAsync<long>("""
            INSERT INTO outreach.ae_engagements (reference, session_id, age_band, gender, presenting_reason, consent, referral_source,
                referred_at, first_contact_at, status, closed_at, closed_reason)
            VALUES (@reference, @sessionId, '14_15', 'male', 'knife', true, 'ed_staff', @referredAt, @referredAt + interval '1 hour',
                CASE WHEN @closedAt::timestamptz IS NULL THEN 'open' ELSE 'closed' END, @closedAt::timestamptz,
                CASE WHEN @closedAt::timestamptz IS NULL THEN NULL ELSE 'support_completed' END)
            RETURNING id
            """, new { reference = reference ?? EngagementVocabulary.NewReference(), sessionId, referredAt, closedAt });
        if (withFollowUps || closedAt is null)
        {
            await c.ExecuteAsync("""
                INSERT INTO outreach.ae_follow_ups (engagement_id, stage, due_on, outcome, recorded_at) VALUES
                    (@id, '4_weeks', @lastDue::date - 150, 'engaged', @referredAt + interval '28 days'),
                    (@id, '12_weeks', @lastDue::date - 90, NULL, NULL),
                    (@id, '6_months', @lastDue::date, CASE WHEN @lastRecordedAt::timestamptz IS NOT NULL THEN 'engaged' END, @lastRecordedAt::timestamptz)
                """, new { id, lastDue, referredAt, lastRecordedAt });
        }
        return id;
    }

    public static async Task<long> FollowUpAlertAsync(NpgsqlDataSource db, long engagementId, string? reference)
    {
        await using var c = await db.OpenConnectionAsync();
        return await c.ExecuteScalarAsync<long>("""
            INSERT INTO outreach.alerts (dedupe_key, kind, message) VALUES (@key, 'follow_up_due', @message) RETURNING id
            """, new { key = $"follow-up-due:engagement:{engagementId}:6_months", message = $"The 6 months follow-up for {reference} is due and no worker can be texted about it." });
    }

    public static async Task<long> FollowUpSmsAsync(NpgsqlDataSource db, long engagementId, string? reference)
    {
        await using var c = await db.OpenConnectionAsync();
        return await c.ExecuteScalarAsync<long>("""
            INSERT INTO outreach.sms_outbox (dedupe_key, purpose, to_e164, body, status, created_at, not_before)
            VALUES (@key, 'follow-up-due', '+447400000003', @body, 'sent', now(), now()) RETURNING id
            """, new { key = $"follow-up-due:engagement:{engagementId}:6_months", body = $"Outreach: the 6 months follow-up for {reference} is due." });
    }

    /// <summary>A concern in <paramref name="status"/>, handed over, acknowledged and closed at the times given (null: never).</summary>
    public static async Task<long> ConcernAsync(
        NpgsqlDataSource db, string status, DateTime? handedOverAt, DateTime? acknowledgedAt, DateTime? closedAt)
    {
        var raisedAt = (handedOverAt ?? closedAt ?? DateTime.UtcNow).AddDays(-2);
        var session = await TestData.SessionAsync(db, raisedAt.AddHours(-3), TimeSpan.FromHours(1));
        await using var c = await db.OpenConnectionAsync();
        return await c.ExecuteScalarAsync<long>("""
            INSERT INTO outreach.safeguarding_concerns (session_id, raised_at, details, status, handed_over_to, handed_over_at,
                acknowledged_at, closed_at, updated_at)
            VALUES (@session, @raisedAt, @details, @status, CASE WHEN @handedOverAt::timestamptz IS NOT NULL THEN 'Ms Lead, DSL' END,
                @handedOverAt::timestamptz, @acknowledgedAt::timestamptz, @closedAt::timestamptz, @raisedAt)
            RETURNING id
            """, new { session, raisedAt, details = TestData.Unique("Said an older cousin keeps a blade at home"), status, handedOverAt, acknowledgedAt, closedAt });
    }

    public static async Task<IReadOnlyDictionary<string, (int PeriodMonths, DateTime Cutoff, int Affected)>> LatestCountsAsync(NpgsqlConnection c)
    {
        var rows = await c.QueryAsync<(string Kind, int PeriodMonths, DateTime Cutoff, int Affected)>("""
            SELECT kind, period_months, cutoff, affected FROM outreach.retention_run_counts
            WHERE run_id = (SELECT max(id) FROM outreach.retention_runs)
            """);
        return rows.ToDictionary(r => r.Kind, r => (r.PeriodMonths, r.Cutoff, r.Affected));
    }
}
