using Dapper;
using Npgsql;

namespace Outreach.Data.Sessions;

public sealed record SessionItem(long Id, long VenueId, string VenueName, string Kind, string Title, DateTime StartsAt, DateTime EndsAt,
    string Status, int RequiredWorkers, long AssignedWorkers, int Version);

/// <summary>Sessions a page at a time, for the API.</summary>
public sealed class SessionListData(NpgsqlDataSource dataSource)
{
    public async Task<Paged<SessionItem>> PageAsync(
        DateTime? fromUtc, DateTime? toUtc, long? venueId, string? status, int? page, int? pageSize, CancellationToken cancellationToken)
    {
        var (number, size, offset) = Paged<SessionItem>.Normalise(page, pageSize);
        var args = new { fromUtc, toUtc, venueId, status, size, offset };
        const string where = """
            WHERE (@fromUtc::timestamptz IS NULL OR s.starts_at >= @fromUtc) AND (@toUtc::timestamptz IS NULL OR s.starts_at < @toUtc)
              AND (@venueId::bigint IS NULL OR s.venue_id = @venueId) AND (@status::text IS NULL OR s.status = @status)
            """;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var total = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            $"SELECT count(*) FROM outreach.sessions s {where}", args, cancellationToken: cancellationToken));
        var items = await connection.QueryAsync<SessionItem>(new CommandDefinition($"""
            SELECT s.id, s.venue_id, v.name AS venue_name, s.kind, s.title, s.starts_at, s.ends_at, s.status, s.required_workers,
                   (SELECT count(*) FROM outreach.assignments a WHERE a.session_id = s.id AND a.status IN ('assigned', 'confirmed')) AS assigned_workers,
                   s.version
            FROM outreach.sessions s JOIN outreach.venues v ON v.id = s.venue_id
            {where}
            ORDER BY s.starts_at, s.id LIMIT @size OFFSET @offset
            """, args, cancellationToken: cancellationToken));
        return new Paged<SessionItem>(items.AsList(), number, size, total);
    }
}
