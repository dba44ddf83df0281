using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Outreach.Data;
using Outreach.Data.Messages;
using Outreach.Data.Records;
using Outreach.Tests.Infrastructure;

namespace Outreach.Tests.Data;

[Collection("Database")]
public sealed class RecordDataTests(DatabaseFixture db)
{
    private static readonly DateTime Now = new(2026, 11, 20, 15, 0, 0, DateTimeKind.Utc);

    private RecordData Records(string? onCall = null) => new(db.DataSource, new FakeTimeProvider(new DateTimeOffset(Now)),
        Options.Create(new SmsOptions { OnCallCoordinatorMobile = onCall ?? "" }), Options.Create(new SiteOptions { PublicBaseUrl = "https://outreach.example" }));

    private sealed record Setup(long SessionId, long LeadUser, long LeadWorker, long OtherUser, long OtherWorker, long[] Topics, long[] Questions);

    private async Task<Setup> SessionWithLeadAndSecondWorkerAsync()
    {
        var session = await TestData.SessionAsync(db.DataSource, Now.AddHours(-3), TimeSpan.FromHours(1));
        var (leadUser, leadWorker) = await RecordingData.WorkerWithAccountAsync(db.DataSource);
        var (otherUser, otherWorker) = await RecordingData.WorkerWithAccountAsync(db.DataSource);
        await TestData.AssignAsync(db.DataSource, session, leadWorker, lead: true);
        await TestData.AssignAsync(db.DataSource, session, otherWorker, lead: false);
        var topics = (await RecordingData.QueryAsync<long>(db.DataSource, "SELECT id FROM outreach.record_topics WHERE active ORDER BY id LIMIT 3")).ToArray();
        var questions = (await RecordingData.QueryAsync<long>(db.DataSource, "SELECT id FROM outreach.survey_questions WHERE active ORDER BY id LIMIT 2")).ToArray();
        return new Setup(session, leadUser, leadWorker, otherUser, otherWorker, topics, questions);
    }

    private static SessionRecord Counts(DateTime start, int under11 = 0, int from11 = 20, int from14 = 10) =>
        new(true, null, start, start.AddMinutes(55), under11, from11, from14, 0, 0, "Good questions about county lines.");

    private static RecordDetails Full(Setup s) => new(
        14, 15, 1,
        new Dictionary<string, int> { ["8"] = 20, ["10"] = 10 },
        [s.Topics[0], s.Topics[2]],
        [s.LeadWorker, s.OtherWorker],
        new Dictionary<string, int> { ["camhs"] = 2, ["mentoring"] = 1 },
        [new SurveyResult(s.Questions[0], 2.5m, 28, 3.75m, 27), new SurveyResult(s.Questions[1], null, null, 2.1m, 25)]);

    private static Actor As(long userId) => new(userId, "tester", "127.0.0.1");

    [Fact]
    public async Task The_lead_worker_saves_counts_topics_staff_referrals_and_survey_results_together()
    {
        var s = await SessionWithLeadAndSecondWorkerAsync();

        var outcome = await Records().SaveAsync(s.SessionId, Counts(Now.AddHours(-3)), Full(s), null, s.LeadUser, As(s.LeadUser), CancellationToken.None);

        Assert.True(outcome.Succeeded, string.Join("; ", outcome.Errors.Select(e => $"{e.Field}: {e.Message}")));
        var form = await Records().LoadAsync(s.SessionId, s.LeadUser, CancellationToken.None);
        Assert.NotNull(form);
        Assert.True(form.CanWrite);
        Assert.Equal(30, form.Record!.YoungPeople);
        var d = form.Details;
        Assert.Equal((14, 15, 1), (d.CountFemale, d.CountMale, d.CountOtherGender));
        Assert.Equal(new Dictionary<string, int> { ["8"] = 20, ["10"] = 10 }, d.YearGroups);
        Assert.Equal([s.Topics[0], s.Topics[2]], d.TopicIds);
        Assert.Equal(new[] { s.LeadWorker, s.OtherWorker }.Order(), d.StaffWorkerIds);
        Assert.Equal(new Dictionary<string, int> { ["camhs"] = 2, ["mentoring"] = 1 }, d.Referrals);
        Assert.Equal([new SurveyResult(s.Questions[0], 2.5m, 28, 3.75m, 27), new SurveyResult(s.Questions[1], null, null, 2.1m, 25)], d.Surveys);
        Assert.Equal("delivered", await RecordingData.ScalarAsync<string>(db.DataSource, "SELECT status FROM outreach.sessions WHERE id = @SessionId", s));
        Assert.Equal(1, await RecordingData.ScalarAsync<long>(db.DataSource,
            "SELECT count(*) FROM outreach.audit_events WHERE entity = 'session_record' AND entity_id = @id AND action = 'create'", new { id = s.SessionId.ToString() }));
    }

