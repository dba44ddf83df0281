using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Outreach.Data;
using Outreach.Data.ApiKeys;
using Outreach.Data.Engagements;
using Outreach.Data.Identity;
using Outreach.Data.Sessions;
using Outreach.Data.Venues;
using Outreach.Data.Workers;
using Outreach.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Outreach.Tests.Web;

/// <summary>
/// Over ten thousand generated bad inputs (seeded, so a failure replays) across the site's forms, the JSON
/// API, CSV venue imports and the calendar's event feed. Every form and API input is made certainly invalid
/// by one "anchor" field (a kind that does not exist, a number that is not a mobile, an empty reason, an id
/// nobody has), so a correct site answers each with a refusal and writes nothing: no 500s, no new rows, no
/// changed rows. A CSV file that can be read at all is staged for review (never applied), and only that.
/// </summary>
[Collection("App")]
public sealed partial class FuzzTests(OutreachApp app, ITestOutputHelper output)
{
    // Fixed so a failure replays; OUTREACH_FUZZ_SEED explores other inputs.
    private static readonly int Seed = int.TryParse(Environment.GetEnvironmentVariable("OUTREACH_FUZZ_SEED"), out var seed) ? seed : 20_261_129;
    private const int Parallelism = 8;

    [Fact]
    public async Task Ten_thousand_generated_bad_inputs_get_no_server_error_and_write_nothing()
    {
        var f = await FixturesAsync();
        using var coordinator = await app.SignedInAsync(Roles.Coordinator);
        using var admin = await app.SignedInAsync(Roles.Administrator);
        using var anonymous = app.Anonymous();
        var coordinatorToken = await TokenAsync(coordinator, "/Venues/Create");
        var adminToken = await TokenAsync(admin, "/Admin/Audit");
        var anonymousToken = await TokenAsync(anonymous, "/Account/Login");
        var keys = new List<string>();
        var apiKeys = app.Services.GetRequiredService<ApiKeyData>();
        for (var i = 0; i < 8; i++)
        {
            keys.Add((await apiKeys.CreateAsync($"fuzz {i}", Roles.Coordinator, Actor.System, CancellationToken.None)).Value!);
        }
        using var api = new HttpClient { BaseAddress = app.BaseUrl, Timeout = TimeSpan.FromSeconds(60) };

        var staff = new Poster(coordinator.Http, coordinatorToken);
        using var uploads = new SemaphoreSlim(2);
        var targets = new List<Target>();
        var anonymousPoster = new Poster(anonymous.Http, anonymousToken);
        targets.AddRange(FormTargets("/Venues/Create", 500, staff, _ => "/Venues/Create", "/Venues/Create",
            A("Input.Kind", r => Anchor(r, v => !VenueKinds.Labels.ContainsKey(v))), F("Input.Name"), F("Input.AreaId", r => Maybe(r, f.Area)),
            F("Input.Address"), F("Input.Postcode"), F("Input.Urn")));
        targets.AddRange(FormTargets("/Workers/Create", 500, staff, _ => "/Workers/Create", "/Workers/Create",
            F("Input.FullName"), A("Input.Mobile", r => Anchor(r, NotAMobile)), F("Input.Email"), F("Input.HourlyCost"),
            F("Input.ContractedHours"), F("Input.AreaIds", r => Maybe(r, f.Area)), F("Input.AreaIds"),
            F("Input.Dbs.CheckType"), F("Input.Dbs.CertificateNumber"), F("Input.Dbs.IssuedOn"),
            F("Input.Dbs.UpdateService"), F("Input.Dbs.NextReviewOn")));
        targets.AddRange(FormTargets("/Sessions/Create", 500, staff, _ => "/Sessions/Create", "/Sessions/Create",
            F("Input.VenueId", r => Maybe(r, f.Venue)), A("Input.Kind", r => Anchor(r, v => !SessionKinds.Labels.ContainsKey(v))), F("Input.Title"),
            F("Input.Start"), F("Input.End"), F("Input.RequiredWorkers"), F("Input.ExpectedSize"), F("Input.Notes"), F("Input.PlanOnClosedDays")));
        targets.AddRange(FormTargets("/Sessions/Details/{id}?handler=Assign", 500, staff,
            r => $"/Sessions/Details/{IdOrBad(r, f.Session)}?handler=Assign", $"/Sessions/Details/{f.Session}?handler=Assign",
            A("WorkerId", r => Anchor(r, v => NotAWorker(v, f.MaxWorkerId)))));
        targets.AddRange(FormTargets("/Records/Edit?sessionId=", 500, staff,
            r => $"/Records/Edit?sessionId={IdOrBad(r, f.Session)}", $"/Records/Edit?sessionId={f.Session}",
            F("Input.Delivered"), F("Input.NotDeliveredReason"), F("Input.ActualStart"), F("Input.ActualEnd"),
            A("Input.CountUnder11", r => Pick(r, BadCounts)), F("Input.Count11To13"), F("Input.Count14To15"),
            F("Input.Count16To17"), F("Input.Count18To24"), F("Input.Notes"), F("Input.CountFemale"), F("Input.CountMale"),
            F("Input.YearGroups[7]"), F("Input.YearGroups[x]"), F("Input.TopicIds"), F("Input.TopicIds"), F("Input.StaffIds", r => Maybe(r, f.Worker)),
            F("Input.Referrals[camhs]"), F("Input.Referrals[nobody]"), F("Input.Surveys[0].QuestionId"), F("Input.Surveys[0].BeforeMean"),
            F("Input.Surveys[0].BeforeN"), F("Input.Surveys[0].AfterMean"), F("Input.Surveys[0].AfterN"), F("Input.RaiseConcern"),
            F("Input.ConcernDetails")));
        targets.AddRange(FormTargets("/Engagements/Create", 300, staff, r => "/Engagements/Create" + (r.Next(3) == 0 ? "?sessionId=" + InUrl(Bad(r)) : ""),
            "/Engagements/Create",
            F("Input.SessionId", r => Maybe(r, f.Shift)), F("Input.Returning"), F("Input.ExistingReference"),
            A("Input.AgeBand", r => Anchor(r, v => !EngagementVocabulary.AgeBands.ContainsKey(v))), F("Input.Gender"), F("Input.PresentingReason"),
            F("Input.Consent"), F("Input.ReferralSource"), F("Input.ReferredAt"), F("Input.FirstContactAt"), F("Input.SupportPlanStarted")));
        targets.AddRange(FormTargets("/Engagements/Details/{id}?handler=FollowUp", 200, staff,
            r => $"/Engagements/Details/{IdOrBad(r, f.Engagement)}?handler=FollowUp", $"/Engagements/Details/{f.Engagement}?handler=FollowUp",
            F("Stage"), A("Outcome", r => Anchor(r, v => !EngagementVocabulary.Outcomes.ContainsKey(v)))));
        targets.AddRange(FormTargets("/Engagements/Details/{id}?handler=Close", 150, staff,
            r => $"/Engagements/Details/{IdOrBad(r, f.Engagement)}?handler=Close", $"/Engagements/Details/{f.Engagement}?handler=Close",
            A("CloseReason", r => Anchor(r, v => !EngagementVocabulary.CloseReasons.ContainsKey(v)))));
        targets.AddRange(FormTargets("/Safeguarding/Details/{id}?handler=HandOver", 200, staff,
            r => $"/Safeguarding/Details/{IdOrBad(r, f.Concern)}?handler=HandOver", $"/Safeguarding/Details/{f.Concern}?handler=HandOver",
            A("HandedOverTo", r => EmptyOrTooLong(r, 300))));
        targets.AddRange(FormTargets("/Admin/Topics?handler=AddTopic", 150, new Poster(admin.Http, adminToken),
            _ => "/Admin/Topics?handler=AddTopic", "/Admin/Topics?handler=AddTopic", A("NewTopic.Name", r => EmptyOrTooLong(r, 100))));
        targets.AddRange(FormTargets("/Admin/Topics?handler=AddQuestion", 150, new Poster(admin.Http, adminToken),
            _ => "/Admin/Topics?handler=AddQuestion", "/Admin/Topics?handler=AddQuestion",
            A("NewQuestion.Text", r => EmptyOrTooLong(r, 200)), F("NewQuestion.HigherIsBetter")));
        targets.AddRange(FormTargets("/Account/Login", 500, anonymousPoster,
            r => "/Account/Login" + (r.Next(4) == 0 ? "?returnUrl=" + Uri.EscapeDataString(InUrl(Bad(r))) : ""), "/Account/Login",
            F("Input.Email", r => Anchor(r, v => !v.Contains("@tests.outreach.test", StringComparison.OrdinalIgnoreCase))), F("Input.Password")));
        targets.AddRange(FormTargets("/Account/Activate", 400, anonymousPoster,
            r => $"/Account/Activate?user={Uri.EscapeDataString(r.Next(3) == 0 ? Id(f.PendingUser) : InUrl(Bad(r)))}&code={Uri.EscapeDataString(InUrl(Bad(r)))}",
            $"/Account/Activate?user={f.PendingUser}&code=not-the-code",
            F("Input.Password"), F("Input.ConfirmPassword")));
        targets.AddRange(FormTargets("/Sessions/CreateSeries", 350, staff,
            r => "/Sessions/CreateSeries" + (r.Next(2) == 0 ? "?handler=Preview" : ""), "/Sessions/CreateSeries?handler=Preview",
            F("Input.VenueId", r => Maybe(r, f.Venue)), A("Input.Kind", r => Anchor(r, v => !SessionKinds.Labels.ContainsKey(v))), F("Input.Title"),
            F("Input.Weekdays"), F("Input.Weekdays"), F("Input.StartTime"), F("Input.EndTime"), F("Input.FirstDate"), F("Input.Ends"),
            F("Input.UntilDate"), F("Input.Count"), F("Input.RequiredWorkers"), F("Input.SkillIds"), F("Input.Notes"),
            F("Input.LeaveOutNonexistent"), F("Input.PlanOnClosedDays")));
        targets.AddRange(FormTargets("/Sessions/Edit/{id}", 250, staff, r => $"/Sessions/Edit/{IdOrBad(r, f.Session)}", $"/Sessions/Edit/{f.Session}",
            F("Input.Scope"), F("Input.Date"), F("Input.StartTime"), F("Input.EndTime"), F("Input.VenueId", r => Maybe(r, f.Venue)),
            A("Input.Kind", r => Anchor(r, v => !SessionKinds.Labels.ContainsKey(v))), F("Input.Title"), F("Input.RequiredWorkers"),
            F("Input.Notes"), F("Input.PlanOnClosedDays")));
        targets.AddRange(FormTargets("/Sessions/Cancel/{id}", 250, staff, r => $"/Sessions/Cancel/{IdOrBad(r, f.Session)}", $"/Sessions/Cancel/{f.Session}",
            F("Input.Scope"), A("Input.Reason", r => EmptyOrTooLong(r, 500))));
        targets.AddRange(FormTargets("/ClosedDays/Create", 250, staff, _ => "/ClosedDays/Create", "/ClosedDays/Create",
            F("Input.Kind"), F("Input.AppliesTo"), F("Input.AreaId", r => Maybe(r, f.Area)), F("Input.VenueId", r => Maybe(r, f.Venue)),
            F("Input.FirstDay"), F("Input.LastDay"), A("Input.Reason", r => EmptyOrTooLong(r, 200))));
        targets.AddRange(FormTargets("/Venues/Edit/{id}", 250, staff, r => $"/Venues/Edit/{IdOrBad(r, f.Venue)}", $"/Venues/Edit/{f.Venue}",
            F("Input.Name"), F("Input.AreaId", r => Maybe(r, f.Area)), F("Input.Address"), F("Input.Postcode"), F("Input.Phone"),
            F("Input.AccessNotes"), A("Input.Status", r => Anchor(r, v => v is not ("open" or "closed"))), F("Input.Version")));
        targets.AddRange(FormTargets("/Venues/Contact/{venueId}", 250, staff, r => $"/Venues/Contact/{IdOrBad(r, f.Venue)}", $"/Venues/Contact/{f.Venue}",
            F("Input.Role"), A("Input.Name", r => EmptyOrTooLong(r, 120)), F("Input.JobTitle"), F("Input.Email"), F("Input.Phone")));
        targets.AddRange(FormTargets("/Workers/Edit/{id}", 250, staff, r => $"/Workers/Edit/{IdOrBad(r, f.Worker)}", $"/Workers/Edit/{f.Worker}",
            F("Input.FullName"), A("Input.Mobile", r => Anchor(r, NotAMobile)), F("Input.Email"), F("Input.HourlyCost"), F("Input.HourlyCostFrom"),
            F("Input.ContractedHours"), F("Input.Active"), F("Input.AreaIds", r => Maybe(r, f.Area)), F("Input.SkillIds"),
            F("Input.Dbs.CheckType"), F("Input.Dbs.CertificateNumber"), F("Input.Dbs.IssuedOn"), F("Input.Dbs.NextReviewOn")));
        targets.AddRange(FormTargets("/Workers/Availability/{id}?handler=AddLeave", 150, staff,
            r => $"/Workers/Availability/{IdOrBad(r, f.Worker)}?handler=AddLeave", $"/Workers/Availability/{f.Worker}?handler=AddLeave",
            F("NewLeave.FirstDay"), F("NewLeave.LastDay"), A("NewLeave.Reason", r => EmptyOrTooLong(r, 200))));
        targets.AddRange(FormTargets("/Workers/Skills?handler=Add", 150, staff, _ => "/Workers/Skills?handler=Add", "/Workers/Skills?handler=Add",
            A("NewSkill.Name", r => EmptyOrTooLong(r, 60))));
        targets.AddRange(FormTargets("/Admin/Audit?handler=Export", 150, new Poster(admin.Http, adminToken),
            _ => "/Admin/Audit?handler=Export", "/Admin/Audit?handler=Export",
            F("Who"), F("Entity"), F("EntityId"), F("What"), A("From", r => Anchor(r, NotAnAuditDay)), F("To")));
        targets.AddRange(
        [
            // CSV uploads are staged, never applied until a coordinator commits them: a file that is read at all
            // becomes one staged import (and its audit event), whatever is wrong inside it; venues never change.
            new(CsvImport, 250, async r =>
            {
                // Two at a time: each is checked inside its request, and the machine is shared.
                await uploads.WaitAsync();
                try
                {
                    return await Upload(coordinator.Http, coordinatorToken, r, f.Area);
                }
                finally
                {
                    uploads.Release();
                }
            }),
            new("/Admin/Audit (search)", 150, r => Get(admin.Http, "/Admin/Audit?" + Query(r, "who", "entity", "entityId", "what", "from", "to", "pageNumber"))),
            new("/Reports (filters)", 150, r => Get(admin.Http, "/Reports?" + Query(r, "from", "to", "area", "sort", "p"))),
            new("/Reports?handler=Csv", 100, r => Get(admin.Http, "/Reports?handler=Csv&" + Query(r, "table", "from", "to", "area", "sort"))),
            new("GET /api/v1/reach", 150, r => Api(api, keys, r, HttpMethod.Get, "/api/v1/reach?" + Query(r, "from", "to", "area"))),
            new("/Sessions/Calendar?handler=Events", 350, r => Get(coordinator.Http,
                "/Sessions/Calendar?handler=Events&" + Query(r, "start", "end", "venueId", "workerId", "areaId"))),
            new("GET /api/v1/venues", 350, r => Api(api, keys, r, HttpMethod.Get, "/api/v1/venues?" + Query(r, "kind", "areaId", "search", "page", "pageSize"))),
            new("GET /api/v1/venues/{id}", 200, r => Api(api, keys, r, HttpMethod.Get, $"/api/v1/venues/{IdOrBad(r, f.Venue)}")),
            new("POST /api/v1/venues", 350, r => Api(api, keys, r, HttpMethod.Post, "/api/v1/venues",
                Json(r, ("kind", AnchorJson(r, v => !VenueKinds.Labels.ContainsKey(v))), ("name", null), ("areaId", null), ("address", null),
                    ("postcode", null), ("urn", null)))),
            new("GET /api/v1/workers", 300, r => Api(api, keys, r, HttpMethod.Get, "/api/v1/workers?" + Query(r, "search", "active", "page", "pageSize"))),
            new("GET /api/v1/sessions", 350, r => Api(api, keys, r, HttpMethod.Get,
                "/api/v1/sessions?" + Query(r, "from", "to", "venueId", "status", "page", "pageSize"))),
            new("GET /api/v1/sessions/{id}", 200, r => Api(api, keys, r, HttpMethod.Get, $"/api/v1/sessions/{IdOrBad(r, f.Session)}")),
            new("POST /api/v1/sessions", 350, r => Api(api, keys, r, HttpMethod.Post, "/api/v1/sessions",
                Json(r, ("venueId", null), ("kind", AnchorJson(r, v => !SessionKinds.Labels.ContainsKey(v))), ("title", null),
                    ("startsAt", null), ("endsAt", null), ("requiredWorkers", null), ("expectedSize", null), ("notes", null)))),
            new("POST /api/v1/sessions/{id}/assignments", 350, r => Api(api, keys, r, HttpMethod.Post,
                $"/api/v1/sessions/{IdOrBad(r, f.Session)}/assignments",
                Json(r, ("workerId", AnchorJson(r, v => NotAWorker(v, f.MaxWorkerId)))))),
            new("GET /api/v1/reach", 250, r => Api(api, keys, r, HttpMethod.Get, "/api/v1/reach?" + Query(r, "from", "to"))),
            new("POST /api/v1/workers", 150, r => Api(api, keys, r, HttpMethod.Post, "/api/v1/workers", WorkerJson(r))),
            new("PATCH /api/v1/workers/{id}", 200, r => Api(api, keys, r, HttpMethod.Patch, $"/api/v1/workers/{IdOrBad(r, f.Worker)}", WorkerJson(r))),
            // Every edge value in every query parameter, one at a time, beside the random mixtures above.
            Sweep("sweep GET /api/v1/venues", "", ["kind", "areaId", "search", "page", "pageSize"],
                (r, q) => Api(api, keys, r, HttpMethod.Get, "/api/v1/venues?" + q)),
            Sweep("sweep GET /api/v1/workers", "", ["search", "active", "page", "pageSize"],
                (r, q) => Api(api, keys, r, HttpMethod.Get, "/api/v1/workers?" + q)),
            Sweep("sweep GET /api/v1/sessions", "", ["from", "to", "venueId", "status", "page", "pageSize"],
                (r, q) => Api(api, keys, r, HttpMethod.Get, "/api/v1/sessions?" + q)),
            Sweep("sweep GET /api/v1/reach", "from=2026-01&to=2026-12", ["from", "to"],
                (r, q) => Api(api, keys, r, HttpMethod.Get, "/api/v1/reach?" + q)),
            Sweep("sweep calendar events", "start=2026-11-01&end=2026-12-01", ["start", "end", "venueId", "workerId", "areaId"],
                (_, q) => Get(coordinator.Http, "/Sessions/Calendar?handler=Events&" + q)),
            Sweep("sweep GET /Admin/Audit", "", ["who", "entity", "entityId", "what", "from", "to", "pageNumber"],
                (_, q) => Get(admin.Http, "/Admin/Audit?" + q)),
        ]);

        var before = await StateAsync(f);
        var statuses = new ConcurrentDictionary<int, int>();
        var perTarget = new ConcurrentDictionary<string, int>();
        var stagedImports = 0;
        var errors = new ConcurrentQueue<string>();
        var master = new Random(Seed);
        var work = targets.SelectMany(t => Enumerable.Range(0, t.Count).Select(_ => (Target: t, Seed: master.Next()))).ToList();
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(work, new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, async (item, ct) =>
        {
            var random = new Random(item.Seed);
            HttpResponseMessage response;
            try
            {
                response = await item.Target.Send(random);
            }
            catch (HttpRequestException e)
            {
                // The server closed the connection instead of answering: recorded, and fails the run below.
                statuses.AddOrUpdate(0, 1, (_, n) => n + 1);
                perTarget.AddOrUpdate(item.Target.Name, 1, (_, n) => n + 1);
                errors.Enqueue($"{item.Target.Name} (seed {item.Seed}): no answer: {e.GetBaseException().Message}");
                return;
            }
            using var _ = response;
            var code = (int)response.StatusCode;
            statuses.AddOrUpdate(code, 1, (_, n) => n + 1);
            perTarget.AddOrUpdate(item.Target.Name, 1, (_, n) => n + 1);
            if (item.Target.Name == CsvImport && code == 302)
            {
                Interlocked.Increment(ref stagedImports);
            }
            if (code >= 500)
            {
                var body = await response.Content.ReadAsStringAsync(ct);
                errors.Enqueue($"{item.Target.Name} (seed {item.Seed}): HTTP {code} {Clip(body)}");
            }
        });
        clock.Stop();
        var after = await StateAsync(f);

        output.WriteLine($"{work.Count} requests in {clock.Elapsed.TotalSeconds:F1} s ({work.Count / clock.Elapsed.TotalSeconds:F0} a second), seed {Seed}");
        foreach (var target in targets)
        {
            output.WriteLine($"  {perTarget.GetValueOrDefault(target.Name),6}  {target.Name}");
        }
        output.WriteLine("Status codes: " + string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}: {s.Value}")));
        foreach (var (table, count) in after.Counts)
        {
            output.WriteLine($"  {table}: {before.Counts[table]} rows before, {count} after");
        }

        Assert.True(work.Count >= 10_000);
        Assert.Equal(work.Count, statuses.Values.Sum());
        // Grouped by target and the first words of the answer, so one fault shows once however often it was hit.
        var kinds = errors.GroupBy(e => e.Split(" (seed")[0] + " " + Clip(ErrorTitle().Match(e).Value, 120))
            .Select(g => $"{g.Count(),5} x {g.Key}\n        e.g. {g.First()}").ToList();
        Assert.True(errors.IsEmpty, $"{errors.Count} server errors, {kinds.Count} kinds:\n" + string.Join("\n", kinds));
        output.WriteLine($"  ({stagedImports} CSV files were staged as imports)");
        foreach (var staged in new[] { "venue_imports", "audit_events" })
        {
            Assert.Equal(before.Counts[staged] + stagedImports, after.Counts[staged]);
            before.Counts[staged] = after.Counts[staged];
        }
        Assert.Equal(before.Counts, after.Counts);
        Assert.Equal(before.FixtureRows, after.FixtureRows);
    }

