using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Outreach.Data;
using Outreach.Data.Identity;
using Outreach.Data.Reach;
using Outreach.Data.Workers;
using Outreach.Tests.Infrastructure;
using Outreach.Tests.Web;

namespace Outreach.Tests.Data;

/// <summary>
/// Hourly rates with the day each took effect: staff cost uses the rate in force on the session's UK day, a pay rise
/// re-costs only what follows it, and the coordinator dates a new rate on the worker's edit page.
/// </summary>
[Collection("App")]
public sealed partial class WorkerRateTests(OutreachApp app)
{
    private static DateOnly Today => DateOnly.FromDateTime(UkTime.ToLocal(DateTime.UtcNow));

    // A summer (British Summer Time) within the last two years and at least three months back, so the sessions are
    // past, a rise dated among them is allowed, and UK midnight is not UTC midnight.
    private static int Year => Today.Month >= 11 ? Today.Year : Today.Year - 1;

    private static DateTime Uk(int month, int day, int hour, int minute = 0) =>
        UkTime.TryToUtc(new DateTime(Year, month, day, hour, minute, 0), out var utc) ? utc : throw new InvalidOperationException();

    private static DateTime Month(int month) => new(Year, month, 1);

    [Fact]
    public async Task A_pay_rise_from_a_date_keeps_earlier_sessions_cost_and_recosts_later_ones_and_a_full_compile_agrees()
    {
        var (area, worker) = await AreaAndWorkerAsync();
        var venue = await TestData.VenueAsync(app.DataSource, areaId: area);
        // The last session of 14 July ends after midnight; the first of 15 July starts at 00:30 UK time, still
        // 14 July in UTC: the rate is chosen by the session's UK day.
        await DeliveredAsync(venue, worker, Uk(6, 10, 10), 2);
        await DeliveredAsync(venue, worker, Uk(7, 14, 23, 30), 1);
        await DeliveredAsync(venue, worker, Uk(7, 15, 0, 30), 1);
        await DeliveredAsync(venue, worker, Uk(8, 5, 10), 2);
        var impact = app.Services.GetRequiredService<ImpactData>();
        await impact.CompileAsync(CompileMode.Incremental, null, CancellationToken.None);
        Assert.Equal((40m, 40m, 40m), Costs(await CostsAsync(area)));

        var profile = (await app.Services.GetRequiredService<WorkerData>().ProfileAsync(worker, CancellationToken.None))!;
        var saved = await app.Services.GetRequiredService<WorkerData>().UpdateAsync(new WorkerUpdate(
            worker, profile.FullName, profile.MobileE164, profile.Email, 26m, profile.ContractedHours, profile.Active, null,
            profile.AreaIds, profile.SkillIds, new DateOnly(Year, 7, 15)), new Actor(null, "coordinator", null), CancellationToken.None);
        Assert.True(saved.Succeeded, string.Join("; ", saved.Errors.Select(e => e.Message)));
        var run = await impact.CompileAsync(CompileMode.Incremental, null, CancellationToken.None);

        Assert.Equal((40m, 20m + 26m, 52m), Costs(await CostsAsync(area)));
        var months = (await impact.FindRunAsync(run!.RunId, CancellationToken.None))!.Months;
        Assert.Contains(Month(7), months);
        Assert.Contains(Month(8), months);
        Assert.DoesNotContain(Month(6), months);

        var incremental = await CostsAsync(area);
        await impact.CompileAsync(CompileMode.Full, null, CancellationToken.None);
        Assert.Equal(incremental, await CostsAsync(area));
    }

    [Fact]
    public async Task A_rate_change_marks_only_delivered_months_from_its_date_and_a_future_rate_marks_none()
    {
        var (area, worker) = await AreaAndWorkerAsync();
        var venue = await TestData.VenueAsync(app.DataSource, areaId: area);
        await DeliveredAsync(venue, worker, Uk(6, 10, 10), 2);
        await DeliveredAsync(venue, worker, Uk(8, 5, 10), 2);
        var planned = await TestData.SessionAsync(app.DataSource, DateTime.UtcNow.AddDays(20), TimeSpan.FromHours(1), venue);
        await TestData.AssignAsync(app.DataSource, planned, worker);

        Assert.Equal([Month(8)], await MarkedByRateAsync(worker, 22m, new DateOnly(Year, 7, 1)));
        Assert.Empty(await MarkedByRateAsync(worker, 24m, Today.AddDays(10)));
        // Moving the date back drops the later entry and re-costs from the new date.
        Assert.Equal([Month(6), Month(8)], await MarkedByRateAsync(worker, 23m, new DateOnly(Year, 6, 1)));
        Assert.Equal([(null, 20m), (new DateTime(Year, 6, 1), 23m)],
            (await app.Services.GetRequiredService<WorkerData>().RatesAsync(worker, CancellationToken.None))
            .Select(r => (r.EffectiveFrom, r.HourlyCost)).Reverse());
    }

