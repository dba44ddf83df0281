using Dapper;
using Npgsql;

namespace Outreach.Tests.Messages;

/// <summary>
/// The message jobs sweep the whole shared test database, and what they queue is due at once. Other job tests
/// send every due row, so a test here voids the pending rows queued while it ran, once it is done.
/// </summary>
public abstract class OutboxCleanup(NpgsqlDataSource dataSource) : IAsyncLifetime
{
    protected NpgsqlDataSource DataSource { get; } = dataSource;

    private DateTime _started;

    public async Task InitializeAsync()
    {
        await using var c = await DataSource.OpenConnectionAsync();
        _started = await c.ExecuteScalarAsync<DateTime>("SELECT now()");
    }

    public async Task DisposeAsync()
    {
        await using var c = await DataSource.OpenConnectionAsync();
        await c.ExecuteAsync(
            "UPDATE outreach.sms_outbox SET status = 'void', last_error = 'test finished' WHERE status = 'pending' AND created_at >= @started",
            new { started = _started });
    }
}
