using Dapper;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Microsoft.Extensions.Options;
using Outreach.Data;
using Outreach.Data.Demo;
using Outreach.Data.Engagements;
using Outreach.Data.Messages;
using Outreach.Data.Records;
using Outreach.Data.Safeguarding;
using Outreach.Tests.Infrastructure;

namespace Outreach.Tests.Data;

public sealed class RecordingDemoDataTests
{
    [Fact]
    public async Task Demo_data_shows_record_details_one_open_concern_and_engagements_with_follow_ups_some_due()
    {
        var connectionString = await MigratedDatabase.CreateMigratedAsync("demo-recording");
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var now = new DateTimeOffset(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);
        Assert.True(await new DemoData(dataSource, new FakeTimeProvider(now)).LoadOnceAsync(null, CancellationToken.None));

        await using var c = await dataSource.OpenConnectionAsync();
        var counts = await c.QuerySingleAsync<(long Topics, long Referrals, long Surveys, long OpenConcerns, long Engagements, long FollowUps, long Returning, long DueSoon, long Sessions)>("""
            SELECT (SELECT count(DISTINCT session_id) FROM outreach.session_record_topics),
                   (SELECT count(*) FROM outreach.session_record_referrals),
                   (SELECT count(DISTINCT session_id) FROM outreach.session_record_surveys),
                   (SELECT count(*) FROM outreach.safeguarding_concerns WHERE status = 'open'),
                   (SELECT count(*) FROM outreach.ae_engagements WHERE worker_id IS NOT NULL),
                   (SELECT count(*) FROM outreach.ae_follow_ups f JOIN outreach.ae_engagements e ON e.id = f.engagement_id
                     WHERE e.worker_id IS NOT NULL),
                   (SELECT count(*) - count(DISTINCT reference) FROM outreach.ae_engagements),
                   (SELECT count(*) FROM outreach.ae_follow_ups f JOIN outreach.ae_engagements e ON e.id = f.engagement_id
                     WHERE f.outcome IS NULL AND e.status = 'open' AND f.due_on <= DATE '2026-12-06'),
                   (SELECT count(*) FROM outreach.sessions)
            """);
        Assert.InRange(counts.Topics, 5, 40);
        Assert.True(counts.Referrals > 0);
        Assert.True(counts.Surveys > 0);
        Assert.Equal(1, counts.OpenConcerns);
        Assert.InRange(counts.Engagements, 8, 12);
        Assert.Equal(3 * counts.Engagements, counts.FollowUps);
        Assert.True(counts.DueSoon > 0, "no follow-up is due in the coming week");
        // On top come the reports' year of history and its engagements (recorded without a worker, so not counted above).
        Assert.True(counts.Sessions >= 40);
        Assert.Equal(1, await c.ExecuteScalarAsync<long>("SELECT count(*) FROM outreach.alerts WHERE kind = 'safeguarding'"));

        // The demo rows read back through the pages' own queries.
        var clock = new FakeTimeProvider(now);
        var records = new RecordData(dataSource, clock, Options.Create(new SmsOptions()), Options.Create(new SiteOptions()));
        foreach (var session in await c.QueryAsync<long>("SELECT session_id FROM outreach.session_record_surveys UNION SELECT session_id FROM outreach.safeguarding_concerns"))
        {
            var form = await records.LoadAsync(session, null, CancellationToken.None);
            Assert.NotNull(form?.Record);
        }
        var engagements = new EngagementData(dataSource, clock);
        foreach (var id in await c.QueryAsync<long>("SELECT id FROM outreach.ae_engagements WHERE worker_id IS NOT NULL"))
        {
            var read = await engagements.ReadAsync(id, null, Actor.System, CancellationToken.None);
            Assert.Equal(3, read!.Value.FollowUps.Count);
        }
        Assert.NotEmpty(await engagements.DueAsync(null, new DateOnly(2026, 12, 6), Actor.System, CancellationToken.None));
        Assert.NotNull((await new SafeguardingData(dataSource, clock).ListAsync(false, CancellationToken.None)).SingleOrDefault());
    }
}
