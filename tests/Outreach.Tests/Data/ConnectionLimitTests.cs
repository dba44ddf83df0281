using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Outreach.Data;
using Outreach.Tests.Infrastructure;

namespace Outreach.Tests.Data;

/// <summary>The Database:MaxConnections setting: requests beyond it wait their turn instead of failing.</summary>
[Collection("Database")]
public sealed class ConnectionLimitTests(DatabaseFixture db)
{
    [Fact]
    public async Task Twenty_queries_at_once_under_a_limit_of_three_all_answer_on_at_most_three_connections()
    {
        var name = $"limit-{Guid.NewGuid():N}"[..30];
        var connectionString = new NpgsqlConnectionStringBuilder(db.ConnectionString) { ApplicationName = name }.ConnectionString;
        await using var services = new ServiceCollection().AddOutreachData(connectionString, maxConnections: 3).BuildServiceProvider();
        var dataSource = services.GetRequiredService<NpgsqlDataSource>();
        await using var watcher = await db.DataSource.OpenConnectionAsync();
        var most = 0L;

        var queries = Enumerable.Range(0, 20).Select(async i =>
        {
            await using var c = await dataSource.OpenConnectionAsync();
            await c.ExecuteAsync("SELECT pg_sleep(0.05)");
            return await c.ExecuteScalarAsync<int>("SELECT @i", new { i });
        }).ToList();
        while (!queries.All(q => q.IsCompleted))
        {
            most = Math.Max(most, await watcher.ExecuteScalarAsync<long>(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = @name", new { name }));
            await Task.Delay(10);
        }

        Assert.Equal(Enumerable.Range(0, 20), await Task.WhenAll(queries));
        Assert.InRange(most, 1, 3);
    }

    [Fact]
    public void A_limit_below_two_is_refused_at_start_up()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddOutreachData(db.ConnectionString, maxConnections: 1));
        Assert.Contains("Database:MaxConnections", error.Message, StringComparison.Ordinal);
    }
}
