using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Outreach.Data;
using Outreach.Data.ApiKeys;
using Outreach.Data.Identity;
using Outreach.Data.Reach;
using Outreach.Tests.Infrastructure;

namespace Outreach.Tests.Web;

/// <summary>
/// A worker's hourly rate through the API: a change dated as on the edit page (decision 0014), the rate in force today
/// and the history in what GET answers, and the OpenAPI document describing both.
/// </summary>
[Collection("App")]
public sealed class ApiWorkerRateTests(OutreachApp app)
{
    private DateOnly Today => DateOnly.FromDateTime(UkTime.ToLocal(app.Clock.GetUtcNow().UtcDateTime));

    // A summer within the last two years and at least three months back, so its sessions are past and a rise dated
    // among them is allowed.
    private int Year => Today.Month >= 11 ? Today.Year : Today.Year - 1;

    [Fact]
    public async Task A_rise_dated_through_PATCH_keeps_earlier_sessions_cost_and_GET_shows_it_with_the_history()
    {
        using var http = await ClientWithKeyAsync();
        var area = await TestData.AreaAsync(app.DataSource);
        var worker = await TestData.WorkerAsync(app.DataSource);
        var venue = await TestData.VenueAsync(app.DataSource, areaId: area);
        await DeliveredAsync(venue, worker, Uk(6, 10, 10), 2);
        await DeliveredAsync(venue, worker, Uk(8, 5, 10), 2);
        var impact = app.Services.GetRequiredService<ImpactData>();
        await impact.CompileAsync(CompileMode.Incremental, null, CancellationToken.None);
        Assert.Equal((40m, 40m), await CostsAsync(area));

        var from = new DateOnly(Year, 7, 15);
        using var changed = await http.PatchAsJsonAsync($"/api/v1/workers/{worker}", new { hourlyCost = 26m, hourlyCostFrom = Iso(from) });
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        await impact.CompileAsync(CompileMode.Incremental, null, CancellationToken.None);

        Assert.Equal((40m, 52m), await CostsAsync(area));
        Assert.Equal([(26m, from), (20m, null)], await StoredRatesAsync(worker));
        var read = await GetAsync(http, worker);
        foreach (var view in new[] { await BodyAsync(changed), read })
        {
            Assert.Equal((26m, Iso(from)), (view.GetProperty("hourlyCost").GetDecimal(), view.GetProperty("hourlyCostFrom").GetString()));
            Assert.Equal([(26m, Iso(from)), (20m, null)], Rates(view));
        }
    }

    [Fact]
    public async Task A_future_rate_leaves_hourlyCost_at_todays_rate_and_is_listed_first_in_rates()
    {
        using var http = await ClientWithKeyAsync();
        var worker = await TestData.WorkerAsync(app.DataSource);

        // Without a date a change applies from today, as on the edit page.
        using (var undated = await http.PatchAsJsonAsync($"/api/v1/workers/{worker}", new { hourlyCost = 22m }))
        {
            Assert.Equal(HttpStatusCode.OK, undated.StatusCode);
        }
        var later = Today.AddDays(14);
        using var dated = await http.PatchAsJsonAsync($"/api/v1/workers/{worker}", new { hourlyCost = 30m, hourlyCostFrom = Iso(later) });
        Assert.Equal(HttpStatusCode.OK, dated.StatusCode);

        foreach (var view in new[] { await BodyAsync(dated), await GetAsync(http, worker) })
        {
            Assert.Equal((22m, Iso(Today)), (view.GetProperty("hourlyCost").GetDecimal(), view.GetProperty("hourlyCostFrom").GetString()));
            Assert.Equal([(30m, Iso(later)), (22m, Iso(Today)), (20m, null)], Rates(view));
        }
    }

    [Fact]
    public async Task A_new_workers_first_rate_covers_all_their_sessions_and_shows_no_date()
    {
        using var http = await ClientWithKeyAsync();
        var mobile = "07" + Random.Shared.NextInt64(700_000_000, 999_999_999).ToString(CultureInfo.InvariantCulture);

        using var created = await http.PostAsJsonAsync("/api/v1/workers",
            new { fullName = TestData.Unique("API rate worker"), mobile, hourlyCost = 19.5m, hourlyCostFrom = Iso(Today.AddDays(7)) });

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var view = await BodyAsync(created);
        Assert.Equal(19.5m, view.GetProperty("hourlyCost").GetDecimal());
        Assert.Equal(JsonValueKind.Null, view.GetProperty("hourlyCostFrom").ValueKind);
        Assert.Equal([(19.5m, null)], Rates(view));
        Assert.Equal([(19.5m, null)], await StoredRatesAsync(view.GetProperty("id").GetInt64()));
    }

