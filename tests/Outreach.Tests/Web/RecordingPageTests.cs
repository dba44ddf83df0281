using System.Globalization;
using System.Net;
using Outreach.Data.Identity;
using Outreach.Tests.Infrastructure;

namespace Outreach.Tests.Web;

/// <summary>Session records, safeguarding concerns and A&amp;E engagements through the running site, as each role.</summary>
[Collection("App")]
public sealed class RecordingPageTests(OutreachApp app)
{
    private static readonly TimeZoneInfo London = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");

    private sealed record WorkerAccount(string Email, long UserId, long WorkerId);

    private async Task<WorkerAccount> WorkerAccountAsync()
    {
        var email = $"recorder-{Guid.NewGuid():N}@tests.outreach.test";
        var user = await app.CreateUserAsync(email, Roles.YouthWorker);
        return new WorkerAccount(email, user.Id, await TestData.WorkerAsync(app.DataSource, user.Id));
    }

    // Noon UTC yesterday: never near a UK clock change, so the local times the form shows map back one way.
    private static DateTime StartedYesterday() => DateTime.SpecifyKind(DateTime.UtcNow.Date.AddDays(-1).AddHours(12), DateTimeKind.Utc);

    private static string LocalInput(DateTime utc) =>
        TimeZoneInfo.ConvertTimeFromUtc(utc, London).ToString("yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture);

    private static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);

    private static Dictionary<string, string> RecordFields(DateTime start) => new()
    {
        ["Input.Delivered"] = "true",
        ["Input.ActualStart"] = LocalInput(start),
        ["Input.ActualEnd"] = LocalInput(start.AddMinutes(50)),
        ["Input.Count11To13"] = "18",
        ["Input.Count14To15"] = "6",
        ["Input.Notes"] = "",
    };

    private async Task<(long Session, WorkerAccount Lead, WorkerAccount Other)> SessionWithTwoWorkersAsync()
    {
        var start = StartedYesterday();
        var session = await TestData.SessionAsync(app.DataSource, start, TimeSpan.FromHours(1));
        var lead = await WorkerAccountAsync();
        var other = await WorkerAccountAsync();
        await TestData.AssignAsync(app.DataSource, session, lead.WorkerId, lead: true);
        await TestData.AssignAsync(app.DataSource, session, other.WorkerId, lead: false);
        return (session, lead, other);
    }

