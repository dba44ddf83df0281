using Dapper;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Outreach.Data;
using Outreach.Data.Demo;
using Outreach.Data.Messages;
using Outreach.Tests.Infrastructure;

namespace Outreach.Tests.Data;

public sealed class DemoDataTests
{
    [Fact]
    public async Task Demo_data_loads_once_into_an_empty_database_and_a_second_start_keeps_it()
    {
        var connectionString = await MigratedDatabase.CreateMigratedAsync("demo");
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 29, 12, 0, 0, TimeSpan.Zero));
        var demo = new DemoData(dataSource, clock);

        Assert.True(await demo.LoadOnceAsync(null, CancellationToken.None));
        Assert.False(await demo.LoadOnceAsync(null, CancellationToken.None));

        await using var c = await dataSource.OpenConnectionAsync();
        var counts = await c.QuerySingleAsync<(long Areas, long Schools, long Emergency, long Workers, long Sessions, long Records)>("""
            SELECT (SELECT count(*) FROM outreach.areas),
                   (SELECT count(*) FROM outreach.venues WHERE kind = 'school'),
                   (SELECT count(*) FROM outreach.venues WHERE kind = 'emergency_department'),
                   (SELECT count(*) FROM outreach.youth_workers),
                   (SELECT count(*) FROM outreach.sessions WHERE starts_at > '2026-11-14T00:00:00Z'),
                   (SELECT count(*) FROM outreach.session_records r JOIN outreach.sessions s ON s.id = r.session_id
                    WHERE s.starts_at > '2026-11-14T00:00:00Z')
            """);
        Assert.Equal(7, counts.Areas);
        Assert.InRange(counts.Schools, 24, 60);
        Assert.InRange(counts.Emergency, 5, 15);
        Assert.Equal(12, counts.Workers);
        Assert.InRange(counts.Sessions, 40, 200);
        Assert.InRange(counts.Records, 10, counts.Sessions);
        Assert.Equal(0, await c.ExecuteScalarAsync<long>("""
            SELECT count(*) FROM outreach.session_records r JOIN outreach.sessions s ON s.id = r.session_id
            WHERE s.starts_at > '2026-11-29T12:00:00Z'
            """));
        // A year of recorded history before the fortnight, so the reports page has a trend to chart.
        Assert.InRange(await c.ExecuteScalarAsync<long>("""
            SELECT count(DISTINCT date_trunc('month', s.starts_at)) FROM outreach.session_records r JOIN outreach.sessions s ON s.id = r.session_id
            """), 11, 14);
        Assert.True(await c.ExecuteScalarAsync<long>("SELECT count(*) FROM outreach.ae_engagements") > 20);

        // The messages log's example of a resend refused: a failed reminder for a session cancelled since.
        var refused = await c.ExecuteScalarAsync<long?>("SELECT id FROM outreach.sms_outbox WHERE dedupe_key = 'demo:resend-refused'");
        Assert.NotNull(refused);
        var resend = await new MessageLogData(dataSource, clock).ResendAsync(refused.Value, Actor.System, CancellationToken.None);
        Assert.Contains("has been cancelled", Assert.Single(resend.Errors).Message, StringComparison.Ordinal);
    }
}
