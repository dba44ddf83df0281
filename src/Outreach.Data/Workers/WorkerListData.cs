using Dapper;
using Npgsql;

namespace Outreach.Data.Workers;

public sealed record WorkerItem(long Id, string FullName, string MobileE164, string? Email, bool Active);

/// <summary>Youth workers a page at a time, for the API.</summary>
public sealed class WorkerListData(NpgsqlDataSource dataSource)
{
    public async Task<Paged<WorkerItem>> PageAsync(string? search, bool? active, int? page, int? pageSize, CancellationToken cancellationToken)
    {
        var (number, size, offset) = Paged<WorkerItem>.Normalise(page, pageSize);
        var args = new { search = string.IsNullOrWhiteSpace(search) ? null : search.Trim(), active, size, offset };
        const string where = """
            WHERE (@search::text IS NULL OR full_name ILIKE '%' || @search || '%') AND (@active::boolean IS NULL OR active = @active)
            """;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var total = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            $"SELECT count(*) FROM outreach.youth_workers {where}", args, cancellationToken: cancellationToken));
        var items = await connection.QueryAsync<WorkerItem>(new CommandDefinition($"""
            SELECT id, full_name, mobile_e164, email, active FROM outreach.youth_workers
            {where}
            ORDER BY full_name, id LIMIT @size OFFSET @offset
            """, args, cancellationToken: cancellationToken));
        return new Paged<WorkerItem>(items.AsList(), number, size, total);
    }
}
