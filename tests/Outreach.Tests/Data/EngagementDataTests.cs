using Microsoft.Extensions.Time.Testing;
using Outreach.Data;
using Outreach.Data.Engagements;
using Outreach.Tests.Infrastructure;

namespace Outreach.Tests.Data;

[Collection("Database")]
public sealed class EngagementDataTests(DatabaseFixture db)
{
    // Referred at 23:00 UTC on Saturday 10 October 2026 (midnight BST); first contact 23:30 UTC, which is already
    // Sunday 11 October in the UK. The clocks go back on 25 October, between the contact and the first follow-up.
    private static readonly DateTime ShiftStart = new(2026, 10, 10, 17, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime Referred = new(2026, 10, 10, 23, 0, 0, DateTimeKind.Utc);

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(new DateTime(2026, 10, 11, 1, 0, 0, DateTimeKind.Utc)));

    private EngagementData Engagements => new(db.DataSource, _clock);

    private static Actor As(long userId) => new(userId, "tester", "127.0.0.1");

    private async Task<(long Shift, long UserId, long WorkerId)> ShiftWithWorkerAsync()
    {
        var shift = await RecordingData.AeShiftAsync(db.DataSource, ShiftStart, TimeSpan.FromHours(8));
        var (userId, workerId) = await RecordingData.WorkerWithAccountAsync(db.DataSource);
        await TestData.AssignAsync(db.DataSource, shift, workerId);
        return (shift, userId, workerId);
    }

    private static NewEngagement New(long shift, string? reference = null) =>
        new(shift, reference, "14_15", "male", "knife", true, "ed_staff", Referred, Referred.AddMinutes(30), false);