    [Fact]
    public async Task The_lead_worker_records_topics_staff_referrals_and_a_concern_whose_details_only_coordinators_read()
    {
        var (session, lead, other) = await SessionWithTwoWorkersAsync();
        var topic = await RecordingData.ScalarAsync<long>(app.DataSource, "SELECT min(id) FROM outreach.record_topics WHERE active");
        var question = await RecordingData.ScalarAsync<long>(app.DataSource, "SELECT min(id) FROM outreach.survey_questions WHERE active");
        var details = TestData.Unique("Said an older cousin keeps a blade at home");
        using var leadClient = await app.SignedInAsEmailAsync(lead.Email);
        var path = $"/Records/Edit?sessionId={session}";
        var form = await leadClient.GetPageAsync(path);
        Assert.Contains($"id=\"staff-{lead.WorkerId}\"", form, StringComparison.Ordinal);
        Assert.Contains("Raise a safeguarding concern", form, StringComparison.Ordinal);

        var fields = RecordFields(StartedYesterday());
        fields["Input.TopicIds"] = Id(topic);
        fields["Input.StaffIds"] = Id(lead.WorkerId);
        fields["Input.Referrals[youth_offending]"] = "1";
        fields["Input.CountFemale"] = "10";
        fields["Input.CountMale"] = "14";
        fields["Input.YearGroups[8]"] = "18";
        fields["Input.Surveys[0].QuestionId"] = Id(question);
        fields["Input.Surveys[0].BeforeMean"] = "2.4";
        fields["Input.Surveys[0].BeforeN"] = "20";
        fields["Input.Surveys[0].AfterMean"] = "3.9";
        fields["Input.Surveys[0].AfterN"] = "22";
        fields["Input.RaiseConcern"] = "true";
        fields["Input.ConcernDetails"] = details;
        using var saved = await leadClient.PostFormAsync(path, fields);

        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        Assert.Equal(1, await TestData.CountAsync(app.DataSource,
            "SELECT count(*) FROM outreach.session_record_referrals WHERE session_id = @session AND service = 'youth_offending' AND count = 1", new { session }));
        Assert.Equal(1, await TestData.CountAsync(app.DataSource,
            "SELECT count(*) FROM outreach.session_record_surveys WHERE session_id = @session AND before_n = 20 AND after_mean = 3.9", new { session }));
        var concernId = await RecordingData.ScalarAsync<long>(app.DataSource, "SELECT id FROM outreach.safeguarding_concerns WHERE session_id = @session", new { session });

        var leadView = await leadClient.GetPageAsync(path);
        Assert.Contains("You raised a safeguarding concern", leadView, StringComparison.Ordinal);
        Assert.DoesNotContain(details, leadView, StringComparison.Ordinal);
        using var otherClient = await app.SignedInAsEmailAsync(other.Email);
        var otherView = await otherClient.GetPageAsync(path);
        Assert.Contains("A safeguarding concern has been raised", otherView, StringComparison.Ordinal);
        Assert.DoesNotContain(details, otherView, StringComparison.Ordinal);
        Assert.DoesNotContain("Save record", otherView, StringComparison.Ordinal);
        foreach (var worker in new[] { leadClient, otherClient })
        {
            using var list = await worker.GetAsync("/Safeguarding");
            using var concern = await worker.GetAsync($"/Safeguarding/Details/{concernId}");
            Assert.True(Refused(list) && Refused(concern), $"a worker reached safeguarding: {list.StatusCode}, {concern.StatusCode}");
        }

        using var coordinator = await app.SignedInAsync(Roles.Coordinator);
        var before = await ReadsAsync("safeguarding_concern", concernId);
        Assert.Contains($"/Safeguarding/Details/{concernId}", await coordinator.GetPageAsync("/Safeguarding"), StringComparison.Ordinal);
        Assert.Contains(details, await coordinator.GetPageAsync($"/Safeguarding/Details/{concernId}"), StringComparison.Ordinal);
        Assert.Equal(before + 1, await ReadsAsync("safeguarding_concern", concernId));
        Assert.Contains("Safeguarding concern raised", await coordinator.GetPageAsync("/"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_coordinator_hands_a_concern_to_the_venues_safeguarding_lead_records_the_acknowledgement_and_closes_it()
    {
        var (session, lead, _) = await SessionWithTwoWorkersAsync();
        var venue = await RecordingData.ScalarAsync<long>(app.DataSource, "SELECT venue_id FROM outreach.sessions WHERE id = @session", new { session });
        var dsl = TestData.Unique("Dee Okafor");
        await RecordingData.ExecuteAsync(app.DataSource, """
            INSERT INTO outreach.venue_contacts (venue_id, role, name, job_title, phone) VALUES (@venue, 'safeguarding_lead', @dsl, 'Deputy Head', '+441214640000')
            """, new { venue, dsl });
        using var leadClient = await app.SignedInAsEmailAsync(lead.Email);
        var fields = RecordFields(StartedYesterday());
        fields["Input.RaiseConcern"] = "true";
        fields["Input.ConcernDetails"] = TestData.Unique("Bruising");
        Assert.Equal(HttpStatusCode.Redirect, (await leadClient.PostFormAsync($"/Records/Edit?sessionId={session}", fields)).StatusCode);
        var id = await RecordingData.ScalarAsync<long>(app.DataSource, "SELECT id FROM outreach.safeguarding_concerns WHERE session_id = @session", new { session });
        using var coordinator = await app.SignedInAsync(Roles.Coordinator);
        var page = $"/Safeguarding/Details/{id}";

        Assert.Contains(dsl, await coordinator.GetPageAsync(page), StringComparison.Ordinal);
        var early = await coordinator.PostFormAsync(page, [], page + "?handler=Acknowledge");
        Assert.Equal(HttpStatusCode.OK, early.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await coordinator.PostFormAsync(page, new() { ["HandedOverTo"] = dsl + ", by phone" }, page + "?handler=HandOver")).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await coordinator.PostFormAsync(page, [], page + "?handler=Acknowledge")).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await coordinator.PostFormAsync(page, [], page + "?handler=Close")).StatusCode);

        var state = Assert.Single(await RecordingData.QueryAsync<(string Status, string HandedOverTo, DateTime? AcknowledgedAt)>(app.DataSource,
            "SELECT status, handed_over_to, acknowledged_at FROM outreach.safeguarding_concerns WHERE id = @id", new { id }));
        Assert.Equal("closed", state.Status);
        Assert.Equal(dsl + ", by phone", state.HandedOverTo);
        Assert.NotNull(state.AcknowledgedAt);
        Assert.Equal(["hand_over", "acknowledge", "close"], await RecordingData.QueryAsync<string>(app.DataSource,
            "SELECT action FROM outreach.audit_events WHERE entity = 'safeguarding_concern' AND entity_id = @id AND action NOT IN ('read', 'create') ORDER BY id",
            new { id = Id(id) }));
    }