    // --- What the fuzz aims at -------------------------------------------------------------------------------

    private sealed record Target(string Name, int Count, Func<Random, Task<HttpResponseMessage>> Send);

    private static readonly string[] EdgeValues =
    [
        "", " ", "0", "-1", "1.5", "2147483647", "2147483648", "-2147483648", "9223372036854775807", "9223372036854775808",
        "-9223372036854775808", "1e3", "NaN", "true", "null", "\u0000", "a\u0000b", "\u202Eevil", "١٢٣", "2026-02-30",
        "0001-01-01", "9999-12-31", "9999-12", "0000-01", "+275760-09-13T00:00:00Z", "2026-03-29T01:30", "' OR 1=1 --", "%",
        "<script>alert(1)</script>", new string('a', 1_000),
    ];

    /// <summary>Each edge value in each parameter in turn, the others at <paramref name="baseQuery"/>'s values or absent.</summary>
    private static Target Sweep(string name, string baseQuery, string[] parameters, Func<Random, string, Task<HttpResponseMessage>> send)
    {
        var next = -1;
        return new Target(name, parameters.Length * EdgeValues.Length, r =>
        {
            var i = Interlocked.Increment(ref next);
            var (parameter, value) = (parameters[i / EdgeValues.Length], EdgeValues[i % EdgeValues.Length]);
            var rest = baseQuery.Split('&', StringSplitOptions.RemoveEmptyEntries).Where(p => !p.StartsWith(parameter + "=", StringComparison.Ordinal));
            return send(r, string.Join("&", rest.Append($"{parameter}={Uri.EscapeDataString(value)}")));
        });
    }