    [Fact]
    public async Task A_new_engagement_gets_a_fresh_reference_and_follow_ups_on_UK_dates_across_the_clock_change()
    {
        var (shift, userId, workerId) = await ShiftWithWorkerAsync();

        var outcome = await Engagements.CreateAsync(New(shift), userId, As(userId), CancellationToken.None);

        Assert.True(outcome.Succeeded, string.Join("; ", outcome.Errors.Select(e => e.Message)));
        var created = outcome.Value!;
        Assert.Matches("^AE-[2-9A-HJKMNP-Z]{6}$", created.Reference);
        Assert.False(created.Returning);
        // The follow-ups count UK days from Sunday 11 October (counting from the UTC date, Saturday 10th, would
        // land each a day early).
        var followUps = await RecordingData.QueryAsync<(string Stage, DateTime DueOn)>(db.DataSource,
            "SELECT stage, due_on::timestamp FROM outreach.ae_follow_ups WHERE engagement_id = @Id ORDER BY due_on", created);
        Assert.Equal(
            [("4_weeks", new DateTime(2026, 11, 8)), ("12_weeks", new DateTime(2027, 1, 3)), ("6_months", new DateTime(2027, 4, 11))],
            followUps);
        Assert.Equal(workerId, await RecordingData.ScalarAsync<long>(db.DataSource, "SELECT worker_id FROM outreach.ae_engagements WHERE id = @Id", created));
        // The audit log is append-only: a reference written there would outlive its removal under the retention rule.
        var audit = await RecordingData.ScalarAsync<string>(db.DataSource,
            "SELECT after::text FROM outreach.audit_events WHERE entity = 'ae_engagement' AND action = 'create' AND entity_id = @id",
            new { id = created.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        Assert.Contains("FollowUps", audit, StringComparison.Ordinal);
        Assert.DoesNotContain(created.Reference, audit, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_returning_young_person_keeps_their_reference_and_an_unknown_reference_is_refused()
    {
        var (shift, userId, _) = await ShiftWithWorkerAsync();
        var first = (await Engagements.CreateAsync(New(shift), userId, As(userId), CancellationToken.None)).Value!;

        var again = await Engagements.CreateAsync(New(shift, " " + first.Reference[3..].ToLowerInvariant()), userId, As(userId), CancellationToken.None);
        var unknown = await Engagements.CreateAsync(New(shift, "AE-ZZZZZZ"), userId, As(userId), CancellationToken.None);
        var malformed = await Engagements.CreateAsync(New(shift, "Jayden"), userId, As(userId), CancellationToken.None);

        Assert.Equal(first.Reference, again.Value!.Reference);
        Assert.True(again.Value.Returning);
        Assert.Equal("ExistingReference", Assert.Single(unknown.Errors).Field);
        Assert.Equal("ExistingReference", Assert.Single(malformed.Errors).Field);
        Assert.Equal(2, await RecordingData.ScalarAsync<long>(db.DataSource, "SELECT count(*) FROM outreach.ae_engagements WHERE reference = @Reference", first));
        var read = await Engagements.ReadAsync(again.Value.Id, userId, As(userId), CancellationToken.None);
        Assert.Equal(1, read!.Value.Engagement.OtherEngagements);
    }

    [Fact]
    public async Task Every_read_of_an_engagement_is_audited_and_a_worker_not_on_the_shift_reads_nothing()
    {
        var (shift, userId, _) = await ShiftWithWorkerAsync();
        var (strangerUser, _) = await RecordingData.WorkerWithAccountAsync(db.DataSource);
        var created = (await Engagements.CreateAsync(New(shift), userId, As(userId), CancellationToken.None)).Value!;

        var read = await Engagements.ReadAsync(created.Id, userId, As(userId), CancellationToken.None);
        await Engagements.ReadAsync(created.Id, null, As(userId), CancellationToken.None);
        var stranger = await Engagements.ReadAsync(created.Id, strangerUser, As(strangerUser), CancellationToken.None);
        var list = await Engagements.ListAsync(userId, false, As(userId), CancellationToken.None);

        Assert.NotNull(read);
        Assert.Equal(TimeSpan.FromMinutes(30), read.Value.Engagement.ReferralToFirstContact);
        Assert.Null(stranger);
        Assert.Contains(list, r => r.Id == created.Id);
        Assert.Equal(2, await RecordingData.ScalarAsync<long>(db.DataSource,
            "SELECT count(*) FROM outreach.audit_events WHERE entity = 'ae_engagement' AND entity_id = @id AND action = 'read'",
            new { id = created.Id.ToString() }));
        Assert.Equal(1, await RecordingData.ScalarAsync<long>(db.DataSource,
            "SELECT count(*) FROM outreach.audit_events WHERE entity = 'ae_engagement' AND action = 'list' AND actor_id = @userId AND after -> 'Ids' @> to_jsonb(@id)",
            new { userId, id = created.Id }));
    }

    [Fact]
    public async Task A_follow_up_outcome_is_recorded_from_a_week_before_it_is_due_and_a_closed_case_takes_no_more()
    {
        var (shift, userId, _) = await ShiftWithWorkerAsync();
        var created = (await Engagements.CreateAsync(New(shift), userId, As(userId), CancellationToken.None)).Value!;

        var early = await Engagements.RecordFollowUpAsync(created.Id, "4_weeks", "engaged", userId, As(userId), CancellationToken.None);
        _clock.SetUtcNow(new DateTimeOffset(2026, 11, 2, 10, 0, 0, TimeSpan.Zero));
        var onTime = await Engagements.RecordFollowUpAsync(created.Id, "4_weeks", "engaged", userId, As(userId), CancellationToken.None);
        var badOutcome = await Engagements.RecordFollowUpAsync(created.Id, "4_weeks", "fine", userId, As(userId), CancellationToken.None);
        var closed = await Engagements.CloseAsync(created.Id, "support_completed", userId, As(userId), CancellationToken.None);
        var afterClose = await Engagements.RecordFollowUpAsync(created.Id, "12_weeks", "engaged", userId, As(userId), CancellationToken.None);
        var closedAgain = await Engagements.CloseAsync(created.Id, "other", userId, As(userId), CancellationToken.None);

        Assert.Equal("Outcome", Assert.Single(early.Errors).Field);
        Assert.True(onTime.Succeeded);
        Assert.Equal("Outcome", Assert.Single(badOutcome.Errors).Field);
        Assert.True(closed.Succeeded);
        Assert.False(afterClose.Succeeded);
        Assert.False(closedAgain.Succeeded);
        var (engagement, followUps) = (await Engagements.ReadAsync(created.Id, userId, As(userId), CancellationToken.None))!.Value;
        Assert.Equal(("closed", "support_completed"), (engagement.Status, engagement.ClosedReason));
        Assert.Equal(["engaged", null, null], followUps.Select(f => f.Outcome));
        Assert.Equal(["create", "follow_up", "close"], await RecordingData.QueryAsync<string>(db.DataSource,
            "SELECT action FROM outreach.audit_events WHERE entity = 'ae_engagement' AND entity_id = @id AND action <> 'read' ORDER BY id",
            new { id = created.Id.ToString() }));
        Assert.Empty(await Engagements.DueAsync(userId, new DateOnly(2027, 12, 31), As(userId), CancellationToken.None)
            .ContinueWith(t => t.Result.Where(r => r.EngagementId == created.Id).ToList(), TaskScheduler.Default));
    }

    [Fact]
    public async Task An_engagement_needs_an_A_and_E_shift_the_worker_is_on()
    {
        var (_, userId, _) = await ShiftWithWorkerAsync();
        var school = await TestData.SessionAsync(db.DataSource, ShiftStart, TimeSpan.FromHours(1));
        var otherShift = await RecordingData.AeShiftAsync(db.DataSource, ShiftStart, TimeSpan.FromHours(8));

        var notAe = await Engagements.CreateAsync(New(school), null, As(userId), CancellationToken.None);
        var notMine = await Engagements.CreateAsync(New(otherShift), userId, As(userId), CancellationToken.None);

        Assert.Equal("SessionId", Assert.Single(notAe.Errors).Field);
        Assert.Equal("SessionId", Assert.Single(notMine.Errors).Field);
    }

    [Fact]
    public void References_use_an_alphabet_without_look_alike_characters()
    {
        var references = Enumerable.Range(0, 2000).Select(_ => EngagementVocabulary.NewReference()).ToList();

        Assert.All(references, r => Assert.Matches("^AE-[2-9A-HJKMNP-Z]{6}$", r));
        Assert.True(references.Distinct().Count() > 1990);
        Assert.DoesNotContain(references, r => r[3..].IndexOfAny(['0', 'O', '1', 'I', 'L']) >= 0);
    }
}
