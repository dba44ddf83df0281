using Dapper;
using Microsoft.Extensions.Time.Testing;
using Outreach.Data.Reach;
using Outreach.Tests.Infrastructure;

namespace Outreach.Tests.Data;

[Collection("Database")]
public sealed class ReachDataTests(DatabaseFixture db)
{
    [Fact]
    public async Task Compiling_counts_delivered_sessions_and_recorded_young_people_per_month_and_area_and_twice_gives_the_same_figures()
    {
        var area = await TestData.AreaAsync(db.DataSource);
        var venue = await TestData.VenueAsync(db.DataSource, areaId: area);
        var january = new DateTime(2026, 1, 14, 10, 0, 0, DateTimeKind.Utc);
        var delivered = await TestData.SessionAsync(db.DataSource, january, TimeSpan.FromHours(1), venue, status: "delivered");
        var secondDelivered = await TestData.SessionAsync(db.DataSource, january.AddDays(1), TimeSpan.FromHours(1), venue, status: "delivered");
        await TestData.SessionAsync(db.DataSource, january.AddDays(2), TimeSpan.FromHours(1), venue, status: "cancelled");
        await TestData.SessionAsync(db.DataSource, january.AddMonths(1), TimeSpan.FromHours(1), venue);
        await using (var c = await db.DataSource.OpenConnectionAsync())
        {
            await c.ExecuteAsync("""
                INSERT INTO outreach.session_records (session_id, delivered, count_11_13, count_14_15) VALUES (@delivered, true, 30, 5);
                INSERT INTO outreach.session_records (session_id, delivered, count_16_17) VALUES (@secondDelivered, true, 12);
                """, new { delivered, secondDelivered });
        }
        var reach = new ReachData(db.DataSource, new FakeTimeProvider(DateTimeOffset.UtcNow));

        await reach.CompileAsync(CancellationToken.None);
        var first = await FiguresAsync(area);
        await reach.CompileAsync(CancellationToken.None);
        var second = await FiguresAsync(area);

        Assert.Equal(
            [
                new Figures(new DateTime(2026, 1, 1), 3, 2, 1, 47),
                new Figures(new DateTime(2026, 2, 1), 1, 0, 0, 0),
            ],
            first);
        Assert.Equal(first, second);
    }

    private sealed record Figures(DateTime Month, int Planned, int Delivered, int Cancelled, int Reached);

    private async Task<List<Figures>> FiguresAsync(long areaId)
    {
        await using var c = await db.DataSource.OpenConnectionAsync();
        return (await c.QueryAsync<Figures>("""
            SELECT month::timestamp AS month, sessions_planned AS planned, sessions_delivered AS delivered,
                   sessions_cancelled AS cancelled, young_people_reached AS reached
            FROM outreach.reach_monthly WHERE area_id = @areaId ORDER BY month
            """, new { areaId })).AsList();
    }
}