    [Fact]
    public async Task A_topic_that_does_not_exist_writes_nothing_at_all_and_names_the_topics_field()
    {
        var s = await SessionWithLeadAndSecondWorkerAsync();
        var details = Full(s) with { TopicIds = [s.Topics[0], long.MaxValue] };

        var outcome = await Records().SaveAsync(s.SessionId, Counts(Now.AddHours(-3)), details, "A concern that must not be raised", s.LeadUser, As(s.LeadUser), CancellationToken.None);

        Assert.Equal("TopicIds", Assert.Single(outcome.Errors).Field);
        foreach (var table in new[] { "session_records", "session_record_topics", "session_record_staff", "session_record_referrals", "session_record_surveys", "safeguarding_concerns" })
        {
            Assert.Equal(0, await RecordingData.ScalarAsync<long>(db.DataSource, $"SELECT count(*) FROM outreach.{table} WHERE session_id = @SessionId", s));
        }
        Assert.Equal(0, await RecordingData.ScalarAsync<long>(db.DataSource,
            "SELECT count(*) FROM outreach.audit_events WHERE entity = 'session_record' AND entity_id = @id", new { id = s.SessionId.ToString() }));
        Assert.Equal("planned", await RecordingData.ScalarAsync<string>(db.DataSource, "SELECT status FROM outreach.sessions WHERE id = @SessionId", s));
    }

    [Fact]
    public async Task A_worker_not_on_the_session_is_refused_staff_and_nothing_is_written()
    {
        var s = await SessionWithLeadAndSecondWorkerAsync();
        var stranger = await TestData.WorkerAsync(db.DataSource);

        var outcome = await Records().SaveAsync(s.SessionId, Counts(Now.AddHours(-3)), Full(s) with { StaffWorkerIds = [s.LeadWorker, stranger] },
            null, null, As(s.LeadUser), CancellationToken.None);

        Assert.Equal("StaffIds", Assert.Single(outcome.Errors).Field);
        Assert.Equal(0, await RecordingData.ScalarAsync<long>(db.DataSource, "SELECT count(*) FROM outreach.session_records WHERE session_id = @SessionId", s));
    }

    [Fact]
    public async Task Counts_that_do_not_add_up_are_refused_beside_their_fields()
    {
        var s = await SessionWithLeadAndSecondWorkerAsync();
        var start = Now.AddHours(-3);
        var record = Counts(start) with { ActualEnd = start.AddMinutes(-5) };
        var details = Full(s) with
        {
            CountFemale = 20, CountMale = 20,
            Surveys = [new SurveyResult(s.Questions[0], 3m, 31, 6m, 10)],
            YearGroups = new Dictionary<string, int> { ["9"] = 40 },
        };

        var outcome = await Records().SaveAsync(s.SessionId, record, details, null, s.LeadUser, As(s.LeadUser), CancellationToken.None);

        var fields = outcome.Errors.ToDictionary(e => e.Field, e => e.Message);
        Assert.Contains("ActualEnd", fields.Keys);
        Assert.Contains("more than the 30 young people", fields["CountFemale"], StringComparison.Ordinal);
        Assert.Contains("more than the 30 young people", fields["YearGroups"], StringComparison.Ordinal);
        Assert.Contains("from 1 to the 30", fields["Surveys[0].BeforeN"], StringComparison.Ordinal);
        Assert.Contains("1 to 5", fields["Surveys[0].AfterMean"], StringComparison.Ordinal);
        Assert.Equal(0, await RecordingData.ScalarAsync<long>(db.DataSource, "SELECT count(*) FROM outreach.session_records WHERE session_id = @SessionId", s));
    }

    [Fact]
    public async Task Another_worker_on_the_session_reads_the_record_but_cannot_write_it_and_a_stranger_reaches_neither()
    {
        var s = await SessionWithLeadAndSecondWorkerAsync();
        var (strangerUser, _) = await RecordingData.WorkerWithAccountAsync(db.DataSource);

        var other = await Records().LoadAsync(s.SessionId, s.OtherUser, CancellationToken.None);
        var stranger = await Records().LoadAsync(s.SessionId, strangerUser, CancellationToken.None);
        var byOther = await Records().SaveAsync(s.SessionId, Counts(Now.AddHours(-3)), Full(s), null, s.OtherUser, As(s.OtherUser), CancellationToken.None);
        var byStranger = await Records().SaveAsync(s.SessionId, Counts(Now.AddHours(-3)), Full(s), null, strangerUser, As(strangerUser), CancellationToken.None);

        Assert.NotNull(other);
        Assert.False(other.CanWrite);
        Assert.Null(stranger);
        Assert.Equal("", Assert.Single(byOther.Errors).Field);
        Assert.Equal("", Assert.Single(byStranger.Errors).Field);
        Assert.Equal(0, await RecordingData.ScalarAsync<long>(db.DataSource, "SELECT count(*) FROM outreach.session_records WHERE session_id = @SessionId", s));
    }