    private sealed record Fixtures(long Area, long Venue, long Worker, long Session, long PendingUser, long MaxWorkerId, long Shift, long Engagement, long Concern);

    private sealed record State(SortedDictionary<string, long> Counts, IReadOnlyList<string> FixtureRows);

    // Rows the forms and the API could write. A count that moves is a write that should not have happened.
    private static readonly string[] Tables =
    [
        "venues", "venue_contacts", "venue_imports", "youth_workers", "worker_areas", "worker_skills", "worker_leave",
        "worker_availability", "skills", "sessions", "session_series", "assignments", "session_records", "closed_days",
        "users", "user_roles", "user_tokens", "audit_events", "session_record_topics", "session_record_staff",
        "session_record_referrals", "session_record_surveys", "record_topics", "survey_questions", "safeguarding_concerns",
        "ae_engagements", "ae_follow_ups", "worker_rates",
    ];

    private async Task<Fixtures> FixturesAsync()
    {
        var area = await TestData.AreaAsync(app.DataSource);
        var venue = await TestData.VenueAsync(app.DataSource, areaId: area);
        var worker = await TestData.WorkerAsync(app.DataSource);
        var session = await TestData.SessionAsync(app.DataSource, DateTime.UtcNow.Date.AddDays(Random.Shared.Next(400, 700)).AddHours(10),
            TimeSpan.FromHours(1), venue);
        // Someone invited but not yet activated: the activation page then reaches the code check.
        var pending = await app.CreateUserAsync($"pending-{Guid.NewGuid():N}@fuzz.test", Roles.YouthWorker);
        await using var c = await app.DataSource.OpenConnectionAsync();
        await c.ExecuteAsync("UPDATE outreach.users SET password_hash = NULL WHERE id = @id", new { id = pending.Id });
        await app.Services.GetRequiredService<InvitationData>().CreateAsync(pending.Id, worker, Outreach.Data.Actor.System, CancellationToken.None);
        var maxWorker = await c.ExecuteScalarAsync<long>("SELECT max(id) FROM outreach.youth_workers");
        // An A&E shift that has started, with an engagement and a safeguarding concern, so their forms reach their checks.
        var hospital = await TestData.VenueAsync(app.DataSource, "emergency_department", area);
        var shift = await RecordingData.AeShiftAsync(app.DataSource, DateTime.UtcNow.AddHours(-2), TimeSpan.FromHours(8), hospital);
        var engagement = await c.ExecuteScalarAsync<long>("""
            INSERT INTO outreach.ae_engagements (reference, session_id, age_band, presenting_reason, consent, referral_source, referred_at)
            VALUES ('AE-FUZZ' || substr(upper(md5(random()::text)), 1, 2), @shift, '16_17', 'knife', true, 'ed_staff', now() - interval '1 hour')
            RETURNING id;
            """, new { shift });
        await c.ExecuteAsync("""
            INSERT INTO outreach.ae_follow_ups (engagement_id, stage, due_on)
            VALUES (@engagement, '4_weeks', current_date + 28), (@engagement, '12_weeks', current_date + 84), (@engagement, '6_months', current_date + 182)
            """, new { engagement });
        var concern = await c.ExecuteScalarAsync<long>(
            "INSERT INTO outreach.safeguarding_concerns (session_id, details) VALUES (@shift, 'Fuzz fixture') RETURNING id", new { shift });
        return new Fixtures(area, venue, worker, session, pending.Id, maxWorker, shift, engagement, concern);
    }