    [Fact]
    public async Task A_bad_hourlyCostFrom_is_refused_with_a_problem_naming_the_field_and_changes_nothing()
    {
        using var http = await ClientWithKeyAsync();
        var worker = await TestData.WorkerAsync(app.DataSource);
        await SetRateAsync(worker, 25m, Today.AddDays(-30));
        var longAgo = await TestData.WorkerAsync(app.DataSource);
        await SetRateAsync(longAgo, 25m, new DateOnly(1990, 1, 1));
        var before = (await StoredAsync(worker), await StoredAsync(longAgo));

        foreach (var (target, from, cost, status, message) in new (long, string, decimal?, HttpStatusCode, string)[]
                 {
                     (worker, "15/07/2026", 27m, HttpStatusCode.BadRequest, "as yyyy-MM-dd"),
                     (worker, "2026-02-30", 27m, HttpStatusCode.BadRequest, "as yyyy-MM-dd"),
                     (worker, Iso(Today), null, HttpStatusCode.BadRequest, "Send hourlyCostFrom with the hourlyCost it dates."),
                     (worker, Iso(Today.AddDays(-31)), 27m, HttpStatusCode.UnprocessableEntity, "Their rate history already has £25.00 from"),
                     (worker, Iso(Today.AddYears(1).AddDays(1)), 27m, HttpStatusCode.UnprocessableEntity, "A new rate can start up to a year ahead"),
                     (longAgo, Iso(Today.AddYears(-2).AddDays(-1)), 27m, HttpStatusCode.UnprocessableEntity, "A new rate can be back-dated by up to 2 years"),
                 })
        {
            using var response = await http.PatchAsJsonAsync($"/api/v1/workers/{target}",
                new { fullName = "Renamed With The Rate", hourlyCost = cost, hourlyCostFrom = from });
            Assert.Equal(status, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var errors = (await BodyAsync(response)).GetProperty("errors");
            Assert.True(errors.TryGetProperty("hourlyCostFrom", out var field), $"{from}: {errors}");
            Assert.Contains(message, field[0].GetString(), StringComparison.Ordinal);
        }
        var workers = await TestData.CountAsync(app.DataSource, "SELECT count(*) FROM outreach.youth_workers");
        var mobile = "07" + Random.Shared.NextInt64(700_000_000, 999_999_999).ToString(CultureInfo.InvariantCulture);
        using (var refused = await http.PostAsJsonAsync("/api/v1/workers", new { fullName = "Never Added", mobile, hourlyCost = 20m, hourlyCostFrom = "next week" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.True((await BodyAsync(refused)).GetProperty("errors").TryGetProperty("hourlyCostFrom", out _));
        }

        Assert.Equal(before, (await StoredAsync(worker), await StoredAsync(longAgo)));
        Assert.Equal(workers, await TestData.CountAsync(app.DataSource, "SELECT count(*) FROM outreach.youth_workers"));
    }

    [Fact]
    public async Task The_OpenAPI_document_describes_the_rate_fields_of_a_worker()
    {
        using var anonymous = new HttpClient { BaseAddress = app.BaseUrl };
        using var document = JsonDocument.Parse(await anonymous.GetStringAsync("/openapi/v1.json"));
        var root = document.RootElement;
        var schemas = root.GetProperty("components").GetProperty("schemas");

        var read = Schema(root, root.GetProperty("paths").GetProperty("/api/v1/workers/{id}").GetProperty("get")
            .GetProperty("responses").GetProperty("200").GetProperty("content").GetProperty("application/json").GetProperty("schema"));
        var properties = read.GetProperty("properties");
        Assert.Contains("in force today", properties.GetProperty("hourlyCost").GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Equal("date", properties.GetProperty("hourlyCostFrom").GetProperty("format").GetString());
        Assert.Contains("took effect", properties.GetProperty("hourlyCostFrom").GetProperty("description").GetString(), StringComparison.Ordinal);
        var rates = properties.GetProperty("rates");
        Assert.Contains("latest first", rates.GetProperty("description").GetString(), StringComparison.Ordinal);
        var entry = Schema(root, rates.GetProperty("items")).GetProperty("properties");
        Assert.True(entry.TryGetProperty("hourlyCost", out _), entry.ToString());
        Assert.Equal("date", entry.GetProperty("from").GetProperty("format").GetString());

        foreach (var (path, method) in new[] { ("/api/v1/workers", "post"), ("/api/v1/workers/{id}", "patch") })
        {
            var operation = root.GetProperty("paths").GetProperty(path).GetProperty(method);
            var request = Schema(root, operation.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema"));
            var from = request.GetProperty("properties").GetProperty("hourlyCostFrom");
            Assert.Contains("yyyy-MM-dd", from.GetProperty("description").GetString(), StringComparison.Ordinal);
            Assert.Equal(("date", "[\"string\",\"null\"]"), (from.GetProperty("format").GetString(), Types(from)));
            Assert.True(from.TryGetProperty("pattern", out _), from.ToString());
            var answer = operation.GetProperty("responses").GetProperty(method == "post" ? "201" : "200");
            Assert.Equal(read.ToString(), Schema(root, answer.GetProperty("content").GetProperty("application/json").GetProperty("schema")).ToString());
        }
        Assert.True(schemas.TryGetProperty("WorkerResponse", out _));
        // Strings are described as strings, though the API reads them with its own converter.
        Assert.Equal("\"string\"", Types(properties.GetProperty("fullName")));
        Assert.Equal("[\"string\",\"null\"]", Types(properties.GetProperty("email")));
    }

    private static string Types(JsonElement schema) =>
        schema.TryGetProperty("type", out var type) ? type.ValueKind == JsonValueKind.Array
            ? "[" + string.Join(",", type.EnumerateArray().Select(t => t.GetRawText()).Order(StringComparer.Ordinal).Reverse()) + "]"
            : type.GetRawText() : "";

    private static JsonElement Schema(JsonElement root, JsonElement schema)
    {
        if (!schema.TryGetProperty("$ref", out var reference))
        {
            return schema;
        }
        var name = reference.GetString()!.Split('/')[^1];
        return root.GetProperty("components").GetProperty("schemas").GetProperty(name);
    }

    private static string Iso(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private DateTime Uk(int month, int day, int hour) =>
        UkTime.TryToUtc(new DateTime(Year, month, day, hour, 0, 0), out var utc) ? utc : throw new InvalidOperationException();

    private static async Task<JsonElement> BodyAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    private static async Task<JsonElement> GetAsync(HttpClient http, long worker)
    {
        using var response = await http.GetAsync($"/api/v1/workers/{worker}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await BodyAsync(response);
    }

    private static List<(decimal?, string?)> Rates(JsonElement view) =>
        [.. view.GetProperty("rates").EnumerateArray().Select(r => (
            r.GetProperty("hourlyCost").ValueKind == JsonValueKind.Null ? (decimal?)null : r.GetProperty("hourlyCost").GetDecimal(),
            r.GetProperty("from").GetString()))];

    private async Task DeliveredAsync(long venue, long worker, DateTime startsAt, double hours)
    {
        var session = await TestData.SessionAsync(app.DataSource, startsAt, TimeSpan.FromHours(hours), venue, status: "delivered");
        await TestData.AssignAsync(app.DataSource, session, worker);
        await using var c = await app.DataSource.OpenConnectionAsync();
        await c.ExecuteAsync("INSERT INTO outreach.session_records (session_id, delivered, count_14_15) VALUES (@session, true, 10)", new { session });
    }

    private async Task<(decimal June, decimal August)> CostsAsync(long area)
    {
        await using var c = await app.DataSource.OpenConnectionAsync();
        var costs = (await c.QueryAsync<(DateTime Month, decimal Cost)>(
            "SELECT month::timestamp, sum(staff_cost) FROM outreach.impact_monthly WHERE area_id = @area GROUP BY month", new { area }))
            .ToDictionary(r => r.Month, r => r.Cost);
        return (costs.GetValueOrDefault(new DateTime(Year, 6, 1)), costs.GetValueOrDefault(new DateTime(Year, 8, 1)));
    }

    private async Task<List<(decimal?, DateOnly?)>> StoredRatesAsync(long worker)
    {
        await using var c = await app.DataSource.OpenConnectionAsync();
        var rows = await c.QueryAsync<(decimal?, DateTime?)>("""
            SELECT hourly_cost, CASE WHEN effective_from = '-infinity' THEN NULL ELSE effective_from::timestamp END
            FROM outreach.worker_rates WHERE worker_id = @worker ORDER BY worker_rates.effective_from DESC
            """, new { worker });
        return [.. rows.Select(r => (r.Item1, r.Item2 is { } d ? DateOnly.FromDateTime(d) : (DateOnly?)null))];
    }

    /// <summary>Everything a refused change could have touched: the row, its history and its audit trail.</summary>
    private async Task<string> StoredAsync(long worker)
    {
        await using var c = await app.DataSource.OpenConnectionAsync();
        return await c.ExecuteScalarAsync<string>("""
            SELECT concat_ws(' | ', w.full_name, w.hourly_cost, w.hourly_cost_from, w.updated_at,
                   (SELECT string_agg(r.effective_from || '=' || coalesce(r.hourly_cost::text, '-'), ',' ORDER BY r.effective_from)
                      FROM outreach.worker_rates r WHERE r.worker_id = w.id),
                   (SELECT count(*) FROM outreach.audit_events a WHERE a.entity = 'youth_worker' AND a.entity_id = w.id::text))
            FROM outreach.youth_workers w WHERE w.id = @worker
            """, new { worker }) ?? "";
    }

    private async Task SetRateAsync(long worker, decimal cost, DateOnly from)
    {
        await using var c = await app.DataSource.OpenConnectionAsync();
        await c.ExecuteAsync("UPDATE outreach.youth_workers SET hourly_cost = @cost, hourly_cost_from = @from WHERE id = @worker",
            new { worker, cost, from = from.ToDateTime(TimeOnly.MinValue) });
    }

    private async Task<HttpClient> ClientWithKeyAsync()
    {
        var keys = (ApiKeyData)app.Services.GetService(typeof(ApiKeyData))!;
        var key = (await keys.CreateAsync(TestData.Unique("api rate test"), Roles.Coordinator, Actor.System, CancellationToken.None)).Value!;
        var http = new HttpClient { BaseAddress = app.BaseUrl };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return http;
    }
}
