using Dapper;
using Npgsql;

namespace Outreach.Data.Venues;

public sealed record VenueItem(long Id, string Kind, string Name, long AreaId, string AreaName, string Address, string Postcode,
    string? Urn, string Status);

/// <summary>Venues a page at a time, for the API.</summary>
public sealed class VenueListData(NpgsqlDataSource dataSource)
{
    private const string Columns = """
        v.id, v.kind, v.name, v.area_id, a.name AS area_name, v.address, v.postcode, v.urn, v.status
        """;

    public async Task<Paged<VenueItem>> PageAsync(string? kind, long? areaId, string? search, int? page, int? pageSize, CancellationToken cancellationToken)
    {
        var (number, size, offset) = Paged<VenueItem>.Normalise(page, pageSize);
        var args = new { kind, areaId, search = string.IsNullOrWhiteSpace(search) ? null : search.Trim(), size, offset };
        const string where = """
            WHERE (@kind::text IS NULL OR v.kind = @kind) AND (@areaId::bigint IS NULL OR v.area_id = @areaId)
              AND (@search::text IS NULL OR v.name ILIKE '%' || @search || '%' OR v.postcode ILIKE @search || '%')
            """;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var total = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            $"SELECT count(*) FROM outreach.venues v {where}", args, cancellationToken: cancellationToken));
        var items = await connection.QueryAsync<VenueItem>(new CommandDefinition($"""
            SELECT {Columns} FROM outreach.venues v JOIN outreach.areas a ON a.id = v.area_id
            {where}
            ORDER BY v.name, v.id LIMIT @size OFFSET @offset
            """, args, cancellationToken: cancellationToken));
        return new Paged<VenueItem>(items.AsList(), number, size, total);
    }

    public async Task<VenueItem?> FindAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<VenueItem>(new CommandDefinition(
            $"SELECT {Columns} FROM outreach.venues v JOIN outreach.areas a ON a.id = v.area_id WHERE v.id = @id",
            new { id }, cancellationToken: cancellationToken));
    }
}
