using Dapper;
using Npgsql;
using Outreach.Data;
using Outreach.Data.Messages;
using Outreach.Data.Sessions;
using Outreach.Tests.Infrastructure;
using Outreach.Tests.Jobs;
using static Outreach.Tests.Infrastructure.WorkerProfiles;

namespace Outreach.Tests.Messages;

/// <summary>The steps the messaging tests share: a session with workers in an area of its own, bookings, replies.</summary>
public abstract class MessagingScenario(NpgsqlDataSource dataSource) : OutboxCleanup(dataSource)
{
    /// <summary>A session starting <paramref name="startsIn"/> from the harness's now (3 days when not given).</summary>
    protected async Task<(long Session, long[] Workers)> SessionWithWorkersAsync(JobHarness harness, int workers, TimeSpan? startsIn = null)
    {
        var area = await AreaAsync(DataSource, UniqueRegion());
        var venue = await TestData.VenueAsync(DataSource, "school", area);
        var session = await TestData.SessionAsync(DataSource, harness.Clock.GetUtcNow().UtcDateTime + (startsIn ?? TimeSpan.FromDays(3)),
            TimeSpan.FromHours(1), venue);
        var ids = new long[workers];
        for (var i = 0; i < workers; i++)
        {
            ids[i] = await WorkerAsync(DataSource, area);
        }
        return (session, ids);
    }

    protected static async Task<long> AssignAsync(JobHarness harness, long session, long worker)
    {
        var outcome = await harness.Get<SessionData>().AssignAsync(session, worker, Actor.System, CancellationToken.None);
        Assert.True(outcome.Succeeded, string.Join("; ", outcome.Errors.Select(e => e.Message)));
        return outcome.Value;
    }

    /// <summary>A text from the worker's phone, as Twilio would pass it on.</summary>
    protected async Task<ReplyResult> ReplyAsync(JobHarness harness, long worker, string body) =>
        await harness.Get<ReplyData>().HandleAsync("SM" + Guid.NewGuid().ToString("N"), await MobileAsync(worker), "+447700900999", body,
            CancellationToken.None);

    protected Task<string> MobileAsync(long worker) =>
        ScalarAsync<string>("SELECT mobile_e164 FROM outreach.youth_workers WHERE id = @worker", new { worker });

    protected async Task<T> ScalarAsync<T>(string sql, object args)
    {
        await using var c = await DataSource.OpenConnectionAsync();
        return (await c.ExecuteScalarAsync<T>(sql, args))!;
    }

    protected async Task<IReadOnlyList<T>> QueryAsync<T>(string sql, object args)
    {
        await using var c = await DataSource.OpenConnectionAsync();
        return (await c.QueryAsync<T>(sql, args)).AsList();
    }

    protected async Task ExecuteAsync(string sql, object args)
    {
        await using var c = await DataSource.OpenConnectionAsync();
        await c.ExecuteAsync(sql, args);
    }
}