    [Fact]
    public async Task A_worker_not_on_the_session_gets_not_found_and_a_worker_who_does_not_lead_it_is_refused_a_save()
    {
        var (session, _, other) = await SessionWithTwoWorkersAsync();
        var stranger = await WorkerAccountAsync();
        var own = await TestData.SessionAsync(app.DataSource, StartedYesterday().AddHours(-3), TimeSpan.FromHours(1));
        await TestData.AssignAsync(app.DataSource, own, stranger.WorkerId);
        using var strangerClient = await app.SignedInAsEmailAsync(stranger.Email);
        using var otherClient = await app.SignedInAsEmailAsync(other.Email);
        var path = $"/Records/Edit?sessionId={session}";

        using var get = await strangerClient.GetAsync(path);
        using var post = await strangerClient.PostFormAsync($"/Records/Edit?sessionId={own}", RecordFields(StartedYesterday()), path);
        using var byOther = await otherClient.PostFormAsync(path, RecordFields(StartedYesterday()));

        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, post.StatusCode);
        Assert.True(Refused(byOther), $"HTTP {(int)byOther.StatusCode}");
        Assert.Equal(0, await TestData.CountAsync(app.DataSource, "SELECT count(*) FROM outreach.session_records WHERE session_id = @session", new { session }));
    }

    [Fact]
    public async Task Gender_counts_above_the_head_count_are_refused_beside_the_gender_counts_and_nothing_is_written()
    {
        var (session, lead, _) = await SessionWithTwoWorkersAsync();
        using var client = await app.SignedInAsEmailAsync(lead.Email);
        var fields = RecordFields(StartedYesterday());
        fields["Input.CountFemale"] = "20";
        fields["Input.CountMale"] = "20";

        using var response = await client.PostFormAsync($"/Records/Edit?sessionId={session}", fields);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        FieldMessage.AssertShown(await response.Content.ReadAsStringAsync(), "Input.CountFemale", "more than the 24 young people counted by age");
        Assert.Equal(0, await TestData.CountAsync(app.DataSource, "SELECT count(*) FROM outreach.session_records WHERE session_id = @session", new { session }));
    }

    [Fact]
    public async Task A_worker_records_an_engagement_on_their_A_and_E_shift_and_each_view_of_it_is_audited()
    {
        var worker = await WorkerAccountAsync();
        var stranger = await WorkerAccountAsync();
        var shift = await RecordingData.AeShiftAsync(app.DataSource, DateTime.UtcNow.AddHours(-2), TimeSpan.FromHours(8));
        await TestData.AssignAsync(app.DataSource, shift, worker.WorkerId);
        using var client = await app.SignedInAsEmailAsync(worker.Email);
        var referred = DateTime.UtcNow.AddMinutes(-90);

        using var created = await client.PostFormAsync($"/Engagements/Create?sessionId={shift}", new()
        {
            ["Input.SessionId"] = Id(shift), ["Input.Returning"] = "false", ["Input.AgeBand"] = "16_17", ["Input.Gender"] = "",
            ["Input.PresentingReason"] = "knife", ["Input.Consent"] = "true", ["Input.ReferralSource"] = "ed_staff",
            ["Input.ReferredAt"] = LocalInput(referred), ["Input.FirstContactAt"] = LocalInput(referred.AddMinutes(40)),
        });

        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        var id = await RecordingData.ScalarAsync<long>(app.DataSource, "SELECT id FROM outreach.ae_engagements WHERE session_id = @shift", new { shift });
        Assert.Equal($"/Engagements/Details/{id}", created.Headers.Location?.OriginalString);
        var before = await ReadsAsync("ae_engagement", id);
        var page = await client.GetPageAsync($"/Engagements/Details/{id}");
        Assert.Contains("40 min after the referral", page, StringComparison.Ordinal);
        Assert.Equal(before + 1, await ReadsAsync("ae_engagement", id));
        Assert.Equal(3, await TestData.CountAsync(app.DataSource, "SELECT count(*) FROM outreach.ae_follow_ups WHERE engagement_id = @id", new { id }));
        using var strangerClient = await app.SignedInAsEmailAsync(stranger.Email);
        using var refused = await strangerClient.GetAsync($"/Engagements/Details/{id}");
        Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
    }

    [Fact]
    public async Task The_commissioner_is_refused_every_records_engagements_and_safeguarding_page()
    {
        var (session, _, _) = await SessionWithTwoWorkersAsync();
        var shift = await RecordingData.AeShiftAsync(app.DataSource, DateTime.UtcNow.AddHours(-2), TimeSpan.FromHours(8));
        var engagement = await RecordingData.ScalarAsync<long>(app.DataSource, """
            INSERT INTO outreach.ae_engagements (reference, session_id, age_band, presenting_reason, consent, referral_source, referred_at)
            VALUES ('AE-' || upper(substr(md5(random()::text), 1, 6)), @shift, '16_17', 'knife', true, 'ed_staff', now()) RETURNING id
            """, new { shift });
        var concern = await RecordingData.ScalarAsync<long>(app.DataSource,
            "INSERT INTO outreach.safeguarding_concerns (session_id, details) VALUES (@session, 'Not for the commissioner') RETURNING id", new { session });
        using var commissioner = await app.SignedInAsync(Roles.Commissioner);
        string[] pages =
        [
            "/Records", $"/Records/Edit?sessionId={session}", "/Engagements", "/Engagements/Create", "/Engagements/FollowUps",
            $"/Engagements/Details/{engagement}", "/Safeguarding", "/Safeguarding?all=true", $"/Safeguarding/Details/{concern}",
        ];

        var reached = new List<string>();
        foreach (var page in pages)
        {
            // The site answers a signed-in user's refusal by sending them to the access-denied page, which answers 403.
            using var response = await commissioner.GetAsync(page);
            var status = response.StatusCode;
            if (Refused(response) && response.StatusCode == HttpStatusCode.Redirect)
            {
                using var denied = await commissioner.GetAsync(response.Headers.Location!.ToString());
                status = denied.StatusCode;
            }
            if (status != HttpStatusCode.Forbidden)
            {
                reached.Add($"{page}: {(int)status} {response.Headers.Location}");
            }
        }
        Assert.Empty(reached);
        Assert.Equal(0, await TestData.CountAsync(app.DataSource,
            """
            SELECT count(*) FROM outreach.audit_events
            WHERE action = 'read' AND ((entity = 'ae_engagement' AND entity_id = @e) OR (entity = 'safeguarding_concern' AND entity_id = @c))
            """, new { e = Id(engagement), c = Id(concern) }));
    }

    [Fact]
    public async Task An_administrator_adds_and_retires_a_topic_and_the_record_form_follows()
    {
        var (session, lead, _) = await SessionWithTwoWorkersAsync();
        var name = TestData.Unique("Knife amnesty bins");
        using var admin = await app.SignedInAsync(Roles.Administrator);

        Assert.Equal(HttpStatusCode.Redirect, (await admin.PostFormAsync("/Admin/Topics", new() { ["NewTopic.Name"] = name }, "/Admin/Topics?handler=AddTopic")).StatusCode);
        using var duplicate = await admin.PostFormAsync("/Admin/Topics", new() { ["NewTopic.Name"] = name.ToUpperInvariant() }, "/Admin/Topics?handler=AddTopic");
        FieldMessage.AssertShown(await duplicate.Content.ReadAsStringAsync(), "NewTopic.Name", "already a topic with that name");
        var id = await RecordingData.ScalarAsync<long>(app.DataSource, "SELECT id FROM outreach.record_topics WHERE name = @name", new { name });
        using var worker = await app.SignedInAsEmailAsync(lead.Email);
        Assert.Contains(name, await worker.GetPageAsync($"/Records/Edit?sessionId={session}"), StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.Redirect, (await admin.PostFormAsync("/Admin/Topics", [], $"/Admin/Topics?handler=TopicActive&id={id}&active=false")).StatusCode);

        Assert.DoesNotContain(name, await worker.GetPageAsync($"/Records/Edit?sessionId={session}"), StringComparison.Ordinal);
        var fields = RecordFields(StartedYesterday());
        fields["Input.TopicIds"] = Id(id);
        using var refused = await worker.PostFormAsync($"/Records/Edit?sessionId={session}", fields);
        FieldMessage.AssertShown(await refused.Content.ReadAsStringAsync(), "Input.TopicIds", "Choose topics from the list.");
        Assert.Equal(2, await TestData.CountAsync(app.DataSource,
            "SELECT count(*) FROM outreach.audit_events WHERE entity = 'record_topic' AND entity_id = @id", new { id = Id(id) }));
        using var coordinator = await app.SignedInAsync(Roles.Coordinator);
        using var notAdmin = await coordinator.GetAsync("/Admin/Topics");
        Assert.True(Refused(notAdmin));
    }

    private static bool Refused(HttpResponseMessage response) =>
        response.StatusCode == HttpStatusCode.Forbidden
        || (response.StatusCode == HttpStatusCode.Redirect && response.Headers.Location?.ToString().Contains("/Account/AccessDenied", StringComparison.Ordinal) == true);

    private Task<long> ReadsAsync(string entity, long id) => TestData.CountAsync(app.DataSource,
        "SELECT count(*) FROM outreach.audit_events WHERE entity = @entity AND entity_id = @id AND action = 'read'", new { entity, id = Id(id) });
}