    [Fact]
    public async Task The_edit_page_refuses_a_rate_date_before_the_latest_rate_or_absurdly_far_and_saves_nothing()
    {
        var worker = await TestData.WorkerAsync(app.DataSource);
        await SetRateAsync(worker, 25m, Today.AddDays(-30));
        using var client = await app.SignedInAsync(Roles.Coordinator);

        foreach (var (from, message) in new[]
                 {
                     (Today.AddDays(-31), "Their rate history already has £25.00 from"),
                     (Today.AddYears(-3), "Their rate history already has £25.00 from"),
                     (Today.AddYears(2), "A new rate can start up to a year ahead"),
                 })
        {
            var html = await RefusedAsync(client, worker, "27", from.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            FieldMessage.AssertShown(html, "Input.HourlyCostFrom", message);
        }
        var empty = await RefusedAsync(client, worker, "27", "");
        FieldMessage.AssertShown(empty, "Input.HourlyCostFrom", "Give the date the new rate applies from.");

        var other = await TestData.WorkerAsync(app.DataSource);
        await SetRateAsync(other, 25m, new DateOnly(1990, 1, 1));
        var longAgo = await RefusedAsync(client, other, "27", Today.AddYears(-3).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        FieldMessage.AssertShown(longAgo, "Input.HourlyCostFrom", "A new rate can be back-dated by up to 2 years");

        Assert.Equal(25m, await ScalarAsync<decimal>("SELECT hourly_cost FROM outreach.youth_workers WHERE id = @worker", new { worker }));
        Assert.Equal(2, await ScalarAsync<long>("SELECT count(*) FROM outreach.worker_rates WHERE worker_id = @worker", new { worker }));
    }

    [Fact]
    public async Task A_dated_rise_on_the_edit_page_is_kept_and_the_worker_page_shows_the_history()
    {
        var worker = await TestData.WorkerAsync(app.DataSource);
        using var client = await app.SignedInAsync(Roles.Coordinator);
        var from = Today.AddDays(14);

        using var response = await client.PostFormAsync($"/Workers/Edit/{worker}",
            await EditFieldsAsync(worker, "22.50", from.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);

        var html = await client.GetPageAsync($"/Workers/Details/{worker}");
        var table = Regex.Match(html, """<table[^>]*id="rate-history".*?<tbody>(.*?)</tbody>""", RegexOptions.Singleline).Groups[1].Value;
        var rows = Regex.Matches(table, "<tr>(.*?)</tr>", RegexOptions.Singleline).Select(m => Regex.Replace(m.Groups[1].Value, "<[^>]*>", " "))
            .Select(r => Regex.Replace(WebUtility.HtmlDecode(r), @"\s+", " ").Trim()).ToList();
        Assert.Equal(2, rows.Count);
        Assert.StartsWith($"{Dbs.Date(from)} (to come) £22.50", rows[0], StringComparison.Ordinal);
        Assert.StartsWith("Their first sessions (current) £20.00", rows[1], StringComparison.Ordinal);
        // Today's sessions still cost the old rate, so that is what the profile says.
        Assert.Contains("id=\"hourly-cost\">£20.00<", WebUtility.HtmlDecode(html), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_worker_with_no_rate_gets_their_first_rate_for_all_their_sessions_without_giving_a_date()
    {
        var worker = await TestData.WorkerAsync(app.DataSource);
        await using (var c = await app.DataSource.OpenConnectionAsync())
        {
            await c.ExecuteAsync("UPDATE outreach.youth_workers SET hourly_cost = NULL WHERE id = @worker", new { worker });
        }
        using var client = await app.SignedInAsync(Roles.Coordinator);
        var form = await client.GetPageAsync($"/Workers/Edit/{worker}");
        Assert.DoesNotContain("Input.HourlyCostFrom", form, StringComparison.Ordinal);
        Assert.Contains("Their first rate applies to all their sessions", form, StringComparison.Ordinal);

        using var response = await client.PostFormAsync($"/Workers/Edit/{worker}", await EditFieldsAsync(worker, "18", ""));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal([(null, 18m)], (await app.Services.GetRequiredService<WorkerData>().RatesAsync(worker, CancellationToken.None))
            .Select(r => (r.EffectiveFrom, r.HourlyCost)));
    }

    private async Task<(long Area, long Worker)> AreaAndWorkerAsync() =>
        (await TestData.AreaAsync(app.DataSource), await TestData.WorkerAsync(app.DataSource));

    private async Task DeliveredAsync(long venue, long worker, DateTime startsAt, double hours)
    {
        var session = await TestData.SessionAsync(app.DataSource, startsAt, TimeSpan.FromHours(hours), venue, status: "delivered");
        await TestData.AssignAsync(app.DataSource, session, worker);
        await using var c = await app.DataSource.OpenConnectionAsync();
        await c.ExecuteAsync("INSERT INTO outreach.session_records (session_id, delivered, count_14_15) VALUES (@session, true, 10)", new { session });
    }

    private static (decimal June, decimal July, decimal August) Costs(Dictionary<DateTime, decimal> costs) =>
        (costs.GetValueOrDefault(Month(6)), costs.GetValueOrDefault(Month(7)), costs.GetValueOrDefault(Month(8)));

    private async Task<Dictionary<DateTime, decimal>> CostsAsync(long area)
    {
        await using var c = await app.DataSource.OpenConnectionAsync();
        return (await c.QueryAsync<(DateTime Month, decimal Cost)>(
            "SELECT month::timestamp, sum(staff_cost) FROM outreach.impact_monthly WHERE area_id = @area GROUP BY month", new { area }))
            .ToDictionary(r => r.Month, r => r.Cost);
    }

    /// <summary>Sets the rate in a transaction of its own and returns the months the change logged as dirty.</summary>
    private async Task<List<DateTime>> MarkedByRateAsync(long worker, decimal cost, DateOnly from)
    {
        await using var c = await app.DataSource.OpenConnectionAsync();
        await using var tx = await c.BeginTransactionAsync();
        await c.ExecuteAsync("UPDATE outreach.youth_workers SET hourly_cost = @cost, hourly_cost_from = @from WHERE id = @worker",
            new { worker, cost, from = from.ToDateTime(TimeOnly.MinValue) }, tx);
        // Rows this transaction added carry its start time; anything another test logs meanwhile does not.
        var months = (await c.QueryAsync<DateTime>(
            "SELECT DISTINCT month::timestamp FROM outreach.impact_dirty_months WHERE added_at = now() ORDER BY 1", transaction: tx)).AsList();
        await tx.CommitAsync();
        return months;
    }

    private async Task SetRateAsync(long worker, decimal cost, DateOnly from)
    {
        await using var c = await app.DataSource.OpenConnectionAsync();
        await c.ExecuteAsync("UPDATE outreach.youth_workers SET hourly_cost = @cost, hourly_cost_from = @from WHERE id = @worker",
            new { worker, cost, from = from.ToDateTime(TimeOnly.MinValue) });
    }

    private async Task<string> RefusedAsync(SiteClient client, long worker, string cost, string from)
    {
        using var response = await client.PostFormAsync($"/Workers/Edit/{worker}", await EditFieldsAsync(worker, cost, from));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    private async Task<Dictionary<string, string>> EditFieldsAsync(long worker, string cost, string from) => new()
    {
        ["Input.FullName"] = await ScalarAsync<string>("SELECT full_name FROM outreach.youth_workers WHERE id = @worker", new { worker }),
        ["Input.Mobile"] = await ScalarAsync<string>("SELECT mobile_e164 FROM outreach.youth_workers WHERE id = @worker", new { worker }),
        ["Input.Email"] = "",
        ["Input.HourlyCost"] = cost,
        ["Input.HourlyCostFrom"] = from,
        ["Input.ContractedHours"] = "",
        ["Input.Active"] = "true",
    };

    private async Task<T> ScalarAsync<T>(string sql, object args)
    {
        await using var c = await app.DataSource.OpenConnectionAsync();
        return (await c.ExecuteScalarAsync<T>(sql, args))!;
    }
}
