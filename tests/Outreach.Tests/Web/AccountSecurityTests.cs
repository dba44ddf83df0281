using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Outreach.Data;
using Outreach.Data.ApiKeys;
using Outreach.Data.Identity;
using Outreach.Data.Messages;
using Outreach.Tests.Infrastructure;

namespace Outreach.Tests.Web;

/// <summary>
/// Accounts end when they should, links no one else can use, sign-in that reveals nothing: each finding of the
/// black-box probe, as the attacker tried it. Decision 0017.
/// </summary>
[Collection("App")]
public sealed partial class AccountSecurityTests(OutreachApp app)
{
    [Theory]
    [InlineData(Roles.Administrator)]
    [InlineData(Roles.Coordinator)]
    [InlineData(Roles.Commissioner)]
    [InlineData(Roles.YouthWorker)]
    public async Task A_cookie_copied_before_sign_out_stops_working_at_once(string role)
    {
        var email = $"signout.{Guid.NewGuid():N}@example.org";
        await app.CreateUserAsync(email, role);
        using var owner = await app.SignedInAsEmailAsync(email);
        var cookie = Assert.Single(owner.Cookies.GetCookies(app.BaseUrl), c => c.Name == "Outreach");
        using var thief = app.Anonymous();
        thief.Cookies.Add(app.BaseUrl, new Cookie(cookie.Name, cookie.Value));
        using (var before = await thief.GetAsync("/Account/Security"))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        using var signedOut = await owner.PostFormAsync("/Account/Security", [], "/Account/Logout");
        Assert.Equal(HttpStatusCode.Redirect, signedOut.StatusCode);

        using var after = await thief.GetAsync("/Account/Security");
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        Assert.StartsWith("/Account/Login", after.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_set_password_link_is_hidden_in_the_log_the_workers_texts_page_and_the_csv()
    {
        var email = $"link.{Guid.NewGuid():N}@example.org";
        var worker = await TestData.WorkerAsync(app.DataSource);
        await Execute("UPDATE outreach.youth_workers SET email = @email WHERE id = @worker", new { email, worker });
        using var coordinator = await app.SignedInAsync(Roles.Coordinator);

        using var sent = await coordinator.PostFormAsync($"/Workers/Details/{worker}", [], $"/Workers/Details/{worker}?handler=SendSignInLink");
        Assert.Equal(HttpStatusCode.Redirect, sent.StatusCode);
        var stored = await Scalar<string>("SELECT body FROM outreach.sms_outbox WHERE worker_id = @worker AND purpose = 'invitation'", new { worker });
        var code = LinkCode().Match(stored).Groups["code"].Value;
        Assert.False(string.IsNullOrEmpty(code), stored);

        foreach (var path in new[] { $"/Messages?workerId={worker}", $"/Messages/Worker/{worker}", $"/Messages?handler=Csv&workerId={worker}" })
        {
            var shown = await coordinator.GetPageAsync(path);
            Assert.DoesNotContain(code, shown, StringComparison.Ordinal);
            Assert.DoesNotContain(Uri.EscapeDataString(code), shown, StringComparison.Ordinal);
            Assert.Contains(SmsText.HiddenLink, System.Net.WebUtility.HtmlDecode(shown), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Sign_in_answers_the_same_way_in_about_the_same_time_for_known_and_unknown_emails()
    {
        var known = $"known.{Guid.NewGuid():N}@example.org";
        await app.CreateUserAsync(known, Roles.YouthWorker);
        using var client = app.AnonymousFrom(IPAddress.Parse("127.0.0.21"));

        var knownTimes = new List<double>();
        var unknownTimes = new List<double>();
        string? knownPage = null, unknownPage = null;
        for (var i = 0; i < 4; i++)
        {
            (knownPage, var k) = await TimedWrongPasswordAsync(client, known);
            (unknownPage, var u) = await TimedWrongPasswordAsync(client, $"nobody.{Guid.NewGuid():N}@example.org");
            knownTimes.Add(k);
            unknownTimes.Add(u);
        }

        Assert.Equal(Answer(knownPage!), Answer(unknownPage!));
        var (knownMedian, unknownMedian) = (Median(knownTimes), Median(unknownTimes));
        // Before, about 119 ms against 1.5 ms: the password hash ran only for real accounts.
        Assert.InRange(unknownMedian / knownMedian, 0.5, 2.0);
    }

    [Fact]
    public async Task Failed_sign_ins_slow_down_alike_for_any_email_and_never_lock_the_owner_out_from_elsewhere()
    {
        var email = $"victim.{Guid.NewGuid():N}@example.org";
        await app.CreateUserAsync(email, Roles.Coordinator, twoFactor: false);
        var unknown = $"nobody.{Guid.NewGuid():N}@example.org";
        using var attacker = app.AnonymousFrom(IPAddress.Parse("127.0.0.22"));

        var answers = new Dictionary<string, List<HttpStatusCode>> { [email] = [], [unknown] = [] };
        foreach (var target in answers.Keys)
        {
            for (var i = 0; i < SignInData.FreeFailuresPerAddress + 2; i++)
            {
                using var response = await attacker.PostFormAsync("/Account/Login", new() { ["Input.Email"] = target, ["Input.Password"] = "not the password at all" });
                answers[target].Add(response.StatusCode);
            }
        }

        // Five wrong passwords, then the same wait for both: nothing says which email is someone's.
        Assert.Equal(answers[email], answers[unknown]);
        Assert.Equal(HttpStatusCode.TooManyRequests, answers[email][^1]);
        Assert.All(answers[email].Take(SignInData.FreeFailuresPerAddress), s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.DoesNotContain("locked", await Page(attacker, email), StringComparison.OrdinalIgnoreCase);

        // The owner, on their own network, signs in at once.
        using var owner = app.AnonymousFrom(IPAddress.Parse("127.0.0.23"));
        using var signedIn = await owner.PostFormAsync("/Account/Login", new() { ["Input.Email"] = email, ["Input.Password"] = OutreachApp.Password });
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        Assert.Null(await Scalar<DateTime?>("SELECT lockout_end FROM outreach.users WHERE normalized_email = upper(@email)", new { email }));
    }

    [Fact]
    public async Task A_forwarded_address_from_a_client_that_is_not_a_configured_proxy_is_not_believed()
    {
        var email = $"forwarded.{Guid.NewGuid():N}@example.org";
        using var attacker = app.AnonymousFrom(IPAddress.Parse("127.0.0.26"));
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < SignInData.FreeFailuresPerAddress + 2; i++)
        {
            // A new "address" each time: were it believed, every attempt would start a fresh count.
            attacker.Http.DefaultRequestHeaders.Remove("X-Forwarded-For");
            attacker.Http.DefaultRequestHeaders.Add("X-Forwarded-For", $"203.0.113.{i + 1}");
            using var response = await attacker.PostFormAsync("/Account/Login", new() { ["Input.Email"] = email, ["Input.Password"] = "not the password at all" });
            statuses.Add(response.StatusCode);
        }
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);
    }

    [Fact]
    public async Task A_request_for_another_host_is_refused_and_links_use_the_public_address()
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = app.BaseUrl };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/Records");
        request.Headers.Host = "evil.example";
        using var refused = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.DoesNotContain("evil.example", refused.Headers.Location?.ToString() ?? "", StringComparison.Ordinal);

        // Health checks answer load balancers that probe an instance by its own address.
        using var health = new HttpRequestMessage(HttpMethod.Get, "/health/live");
        health.Headers.Host = "10.0.0.7";
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(health)).StatusCode);

        // The worker's calendar address is built from Site:PublicBaseUrl.
        var email = $"feed.{Guid.NewGuid():N}@example.org";
        await TestData.WorkerAsync(app.DataSource, (await app.CreateUserAsync(email, Roles.YouthWorker)).Id);
        using var worker = await app.SignedInAsEmailAsync(email);
        using var reset = await worker.PostFormAsync("/Records", [], "/Records?handler=ResetFeed");
        var page = reset.StatusCode == HttpStatusCode.Redirect ? await worker.GetPageAsync("/Records") : await reset.Content.ReadAsStringAsync();
        Assert.Contains(new Uri(app.BaseUrl, "/calendar/").ToString(), page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_download_and_api_answer_with_personal_data_is_no_store()
    {
        using var coordinator = await app.SignedInAsync(Roles.Coordinator);
        using var commissioner = await app.SignedInAsync(Roles.Commissioner);
        var worker = await TestData.WorkerAsync(app.DataSource);
        var key = (await app.Services.GetRequiredService<ApiKeyData>().CreateAsync("no-store test", Roles.Coordinator, Actor.System, CancellationToken.None)).Value!;
        using var api = new HttpClient { BaseAddress = app.BaseUrl };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        var feedUser = await app.CreateUserAsync($"feed.{Guid.NewGuid():N}@example.org", Roles.YouthWorker);
        await TestData.WorkerAsync(app.DataSource, feedUser.Id);
        var token = await app.Services.GetRequiredService<Outreach.Data.Rosters.CalendarFeedData>().ResetTokenAsync(feedUser.Id, CancellationToken.None);
        using var feedClient = new HttpClient { BaseAddress = app.BaseUrl };

        var answers = new List<(string What, HttpResponseMessage Response)>
        {
            ("messages csv", await coordinator.GetAsync("/Messages?handler=Csv")),
            ("reports csv", await commissioner.GetAsync("/Reports?handler=Csv&table=gaps")),
            ("api worker", await api.GetAsync($"/api/v1/workers/{worker}")),
            ("calendar feed", await feedClient.GetAsync($"/calendar/{token}.ics")),
            ("page", await coordinator.GetAsync("/Workers")),
        };
        foreach (var (what, response) in answers)
        {
            Assert.True(response.IsSuccessStatusCode, $"{what}: HTTP {(int)response.StatusCode}");
            Assert.True(response.Headers.CacheControl?.NoStore == true, $"{what}: Cache-Control {response.Headers.CacheControl}");
            response.Dispose();
        }
    }

    [Fact]
    public async Task Security_events_reach_the_audit_log_without_secrets()
    {
        var email = $"events.{Guid.NewGuid():N}@example.org";
        var user = await app.CreateUserAsync(email, Roles.Coordinator, twoFactor: false);
        using var someone = app.AnonymousFrom(IPAddress.Parse("127.0.0.24"));
        const string wrong = "a wrong password typed here";
        (await someone.PostFormAsync("/Account/Login", new() { ["Input.Email"] = email, ["Input.Password"] = wrong })).Dispose();
        using var owner = await app.SignedInAsEmailAsync(email);
        (await owner.PostFormAsync("/Account/Security", [], "/Account/Logout")).Dispose();
        var keys = app.Services.GetRequiredService<ApiKeyData>();
        var key = (await keys.CreateAsync("events test", Roles.Coordinator, Actor.System, CancellationToken.None)).Value!;
        using (var api = new HttpClient(LoopbackSource.Handler(IPAddress.Parse("127.0.0.25"))) { BaseAddress = app.BaseUrl })
        {
            api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
            (await api.GetAsync("/api/v1/venues")).Dispose();
            (await api.GetAsync("/api/v1/venues")).Dispose();
        }
        var keyId = (await keys.ListAsync(CancellationToken.None)).First(k => key.StartsWith($"ork_{k.Prefix}_", StringComparison.Ordinal)).Id;
        await keys.RevokeAsync(keyId, Actor.System, CancellationToken.None);

        await using var c = await app.DataSource.OpenConnectionAsync();
        var events = (await c.QueryAsync<(string Action, string? EntityId, string? After)>(
            """
            SELECT action, entity_id, after::text FROM outreach.audit_events
            WHERE entity = 'security' AND ((entity_id = @user AND action NOT LIKE 'api-key%') OR (entity_id = @key AND action LIKE 'api-key%'))
            ORDER BY id
            """,
            new { user = user.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), key = keyId.ToString(System.Globalization.CultureInfo.InvariantCulture) })).ToList();
        var actions = events.Select(e => e.Action).ToList();
        Assert.Equal([SecurityEvents.SignInFailed, SecurityEvents.SignedIn, SecurityEvents.SignedOut], actions.Where(a => !a.StartsWith("api-key", StringComparison.Ordinal)));
        Assert.Equal([SecurityEvents.ApiKeyCreated, SecurityEvents.ApiKeyNewAddress, SecurityEvents.ApiKeyRevoked], actions.Where(a => a.StartsWith("api-key", StringComparison.Ordinal)));
        Assert.All(events, e => Assert.DoesNotContain(wrong, e.After ?? "", StringComparison.Ordinal));
        Assert.All(events, e => Assert.DoesNotContain(key, e.After ?? "", StringComparison.Ordinal));

        using var admin = await app.SignedInAsync(Roles.Administrator);
        var audit = await admin.GetPageAsync("/Admin/Audit?Entity=security");
        Assert.Contains(SecurityEvents.SignInFailed, audit, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Data_protection_keys_are_encrypted_at_rest()
    {
        using var client = await app.SignedInAsync(Roles.Coordinator);
        var xml = (await Query<string>("SELECT xml FROM outreach.data_protection_keys")).ToList();
        Assert.NotEmpty(xml);
        Assert.All(xml, k => Assert.Contains("encryptedSecret", k, StringComparison.Ordinal));
        Assert.All(xml, k => Assert.DoesNotContain("<masterKey", k, StringComparison.Ordinal));
    }

    private static async Task<(string Page, double Ms)> TimedWrongPasswordAsync(SiteClient client, string email)
    {
        var watch = Stopwatch.StartNew();
        using var response = await client.PostFormAsync("/Account/Login", new() { ["Input.Email"] = email, ["Input.Password"] = "definitely not it" });
        var page = await response.Content.ReadAsStringAsync();
        return (page, watch.Elapsed.TotalMilliseconds);
    }

    private static async Task<string> Page(SiteClient client, string email)
    {
        using var response = await client.PostFormAsync("/Account/Login", new() { ["Input.Email"] = email, ["Input.Password"] = "not the password at all" });
        return await response.Content.ReadAsStringAsync();
    }

    // The messages of the answer, without the echoed email or the per-request anti-forgery token.
    private static string Answer(string page) => string.Join("|", ValidationSummary().Matches(page).Select(m => m.Value));

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    private async Task Execute(string sql, object args)
    {
        await using var c = await app.DataSource.OpenConnectionAsync();
        await c.ExecuteAsync(sql, args);
    }

    private async Task<T> Scalar<T>(string sql, object args)
    {
        await using var c = await app.DataSource.OpenConnectionAsync();
        return (await c.ExecuteScalarAsync<T>(sql, args))!;
    }

    private async Task<IEnumerable<T>> Query<T>(string sql)
    {
        await using var c = await app.DataSource.OpenConnectionAsync();
        return await c.QueryAsync<T>(sql);
    }

    [GeneratedRegex(@"/Account/Activate\?user=\d+&code=(?<code>[A-Za-z0-9_\-]+)")]
    private static partial Regex LinkCode();

    [GeneratedRegex(@"<li>[^<]*</li>")]
    private static partial Regex ValidationSummary();
}
