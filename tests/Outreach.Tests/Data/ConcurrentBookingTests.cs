using Npgsql;
using Outreach.Data;
using Outreach.Data.Sessions;
using Outreach.Tests.Infrastructure;

namespace Outreach.Tests.Data;

/// <summary>
/// The rule that a youth worker is never in two places at once, under load: many coordinators (or API clients)
/// booking the same worker at the same moment, each on their own connection.
/// </summary>
[Collection("Database")]
public sealed class ConcurrentBookingTests(DatabaseFixture db)
{
    private const int Attempts = 100;

    [Fact]
    public async Task A_hundred_concurrent_attempts_to_book_one_worker_into_a_hundred_overlapping_sessions_give_exactly_one_assignment()
    {
        var venue = await TestData.VenueAsync(db.DataSource);
        var worker = await TestData.WorkerAsync(db.DataSource);
        // Each session starts a minute after the previous one and lasts three hours, so every two of them overlap.
        var start = DateTime.SpecifyKind(DateTime.UtcNow.Date.AddDays(Random.Shared.Next(60, 600)).AddHours(9), DateTimeKind.Utc);
        var sessions = new List<long>();
        for (var i = 0; i < Attempts; i++)
        {
            sessions.Add(await TestData.SessionAsync(db.DataSource, start.AddMinutes(i), TimeSpan.FromHours(3), venue));
        }

        // A pool large enough for every attempt to hold its own connection at once, opened beforehand so the
        // attempts race each other rather than the opening of connections.
        var builder = new NpgsqlDataSourceBuilder(db.ConnectionString);
        builder.ConnectionStringBuilder.MaxPoolSize = Attempts + 10;
        await using var pool = builder.Build();
        var warm = await Task.WhenAll(Enumerable.Range(0, Attempts).Select(_ => pool.OpenConnectionAsync().AsTask()));
        foreach (var connection in warm)
        {
            await connection.DisposeAsync();
        }

        var data = new SessionData(pool);
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var attempts = sessions.Select(session => Task.Run(async () =>
        {
            await go.Task;
            try
            {
                return (Outcome: await data.AssignAsync(session, worker, Actor.System, CancellationToken.None), Error: (Exception?)null);
            }
            catch (Exception e)
            {
                return (Outcome: (Outcome<long>?)null, Error: e);
            }
        })).ToList();
        go.SetResult();
        var results = await Task.WhenAll(attempts);

        var errors = results.Where(r => r.Error is not null).Select(r => r.Error!.Message).ToList();
        Assert.True(errors.Count == 0, $"{errors.Count} attempts threw instead of answering: {string.Join(" | ", errors.Distinct())}");
        Assert.Single(results, r => r.Outcome!.Succeeded);
        var refusals = results.Where(r => !r.Outcome!.Succeeded).Select(r => r.Outcome!.Errors.Single().Message).ToList();
        Assert.Equal(Attempts - 1, refusals.Count);
        Assert.All(refusals, message => Assert.Equal("This worker is already booked at an overlapping time.", message));

        Assert.Equal(1, await TestData.CountAsync(db.DataSource,
            "SELECT count(*) FROM outreach.assignments WHERE worker_id = @worker AND status IN ('assigned', 'confirmed')", new { worker }));
        Assert.Equal(1, await TestData.CountAsync(db.DataSource,
            "SELECT count(*) FROM outreach.assignments WHERE worker_id = @worker", new { worker }));
        var booked = results.Single(r => r.Outcome!.Succeeded).Outcome!.Value;
        Assert.Equal(1, await TestData.CountAsync(db.DataSource,
            "SELECT count(*) FROM outreach.audit_events WHERE action = 'assign' AND entity = 'assignment' AND (after ->> 'workerId')::bigint = @worker",
            new { worker }));
        Assert.Equal(1, await TestData.CountAsync(db.DataSource,
            "SELECT count(*) FROM outreach.audit_events WHERE action = 'assign' AND entity = 'assignment' AND entity_id = @id",
            new { id = booked.ToString(System.Globalization.CultureInfo.InvariantCulture) }));
    }
}