    private async Task<State> StateAsync(Fixtures f)
    {
        await using var c = await app.DataSource.OpenConnectionAsync();
        var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var table in Tables)
        {
            if (await c.ExecuteScalarAsync<bool>("SELECT to_regclass(@name) IS NOT NULL", new { name = "outreach." + table }))
            {
                // Opening a safeguarding concern or an engagement is audited by design (a refused form shows the page again),
                // and so is a refused sign-in, set-up link or code (a security event): neither is a write by the form.
                // Nor is what a recurring job records meanwhile (retention runs daily at 03:15 UK time, as "system").
                counts[table] = await c.ExecuteScalarAsync<long>(table == "audit_events"
                    ? "SELECT count(*) FROM outreach.audit_events WHERE action NOT IN ('read', 'list') AND entity <> 'security' AND actor_name <> 'system'"
                    : $"SELECT count(*) FROM outreach.{table}");
            }
        }
        var rows = new List<string>
        {
            await c.ExecuteScalarAsync<string>("SELECT row_to_json(t)::text FROM outreach.venues t WHERE id = @Venue", f) ?? "",
            await c.ExecuteScalarAsync<string>("SELECT row_to_json(t)::text FROM outreach.youth_workers t WHERE id = @Worker", f) ?? "",
            await c.ExecuteScalarAsync<string>("SELECT row_to_json(t)::text FROM outreach.sessions t WHERE id = @Session", f) ?? "",
            await c.ExecuteScalarAsync<string>("SELECT row_to_json(t)::text FROM outreach.user_tokens t WHERE user_id = @PendingUser", f) ?? "",
            await c.ExecuteScalarAsync<string>("SELECT row_to_json(t)::text FROM outreach.ae_engagements t WHERE id = @Engagement", f) ?? "",
            await c.ExecuteScalarAsync<string>("SELECT json_agg(t ORDER BY stage)::text FROM outreach.ae_follow_ups t WHERE engagement_id = @Engagement", f) ?? "",
            await c.ExecuteScalarAsync<string>("SELECT row_to_json(t)::text FROM outreach.safeguarding_concerns t WHERE id = @Concern", f) ?? "",
        };
        return new State(counts, rows);
    }

    private static async Task<string> TokenAsync(SiteClient client, string path)
    {
        var html = await client.GetPageAsync(path);
        var token = TokenField().Match(html);
        Assert.True(token.Success, $"No anti-forgery token on {path}");
        return WebUtility.HtmlDecode(token.Groups[1].Value);
    }

    /// <summary>Posts forms with one anti-forgery token (a token is good for the whole session, not one form).</summary>
    private sealed class Poster(HttpClient http, string token)
    {
        public Task<HttpResponseMessage> Form(string path, Random r, List<KeyValuePair<string, string>> fields)
        {
            // Now and then the token is missing or wrong: the answer must be a refusal, never a crash.
            var roll = r.Next(40);
            if (roll != 0)
            {
                fields.Add(new("__RequestVerificationToken", roll == 1 ? Bad(r) : token));
            }
            return http.PostAsync(path, new FormUrlEncodedContent(fields));
        }
    }

    private static Task<HttpResponseMessage> Get(HttpClient http, string path) => http.GetAsync(path);

    private static Task<HttpResponseMessage> Api(HttpClient http, List<string> keys, Random r, HttpMethod method, string path, string? json = null)
    {
        var request = new HttpRequestMessage(method, path);
        var key = keys[r.Next(keys.Count)];
        request.Headers.TryAddWithoutValidation("Authorization", r.Next(25) switch
        {
            0 => "Bearer " + Cut(NotHeaderText().Replace(Bad(r), ""), 4_000),
            1 => "Bearer " + key[..^3] + "xyz",
            _ => "Bearer " + key,
        });
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(r.Next(30) == 0 ? "text/plain" : "application/json");
        }
        return http.SendAsync(request);
    }

    private const string CsvImport = "/Venues/Import (CSV files)";

    private static readonly string[] GiasHeader =
    [
        "URN", "LA (code)", "LA (name)", "EstablishmentNumber", "EstablishmentName", "TypeOfEstablishment (name)",
        "EstablishmentStatus (name)", "PhaseOfEducation (name)", "NumberOfPupils", "PercentageFSM", "Street", "Town", "Postcode",
        "TelephoneNum", "OpenDate", "CloseDate", "GOR (name)",
    ];

    /// <summary>A GIAS or ODS file with a proper header (or none, or a broken one) and rows of bad values.</summary>
    private static Task<HttpResponseMessage> Upload(HttpClient http, string token, Random r, long area)
    {
        var gias = r.Next(2) == 0;
        // Most files are text, so their rows get checked; a null character makes a file binary, refused whole.
        var text = r.Next(10) != 0;
        var csv = new StringBuilder();
        switch (r.Next(10))
        {
            case 0:
                csv.Append(Bad(r));
                break;
            case 1:
                csv.Append(string.Join(",", GiasHeader.Take(r.Next(GiasHeader.Length))));
                break;
            default:
                if (gias)
                {
                    csv.Append(string.Join(",", GiasHeader)).Append("\r\n");
                }
                for (var line = r.Next(0, 30); line > 0; line--)
                {
                    var width = r.Next(10) == 0 ? r.Next(0, 40) : gias ? GiasHeader.Length : 27;
                    var cells = Enumerable.Range(0, width).Select(_ => Cell(r)).Select(c => text ? c.Replace("\0", "", StringComparison.Ordinal) : c);
                    csv.Append(string.Join(",", cells)).Append(r.Next(5) == 0 ? "\n" : "\r\n");
                }
                break;
        }
        var bytes = r.Next(12) switch
        {
            0 => Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes(csv.ToString())).ToArray(),
            1 => Enumerable.Range(0, r.Next(1, 5000)).Select(_ => (byte)r.Next(256)).ToArray(),
            2 => Encoding.Latin1.GetBytes(csv.ToString()),
            _ => Encoding.UTF8.GetBytes(csv.ToString()),
        };
        var form = new MultipartFormDataContent
        {
            { new StringContent(r.Next(15) == 0 ? Bad(r) : gias ? "gias" : "ods"), "Input.Source" },
            { new StringContent(r.Next(8) == 0 ? Bad(r) : "true"), "Input.AllAuthorities" },
            { new StringContent(r.Next(8) == 0 ? Bad(r) : Id(area)), "Input.AreaId" },
            { new StringContent(r.Next(8) == 0 ? Bad(r) : ""), "Input.OtherLaCodes" },
            { new StringContent(token), "__RequestVerificationToken" },
        };
        if (r.Next(20) != 0)
        {
            form.Add(new ByteArrayContent(bytes), "Input.File", r.Next(10) == 0 ? Cut(NotFileNameText().Replace(Bad(r), ""), 200) + ".csv" : "edubasealldata.csv");
        }
        return http.PostAsync("/Venues/Import", form);
    }

    // Cells stay short but for the odd huge one, so a file stays small enough to be checked while the
    // coordinator waits (the big-file path is a background job, outside what an HTTP answer shows).
    private static string Cell(Random r)
    {
        var value = r.Next(200) == 0 ? Bad(r) : Cut(Bad(r), 300);
        return r.Next(3) switch
        {
            0 => "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"",
            1 => "\"" + value,
            _ => value,
        };
    }

    // --- The generator -----------------------------------------------------------------------------------

    private static readonly string[] Pieces =
    [
        "", " ", "   \t  ", "\r\n", "\n\n\n", "0", "-0", "1", "-1", "00001", "1.5", "-1.5", "1,000", "1 000", "1e3", "1e309", "-1e309",
        "NaN", "Infinity", "-Infinity", "0x1F", "true", "false", "null", "undefined", "[]", "{}", "[object Object]",
        "2147483647", "2147483648", "-2147483649", "9223372036854775807", "9223372036854775808", "-9223372036854775809",
        "99999999999999999999999999999999", "79228162514264337593543950336", "0.0000000000000000000000000001",
        "2026-02-30", "2026-13-01", "2026-00-10", "0000-00-00", "0001-01-01", "9999-12-31", "9999-12-31T23:59:59",
        "10000-01-01", "2026-03-29T01:30", "2026-10-25T01:30", "2026-06-01T25:61", "31/12/2026", "12/31/2026", "31.12.2026",
        "yesterday", "1970-01-01T00:00:00Z", "+275760-09-13T00:00:00Z", "2026-06-01T10:00:00+25:00", "24:00", "23:60", "-01:00",
        "13:00:00.0000001", "P1D", "2026-W23", "1717200000",
        "' OR '1'='1", "'; DROP TABLE outreach.venues; --", "\" OR \"\"=\"", "1; SELECT pg_sleep(10)", "%' AND 1=1 --", "%", "_",
        "\\", "\\\\'", "$$; DROP SCHEMA outreach CASCADE; $$", "E'\\x00'",
        "<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "javascript:alert(1)", "<svg/onload=alert(1)>",
        "{{7*7}}", "${7*7}", "@(1+1)", "<!--", "]]>", "&lt;&amp;", "%3Cscript%3E", "%00", "%", "%%%%", "%s%s%s%n", "{0}{1}",
        "../../../../etc/passwd", "..\\..\\windows\\win.ini", "file:///etc/passwd", "http://169.254.169.254/latest/meta-data/",
        "\u0000", "a\u0000b", "\u0001\u0002\u0003\u0007\u0008", "\u001b[31mred\u001b[0m", "\u007f", "\u0085", "\u2028\u2029",
        "\uFEFF", "\u200B\u200C\u200D", "\u202Eevil\u202C", "\uFFFD", "\uFFFF", "\U0001F600", "👩‍👩‍👧‍👦", "🏴󠁧󠁢󠁥󠁮󠁧󠁿",
        "e\u0301\u0301\u0301\u0301", "Z̸̡̢̛͚̬a̶̢̛l̷g̵o̴", "مرحبا بالعالم", "שלום", "日本語のテキスト", "İıŞşĞğ", "ß", "ǅ", "ﬁ",
        "１２３", "١٢٣", "१२३", "Ⅻ", "½", "²", "−1", "‒1", "＋447700900123",
        "+447700900123x", "+44 (0) 7700 900123 ext 1", "07700900123907700900123", "+999999999999999", "+0", "++44",
        "a@", "@b", "a@@b.c", "a@b", "\"a b\"@c.d", "a@b.c\u0000", "a" + new string('b', 300) + "@c.d",
        "Robert'); DROP TABLE students;--", "null\u0000null", "\t\t\t", "   leading", "trailing   ",
    ];

    private static string Bad(Random r)
    {
        switch (r.Next(100))
        {
            case < 3:
                return new string((char)r.Next('A', 'Z' + 1), 100_000);
            case < 5:
                var piece = Pick(r, Pieces) + "x";
                return string.Concat(Enumerable.Repeat(piece, 100_000 / piece.Length + 1))[..100_000];
            case < 8:
                return new string(Enumerable.Range(0, r.Next(1, 400)).Select(_ => (char)r.Next(0, 0xD7FF)).ToArray());
            case < 11:
                return r.NextInt64(long.MinValue, long.MaxValue).ToString(CultureInfo.InvariantCulture);
            case < 14:
                return (r.NextDouble() * Math.Pow(10, r.Next(-30, 30)) * (r.Next(2) == 0 ? -1 : 1)).ToString("R", CultureInfo.InvariantCulture);
            case < 30:
                return Pick(r, Pieces) + Pick(r, Pieces);
            default:
                return Pick(r, Pieces);
        }
    }

    private static readonly string[] BadCounts = ["-1", "2001", "-2147483648", "2147483648", "99999999999999", "abc", "", "1.5", "1e3", "0x10", "NaN"];

    private static string Pick(Random r, string[] items) => items[r.Next(items.Length)];

    /// <summary>A generated value, replaced by a known bad one in the rare case it would be accepted.</summary>
    private static string Anchor(Random r, Func<string, bool> isBad)
    {
        var value = Bad(r);
        return isBad(value.Trim()) && isBad(value) ? value : "certainly-not-valid";
    }

    private static string EmptyOrTooLong(Random r, int limit) => r.Next(3) switch
    {
        0 => "",
        1 => Pick(r, ["   ", "\t\r\n", " \u00A0 "]),
        _ => new string('x', limit + 1 + r.Next(0, 100_000 - limit)),
    };

    private static string? Maybe(Random r, long id) => r.Next(3) == 0 ? Id(id) : null;

    private static string IdOrBad(Random r, long id) => r.Next(5) switch
    {
        0 => Uri.EscapeDataString(InUrl(Bad(r))).Replace("%2F", "", StringComparison.Ordinal) is { Length: > 0 } bad ? bad : "x",
        1 => r.NextInt64(1_000_000_000, long.MaxValue).ToString(CultureInfo.InvariantCulture),
        _ => Id(id),
    };

    private sealed record Field(string Name, Func<Random, string?>? Value, bool IsAnchor);

    /// <summary>A field of bad values (or of <paramref name="value"/>'s, which may give null for "bad").</summary>
    private static Field F(string name, Func<Random, string?>? value = null) => new(name, value, false);

    /// <summary>The field that makes every input certainly invalid: always sent, never swept.</summary>
    private static Field A(string name, Func<Random, string> value) => new(name, value, true);

    private static readonly string[] FormEdgeValues =
    [
        "\u0000", "a@b.c\u0000", "1\u0000", "true\u0000", new string('x', 100_000), "-9223372036854775809", "١٢٣", "2026-02-30",
    ];

    /// <summary>
    /// A form twice over: random mixtures of bad values, and a sweep that puts each edge value in each field in
    /// turn (the rest random, the anchor kept) at <paramref name="sweepPath"/>, which names real rows.
    /// </summary>
    private static IEnumerable<Target> FormTargets(
        string name, int count, Poster poster, Func<Random, string> path, string sweepPath, params Field[] fields)
    {
        yield return new Target(name, count, r => poster.Form(path(r), r, Fill(r, fields, null, null)));
        var swept = fields.Where(x => !x.IsAnchor).Select(x => x.Name).Distinct().ToArray();
        if (swept.Length == 0)
        {
            yield break;
        }
        var next = -1;
        yield return new Target("sweep " + name, swept.Length * FormEdgeValues.Length, r =>
        {
            var i = Interlocked.Increment(ref next);
            return poster.Form(sweepPath, r, Fill(r, fields, swept[i / FormEdgeValues.Length], FormEdgeValues[i % FormEdgeValues.Length]));
        });
    }

    private static List<KeyValuePair<string, string>> Fill(Random r, Field[] fields, string? sweptName, string? sweptValue)
    {
        var list = new List<KeyValuePair<string, string>>();
        foreach (var field in fields)
        {
            if (field.Name == sweptName)
            {
                list.Add(new(field.Name, sweptValue!));
                continue;
            }
            var value = field.Value?.Invoke(r);
            // Fields are sometimes left out altogether, sometimes sent twice; anchors always go, first.
            if (!field.IsAnchor && value is null && r.Next(8) == 0)
            {
                continue;
            }
            list.Add(new(field.Name, value ?? Bad(r)));
            if (r.Next(20) == 0)
            {
                list.Add(new(field.Name, Bad(r)));
            }
        }
        // One huge value per form at most: the point is a huge field, not a body so big that the server stops
        // reading it (a refused request's unread body beyond what Kestrel drains closes the connection).
        var seenHuge = false;
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i].Value.Length > 10_000)
            {
                if (seenHuge)
                {
                    list[i] = new(list[i].Key, Cut(list[i].Value, 1_000));
                }
                seenHuge = true;
            }
        }
        return list;
    }

    // Query strings are kept under Kestrel's request-line limit, except now and then (which gets a 414).
    private static string Query(Random r, params string[] names) =>
        string.Join("&", names.Where(_ => r.Next(4) != 0).Select(n => $"{n}={Uri.EscapeDataString(r.Next(60) == 0 ? Bad(r) : Cut(Bad(r), 1_000))}"));

    private static string Cut(string value, int length) => value.Length > length ? value[..length] : value;

    // Paths and query strings of requests with a body stay well under Kestrel's 8 KB request line even when
    // every character is escaped, so the server reads the body and answers instead of cutting the connection.
    private static string InUrl(string value) => Cut(value, 500);

    private static readonly string[] BrokenJson =
    [
        "", " ", "{", "}", "[", "{\"kind\":", "{\"kind\" \"school\"}", "{'kind': 'school'}", "{\"a\":1,}", "[1,2", "nul", "tru",
        "\"just a string\"", "42", "null", "[]", "{\"kind\":\"\\ud800\"}", "{\"name\":\"\\u0000\"}", "{\"x\":1e999999}",
        "{\"kind\":\"school\",\"kind\":\"disco\"}", "\uFEFF{}", "{\"venueId\":--1}", "{\"workerId\":0x10}",
        new string('[', 5_000) + new string(']', 5_000), "{\"a\":" + new string('{', 1_000), "\u0000", "<xml/>",
    ];

    private static string Json(Random r, params (string Name, string? Value)[] fields)
    {
        if (r.Next(8) == 0)
        {
            return Pick(r, BrokenJson);
        }
        var parts = new List<string>();
        var huge = false;
        foreach (var (name, value) in fields)
        {
            if (value is null && r.Next(6) == 0)
            {
                continue;
            }
            var json = value ?? JsonValue(r, 0);
            // One huge value per body at most (see Fill); the stand-in is still invalid for every anchor field.
            if (json.Length > 20_000)
            {
                json = huge ? "\"once is enough\"" : json;
                huge = true;
            }
            parts.Add($"{JsonSerializer.Serialize(r.Next(30) == 0 ? name.ToUpperInvariant() : name)}:{json}");
        }
        return "{" + string.Join(",", parts) + "}";
    }

    private static string AnchorJson(Random r, Func<string, bool> isBad)
    {
        var value = JsonValue(r, 0);
        return value.StartsWith('"') && !isBad(JsonSerializer.Deserialize<string>(value)!) ? "\"certainly-not-valid\"" : value;
    }

    private static string JsonValue(Random r, int depth) => r.Next(depth > 2 ? 6 : 9) switch
    {
        0 or 1 or 2 => JsonSerializer.Serialize(Bad(r)),
        3 => Pick(r, ["0", "-1", "1.5", "1e308", "-1e308", "1e400", "9223372036854775808", "-9223372036854775809", "2147483648", "0.1e-400"]),
        4 => r.Next(2) == 0 ? "true" : "false",
        5 => "null",
        6 => r.NextInt64(long.MinValue, long.MaxValue).ToString(CultureInfo.InvariantCulture),
        7 => "[" + string.Join(",", Enumerable.Range(0, r.Next(4)).Select(_ => JsonValue(r, depth + 1))) + "]",
        _ => "{\"x\":" + JsonValue(r, depth + 1) + "}",
    };

    // Anchored by a rate date that is not a yyyy-MM-dd date (never null, which would leave the body without an anchor).
    // A PATCH with no fields is a valid change, so a broken body that still reads as one is cut short instead.
    private static string WorkerJson(Random r)
    {
        var from = AnchorJson(r, v => !DateOnly.TryParseExact(v, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _));
        var json = Json(r, ("fullName", null), ("mobile", null), ("email", null), ("hourlyCost", null),
            ("hourlyCostFrom", from == "null" ? "\"2026-02-30\"" : from), ("contractedHours", null), ("active", null),
            ("areaIds", null), ("skillIds", null));
        return json.Contains("\"hourlyCostFrom\":", StringComparison.OrdinalIgnoreCase) ? json : "{\"hourlyCostFrom\":";
    }

    private static bool NotAMobile(string value) => !MobileNumber.TryNormalise(value, out _, out _);

    // A worker id that is not an existing worker: not a plain number, or outside the ids handed out so far. The
    // site reads ids as decimal digits only, so "0x1F" is refused rather than read as worker 31.
    private static bool NotAWorker(string value, long maxWorkerId) =>
        !long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var id) || id < 1 || id > maxWorkerId + 1_000_000;

    private static readonly string[] AuditDateFormats = ["yyyy-MM-dd", "d/M/yyyy", "d/M/yy", "d.M.yyyy", "d-M-yyyy"];

    private static bool NotAnAuditDay(string value) =>
        !string.IsNullOrWhiteSpace(value)
        && !(DateOnly.TryParseExact(value.Trim(), AuditDateFormats, CultureInfo.GetCultureInfo("en-GB"), DateTimeStyles.None, out var day)
             && day.Year is >= 2000 and <= 2100);

    private static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);

    private static string Clip(string text, int length = 300) => text.Length > length ? text[..length] + "..." : text;

    [GeneratedRegex("\"title\":\"[^\"]*\"|<title>[^<]*")]
    private static partial Regex ErrorTitle();

    [GeneratedRegex(@"[^\w .\-]")]
    private static partial Regex NotFileNameText();

    [GeneratedRegex(@"[^\x21-\x7e]")]
    private static partial Regex NotHeaderText();

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();
}
