using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Ical.Net;
using Microsoft.Extensions.DependencyInjection;
using Outreach.Data.Identity;
using Outreach.Web.Infrastructure;
using Outreach.Tests.Infrastructure;

namespace Outreach.Tests.Web;

[Collection("App")]
public sealed partial class CalendarPageTests(OutreachApp app)
{
    [Fact]
    public async Task The_calendar_lists_a_venues_sessions_in_UK_wall_clock_time()
    {
        var venue = await TestData.VenueAsync(app.DataSource);
        // 9 July 2027 09:15 UTC is 10:15 British Summer Time.
        var session = await TestData.SessionAsync(app.DataSource, new DateTime(2027, 7, 9, 9, 15, 0, DateTimeKind.Utc), TimeSpan.FromHours(1), venue);
        using var client = await app.SignedInAsync(Roles.Coordinator);

        Assert.Contains("id=\"calendar\"", await client.GetPageAsync($"/Sessions/Calendar?venueId={venue}"), StringComparison.Ordinal);
        using var response = await client.GetAsync($"/Sessions/Calendar?handler=Events&venueId={venue}&start=2027-07-05T00:00:00Z&end=2027-07-12T00:00:00Z");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var entry = Assert.Single(json.RootElement.EnumerateArray());
        Assert.Equal(session, entry.GetProperty("id").GetInt64());
        Assert.Equal("2027-07-09T10:15:00", entry.GetProperty("start").GetString());
        Assert.Equal("2027-07-09T11:15:00", entry.GetProperty("end").GetString());
        Assert.Equal($"/Sessions/Details/{session}", entry.GetProperty("url").GetString());
        Assert.Equal("session-unfilled", entry.GetProperty("classNames")[0].GetString());
    }

    [Fact]
    public async Task A_change_committed_by_another_program_reaches_a_calendar_already_served_from_the_cache()
    {
        var venue = await TestData.VenueAsync(app.DataSource);
        var first = await TestData.SessionAsync(app.DataSource, new DateTime(2027, 8, 10, 9, 0, 0, DateTimeKind.Utc), TimeSpan.FromHours(1), venue);
        using var client = await app.SignedInAsync(Roles.Coordinator);
        var url = $"/Sessions/Calendar?handler=Events&venueId={venue}&start=2027-08-09&end=2027-08-16";
        var cache = app.Services.GetRequiredService<CalendarCache>();
        for (var i = 0; i < 100 && !cache.Listening; i++)
        {
            await Task.Delay(50);
        }
        Assert.True(cache.Listening, "The site listens for calendar changes, so it may cache answers.");
        Assert.Equal([first], await EventIdsAsync(client, url));
        Assert.Equal([first], await EventIdsAsync(client, url));

        // Written straight to the database, as the jobs process would: only the NOTIFY tells the site.
        var second = await TestData.SessionAsync(app.DataSource, new DateTime(2027, 8, 11, 9, 0, 0, DateTimeKind.Utc), TimeSpan.FromHours(1), venue);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        IReadOnlyList<long> ids;
        do
        {
            ids = await EventIdsAsync(client, url);
        }
        while (ids.Count < 2 && DateTime.UtcNow < deadline && await Task.Delay(50).ContinueWith(_ => true, TaskScheduler.Default));
        Assert.Equal([first, second], ids);
    }

    [Fact]
    public async Task A_change_made_through_the_site_shows_on_the_next_calendar_request()
    {
        var venue = await TestData.VenueAsync(app.DataSource);
        var session = await TestData.SessionAsync(app.DataSource, new DateTime(2027, 8, 17, 9, 0, 0, DateTimeKind.Utc), TimeSpan.FromHours(1), venue);
        using var client = await app.SignedInAsync(Roles.Coordinator);
        var url = $"/Sessions/Calendar?handler=Events&venueId={venue}&start=2027-08-16&end=2027-08-23";
        Assert.Equal("session-unfilled", await FirstClassAsync(client, url));

        using var cancel = await client.PostFormAsync($"/Sessions/Cancel/{session}", new() { ["Input.Reason"] = "School closed for a burst pipe" });
        Assert.Equal(HttpStatusCode.Redirect, cancel.StatusCode);
        Assert.Equal("session-cancelled", await FirstClassAsync(client, url));
    }

    private static async Task<IReadOnlyList<long>> EventIdsAsync(SiteClient client, string url)
    {
        using var json = JsonDocument.Parse(await client.GetPageAsync(url));
        return json.RootElement.EnumerateArray().Select(e => e.GetProperty("id").GetInt64()).Order().ToList();
    }

    private static async Task<string?> FirstClassAsync(SiteClient client, string url)
    {
        using var json = JsonDocument.Parse(await client.GetPageAsync(url));
        return json.RootElement[0].GetProperty("classNames")[0].GetString();
    }

    [Fact]
    public async Task The_calendar_refuses_a_missing_or_too_long_period()
    {
        using var client = await app.SignedInAsync(Roles.Coordinator);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/Sessions/Calendar?handler=Events")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/Sessions/Calendar?handler=Events&start=2027-01-01&end=2027-06-01")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/Sessions/Calendar?handler=Events&start=nonsense&end=2027-06-01")).StatusCode);
    }

    [Fact]
    public async Task A_worker_makes_a_private_calendar_address_that_serves_their_sessions_until_they_replace_it()
    {
        var user = await app.CreateUserAsync($"feed.{Guid.NewGuid():N}@example.org", Roles.YouthWorker);
        var worker = await TestData.WorkerAsync(app.DataSource, user.Id);
        var session = await TestData.SessionAsync(app.DataSource, DateTime.UtcNow.AddDays(3), TimeSpan.FromHours(2));
        await TestData.AssignAsync(app.DataSource, session, worker);
        var other = await TestData.SessionAsync(app.DataSource, DateTime.UtcNow.AddDays(4), TimeSpan.FromHours(2));
        using var client = await app.SignedInAsEmailAsync(user.Email!);

        var first = await MakeAddressAsync(client);
        using var anonymous = app.Anonymous();
        using var feed = await anonymous.GetAsync(first);
        Assert.Equal(HttpStatusCode.OK, feed.StatusCode);
        Assert.Equal("text/calendar", feed.Content.Headers.ContentType?.MediaType);
        var calendar = Calendar.Load(await feed.Content.ReadAsStringAsync())!;
        Assert.Equal([$"session-{session}@outreach"], calendar.Events.Select(e => e.Uid));
        Assert.DoesNotContain(calendar.Events, e => e.Uid == $"session-{other}@outreach");

        var second = await MakeAddressAsync(client);
        Assert.NotEqual(first, second);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync(first)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(second)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync("/calendar/not-a-real-token-at-all-000000.ics")).StatusCode);
    }

    private static async Task<string> MakeAddressAsync(SiteClient client)
    {
        using var reset = await client.PostFormAsync("/Records", [], "/Records?handler=ResetFeed");
        Assert.Equal(HttpStatusCode.Redirect, reset.StatusCode);
        var page = await client.GetPageAsync("/Records");
        var url = FeedUrl().Match(page);
        Assert.True(url.Success, "The new calendar address is shown once after making it.");
        return new Uri(url.Groups[1].Value).PathAndQuery;
    }

    [GeneratedRegex("<code id=\"feed-url\"[^>]*>([^<]+)</code>")]
    private static partial Regex FeedUrl();
}
