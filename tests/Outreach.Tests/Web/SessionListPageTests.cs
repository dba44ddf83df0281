using Dapper;
using Outreach.Data.Identity;
using Outreach.Tests.Infrastructure;

namespace Outreach.Tests.Web;

[Collection("App")]
public sealed class SessionListPageTests(OutreachApp app)
{
    [Fact]
    public async Task The_unfilled_or_unconfirmed_list_shows_sessions_short_of_workers_or_confirmations_and_not_the_staffed_ones()
    {
        var now = app.Clock.GetUtcNow().UtcDateTime;
        var empty = await TestData.SessionAsync(app.DataSource, now.AddDays(3), TimeSpan.FromHours(1));
        var unconfirmed = await TestData.SessionAsync(app.DataSource, now.AddDays(4), TimeSpan.FromHours(1));
        await TestData.AssignAsync(app.DataSource, unconfirmed, await TestData.WorkerAsync(app.DataSource));
        var staffed = await TestData.SessionAsync(app.DataSource, now.AddDays(5), TimeSpan.FromHours(1));
        var assignment = await TestData.AssignAsync(app.DataSource, staffed, await TestData.WorkerAsync(app.DataSource));
        await using (var connection = await app.DataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("UPDATE outreach.assignments SET status = 'confirmed' WHERE id = @assignment", new { assignment });
        }
        var cancelled = await TestData.SessionAsync(app.DataSource, now.AddDays(6), TimeSpan.FromHours(1), status: "cancelled");
        using var client = await app.SignedInAsync(Roles.Coordinator);

        var html = await client.GetPageAsync("/Sessions?attention=true");

        Assert.Contains($"/Sessions/Details/{empty}\"", html, StringComparison.Ordinal);
        Assert.Contains($"/Sessions/Details/{unconfirmed}\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain($"/Sessions/Details/{staffed}\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain($"/Sessions/Details/{cancelled}\"", html, StringComparison.Ordinal);
        Assert.Contains($"/Sessions/Details/{staffed}\"", await client.GetPageAsync("/Sessions"), StringComparison.Ordinal);
    }
}
