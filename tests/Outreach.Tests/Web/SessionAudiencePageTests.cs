using System.Globalization;
using System.Net;
using Outreach.Data.Identity;
using Outreach.Tests.Infrastructure;

namespace Outreach.Tests.Web;

/// <summary>Who a session is for: expected size and school year groups, when planning and afterwards.</summary>
[Collection("App")]
public sealed class SessionAudiencePageTests(OutreachApp app)
{
    [Fact]
    public async Task A_coordinator_plans_a_session_for_chosen_year_groups_and_sees_them_on_the_session()
    {
        using var client = await app.SignedInAsync(Roles.Coordinator);
        var venue = await TestData.VenueAsync(app.DataSource);
        var title = TestData.Unique("Year 8 assembly");
        using var created = await client.PostFormAsync("/Sessions/Create", new()
        {
            ["Input.VenueId"] = venue.ToString(CultureInfo.InvariantCulture),
            ["Input.Kind"] = "assembly",
            ["Input.Title"] = title,
            ["Input.Start"] = "2027-06-08T09:00",
            ["Input.End"] = "2027-06-08T10:00",
            ["Input.RequiredWorkers"] = "1",
            ["Input.ExpectedSize"] = "180",
            ["Input.Notes"] = "",
            ["Input.YearGroups[0]"] = "8",
            ["Input.YearGroups[1]"] = "7",
            ["Input.YearGroups[2]"] = "8",
        });
        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);

        var details = await client.GetPageAsync(created.Headers.Location!.OriginalString);
        Assert.Contains("180 expected; year groups: Year 7, Year 8", details, StringComparison.Ordinal);
        Assert.Equal(1, await TestData.CountAsync(app.DataSource,
            "SELECT count(*) FROM outreach.sessions WHERE title = @title AND year_groups = ARRAY[7, 8]", new { title }));
    }

    [Fact]
    public async Task The_audience_page_changes_size_and_year_groups_and_refuses_nonsense_with_a_message()
    {
        using var client = await app.SignedInAsync(Roles.Coordinator);
        var session = await TestData.SessionAsync(app.DataSource, new DateTime(2027, 6, 9, 9, 0, 0, DateTimeKind.Utc), TimeSpan.FromHours(1));
        var path = $"/Sessions/Audience/{session}";

        using var saved = await client.PostFormAsync(path, new() { ["Input.ExpectedSize"] = "25", ["Input.YearGroups[0]"] = "0" });
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        Assert.Contains("25 expected; year groups: Reception", await client.GetPageAsync($"/Sessions/Details/{session}"), StringComparison.Ordinal);

        using var tooBig = await client.PostFormAsync(path, new() { ["Input.ExpectedSize"] = "-3" });
        Assert.Equal(HttpStatusCode.OK, tooBig.StatusCode);
        FieldMessage.AssertShown(await tooBig.Content.ReadAsStringAsync(), "Input.ExpectedSize", "Enter an expected audience between 0 and 5000.");

        using var badYear = await client.PostFormAsync(path, new() { ["Input.ExpectedSize"] = "30", ["Input.YearGroups[0]"] = "14" });
        Assert.Equal(HttpStatusCode.OK, badYear.StatusCode);
        Assert.Contains("Choose year groups from Reception to Year 13.", await badYear.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        Assert.Equal(1, await TestData.CountAsync(app.DataSource,
            "SELECT count(*) FROM outreach.sessions WHERE id = @session AND expected_size = 25 AND year_groups = ARRAY[0]", new { session }));
        Assert.Equal(HttpStatusCode.NotFound, (await client.Http.GetAsync("/Sessions/Audience/999999999")).StatusCode);
    }
}
