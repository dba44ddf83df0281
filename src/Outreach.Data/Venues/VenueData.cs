using Dapper;
using Npgsql;
using Outreach.Data.Audit;

namespace Outreach.Data.Venues;

public static class VenueKinds
{
    public const string School = "school";
    public const string EmergencyDepartment = "emergency_department";
    public const string Community = "community";

    public static readonly IReadOnlyDictionary<string, string> Labels = new Dictionary<string, string>
    {
        [School] = "School",
        [EmergencyDepartment] = "A&E department",
        [Community] = "Community venue",
    };
}

public sealed record Area(long Id, string Code, string Name);

public sealed record VenueRow(long Id, string Kind, string Name, string AreaName, string Postcode, string Status);

public sealed record NewVenue(string Kind, string Name, long AreaId, string Address, string Postcode, string? Urn);

public sealed class VenueData(NpgsqlDataSource dataSource)
{
    public async Task<IReadOnlyList<Area>> AreasAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<Area>(new CommandDefinition(
            "SELECT id, code, name FROM outreach.areas ORDER BY name", cancellationToken: cancellationToken));
        return rows.AsList();
    }

    public async Task<IReadOnlyList<VenueRow>> ListAsync(string? kind, string? search, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<VenueRow>(new CommandDefinition("""
            SELECT v.id, v.kind, v.name, a.name AS area_name, v.postcode, v.status
            FROM outreach.venues v JOIN outreach.areas a ON a.id = v.area_id
            WHERE (@kind::text IS NULL OR v.kind = @kind)
              AND (@search::text IS NULL OR v.name ILIKE '%' || @search || '%' OR v.postcode ILIKE @search || '%')
            ORDER BY v.name
            LIMIT 500
            """, new { kind, search = string.IsNullOrWhiteSpace(search) ? null : search.Trim() },
            cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <summary>Open venues for a picker, labelled with their area.</summary>
    public async Task<IReadOnlyList<VenueRow>> OpenVenuesAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<VenueRow>(new CommandDefinition("""
            SELECT v.id, v.kind, v.name, a.name AS area_name, v.postcode, v.status
            FROM outreach.venues v JOIN outreach.areas a ON a.id = v.area_id
            WHERE v.status = 'open'
            ORDER BY v.name
            """, cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <summary>Adds a venue by <see cref="VenueRules"/>: the name, address and postcode are tidied (B82AA becomes B8 2AA).</summary>
    public async Task<Outcome<long>> CreateAsync(NewVenue venue, Actor actor, CancellationToken cancellationToken)
    {
        var errors = VenueRules.CheckNew(venue.Kind, venue.Name, venue.Address, venue.Postcode, venue.Urn);
        if (errors.Count > 0)
        {
            return new Outcome<long>(0, errors);
        }
        venue = venue with
        {
            Name = ImportFile.Tidy(venue.Name), Address = ImportFile.Tidy(venue.Address), Postcode = ImportFile.NormalisePostcode(venue.Postcode)!,
            Urn = string.IsNullOrWhiteSpace(venue.Urn) ? null : venue.Urn.Trim(),
        };
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        var areaExists = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM outreach.areas WHERE id = @AreaId)", venue, transaction,
            cancellationToken: cancellationToken));
        if (!areaExists)
        {
            return Outcome<long>.Fail(nameof(NewVenue.AreaId), "Choose an area from the list.");
        }
        if (venue.Urn is not null && await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
                "SELECT EXISTS (SELECT 1 FROM outreach.venues WHERE urn = @Urn)", venue, transaction,
                cancellationToken: cancellationToken)))
        {
            return Outcome<long>.Fail(nameof(NewVenue.Urn), $"A venue with URN {venue.Urn} already exists.");
        }

        var id = await connection.ExecuteScalarAsync<long>(new CommandDefinition("""
            INSERT INTO outreach.venues (kind, name, area_id, address, postcode, urn)
            VALUES (@Kind, @Name, @AreaId, @Address, @Postcode, @Urn)
            RETURNING id
            """, venue, transaction, cancellationToken: cancellationToken));
        await AuditLog.WriteAsync(connection, transaction, actor, "create", "venue", id, null, venue, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return Outcome<long>.Ok(id);
    }
}
