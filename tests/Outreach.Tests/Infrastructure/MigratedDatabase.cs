using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Outreach.Data.Database;

namespace Outreach.Tests.Infrastructure;

public static class MigratedDatabase
{
    /// <summary>
    /// A new database built the way production builds one: by the real migration runner from the files
    /// in <c>migrations/</c>. Returns its connection string.
    /// </summary>
    public static async Task<string> CreateMigratedAsync(string name, CancellationToken cancellationToken = default)
    {
        var server = await PostgresServer.StartedAsync();
        var connectionString = await server.CreateDatabaseAsync(name, cancellationToken);
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await new Migrator(dataSource, NullLogger<Migrator>.Instance).MigrateAsync(cancellationToken);
        return connectionString;
    }
}