    [Fact]
    public async Task A_coordinators_correction_is_audited_with_the_record_before_and_after()
    {
        var s = await SessionWithLeadAndSecondWorkerAsync();
        var coordinator = await RecordingData.UserAsync(db.DataSource);
        Assert.True((await Records().SaveAsync(s.SessionId, Counts(Now.AddHours(-3)), Full(s), null, s.LeadUser, As(s.LeadUser), CancellationToken.None)).Succeeded);

        var corrected = await Records().SaveAsync(s.SessionId, Counts(Now.AddHours(-3), from11: 24), Full(s) with { TopicIds = [s.Topics[1]] },
            null, null, new Actor(coordinator, "coordinator", "127.0.0.1"), CancellationToken.None);

        Assert.True(corrected.Succeeded);
        var audit = Assert.Single(await RecordingData.QueryAsync<(string Before, string After)>(db.DataSource, """
            SELECT before::text, after::text FROM outreach.audit_events
            WHERE entity = 'session_record' AND entity_id = @id AND action = 'update' AND actor_id = @coordinator
            """, new { id = s.SessionId.ToString(), coordinator }));
        Assert.Contains("\"Count11To13\": 20", audit.Before, StringComparison.Ordinal);
        Assert.Contains("\"Count11To13\": 24", audit.After, StringComparison.Ordinal);
        Assert.Contains($"\"TopicIds\": [{s.Topics[1]}]", audit.After, StringComparison.Ordinal);
        Assert.Equal([s.Topics[1]], (await Records().LoadAsync(s.SessionId, null, CancellationToken.None))!.Details.TopicIds);
    }

    [Fact]
    public async Task Raising_a_safeguarding_concern_twice_makes_one_concern_one_alert_and_one_text_to_the_on_call_coordinator()
    {
        var s = await SessionWithLeadAndSecondWorkerAsync();
        var onCall = TestData.Mobile();
        var details = TestData.Unique("Disclosed being asked to carry for older boys");

        var first = await Records(onCall).SaveAsync(s.SessionId, Counts(Now.AddHours(-3)), Full(s), details, s.LeadUser, As(s.LeadUser), CancellationToken.None);
        var second = await Records(onCall).SaveAsync(s.SessionId, Counts(Now.AddHours(-3)), Full(s), details + " again", s.LeadUser, As(s.LeadUser), CancellationToken.None);

        Assert.NotNull(first.Value!.NewConcernId);
        Assert.True(first.Value.OnCallTexted);
        Assert.Null(second.Value!.NewConcernId);
        var concern = Assert.Single(await RecordingData.QueryAsync<(long Id, string Details, long RaisedBy)>(db.DataSource,
            "SELECT id, details, raised_by_user_id FROM outreach.safeguarding_concerns WHERE session_id = @SessionId", s));
        Assert.Equal(details, concern.Details);
        Assert.Equal(s.LeadUser, concern.RaisedBy);
        var alert = Assert.Single(await RecordingData.QueryAsync<(string Kind, string Message)>(db.DataSource,
            "SELECT kind, message FROM outreach.alerts WHERE session_id = @SessionId", s));
        Assert.Equal("safeguarding", alert.Kind);
        Assert.DoesNotContain(details, alert.Message, StringComparison.Ordinal);
        var sms = Assert.Single(await RecordingData.QueryAsync<(string To, string Body)>(db.DataSource,
            "SELECT to_e164, body FROM outreach.sms_outbox WHERE session_id = @SessionId", s));
        Assert.Equal(onCall, sms.To);
        Assert.Contains($"https://outreach.example/Safeguarding/Details/{concern.Id}", sms.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("carry", sms.Body, StringComparison.Ordinal);
        // Administrators read the audit log; the details are for coordinators, on the concern's page.
        var audit = await RecordingData.ScalarAsync<string>(db.DataSource,
            "SELECT string_agg(coalesce(after::text, ''), ' ') FROM outreach.audit_events WHERE entity = 'safeguarding_concern' AND entity_id = @id",
            new { id = concern.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        Assert.Contains("open", audit, StringComparison.Ordinal);
        Assert.DoesNotContain("carry", audit, StringComparison.Ordinal);
        Assert.True(await RecordingData.ScalarAsync<bool>(db.DataSource,
            "SELECT safeguarding_concern FROM outreach.session_records WHERE session_id = @SessionId", s));
        await RecordingData.VoidUnsentAsync(db.DataSource, $"safeguarding:concern:{concern.Id}:");
    }

    [Fact]
    public async Task The_worker_who_raised_a_concern_learns_only_that_they_did_and_another_worker_only_that_one_exists()
    {
        var s = await SessionWithLeadAndSecondWorkerAsync();
        await Records().SaveAsync(s.SessionId, Counts(Now.AddHours(-3)), Full(s), TestData.Unique("Details"), s.LeadUser, As(s.LeadUser), CancellationToken.None);

        var lead = (await Records().LoadAsync(s.SessionId, s.LeadUser, CancellationToken.None))!.Concern;
        var other = (await Records().LoadAsync(s.SessionId, s.OtherUser, CancellationToken.None))!.Concern;

        Assert.True(lead!.RaisedByYou);
        Assert.False(other!.RaisedByYou);
        // The summary type has no place for the details: what a worker's page can show is fixed by it.
        Assert.DoesNotContain(typeof(ConcernSummary).GetProperties(), p => p.Name.Contains("Detail", StringComparison.Ordinal));
    }
}
