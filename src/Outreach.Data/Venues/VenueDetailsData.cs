using Dapper;
using Npgsql;
using Outreach.Data.Audit;

namespace Outreach.Data.Venues;

public static class ContactRoles
{
    public const string SafeguardingLead = "safeguarding_lead";
    public const string Main = "main";
    public const string Reception = "reception";
    public const string Other = "other";

    public static readonly IReadOnlyDictionary<string, string> Labels = new Dictionary<string, string>
    {
        [SafeguardingLead] = "Designated safeguarding lead",
        [Main] = "Main contact",
        [Reception] = "Reception or site office",
        [Other] = "Other",
    };
}

public sealed record VenueDetails(
    long Id, string Kind, string Name, long AreaId, string AreaName, string Region, string Address, string Postcode,
    string Phone, string Website, string AccessNotes, string Status, string? Urn, string? OdsCode, int? Pupils,
    string? EstablishmentType, string? Phase, decimal? PercentageFsm, string? LsoaCode, DateTime? OpenedOn,
    DateTime? ClosedOn, string Source, DateTime? ImportedAt, DateTime UpdatedAt);

public sealed record VenueContact(long Id, long VenueId, string Role, string Name, string JobTitle, string? Email, string? Phone);

/// <summary>A coordinator's changes to a venue; <see cref="ExpectedUpdatedAt"/> is when the form was loaded.</summary>
public sealed record VenueEdit(
    string Name, long AreaId, string Address, string Postcode, string Phone, string AccessNotes, string Status,
    DateTime ExpectedUpdatedAt);

public sealed record ContactInput(string Role, string Name, string JobTitle, string? Email, string? Phone);

/// <summary>One venue's details, the coordinator's edits to them, and its contacts.</summary>
public sealed class VenueDetailsData(NpgsqlDataSource dataSource, TimeProvider clock)
{
    private const string SelectVenue = """
        SELECT v.id, v.kind, v.name, v.area_id, a.name AS area_name, a.region, v.address, v.postcode, v.phone,
               v.website, v.access_notes, v.status, v.urn, v.ods_code, v.pupils, v.establishment_type, v.phase,
               v.percentage_fsm, v.lsoa_code, v.opened_on::timestamp AS opened_on, v.closed_on::timestamp AS closed_on,
               v.source, v.imported_at, v.updated_at
        FROM outreach.venues v JOIN outreach.areas a ON a.id = v.area_id
        WHERE v.id = @id
        """;

    public async Task<VenueDetails?> GetAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<VenueDetails>(new CommandDefinition(
            SelectVenue, new { id }, cancellationToken: cancellationToken));
    }

    public async Task<IReadOnlyList<VenueContact>> ContactsAsync(long venueId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<VenueContact>(new CommandDefinition("""
            SELECT id, venue_id, role, name, job_title, email, phone
            FROM outreach.venue_contacts
            WHERE venue_id = @venueId
            ORDER BY array_position(ARRAY['safeguarding_lead', 'main', 'reception', 'other'], role), name, id
            """, new { venueId }, cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <summary>
    /// Changes a venue by <see cref="VenueRules"/>, tidying what it stores; refuses ("" field) a venue changed since
    /// <see cref="VenueEdit.ExpectedUpdatedAt"/>. Closing it stamps the day it closed.
    /// </summary>
    public async Task<Outcome<bool>> UpdateAsync(long id, VenueEdit edit, Actor actor, CancellationToken cancellationToken)
    {
        var errors = VenueRules.CheckEdit(edit.Name, edit.Address, edit.Postcode, edit.Phone, edit.AccessNotes, edit.Status);
        if (errors.Count > 0)
        {
            return new Outcome<bool>(false, errors);
        }
        edit = edit with
        {
            Name = ImportFile.Tidy(edit.Name), Address = ImportFile.Tidy(edit.Address), Postcode = ImportFile.NormalisePostcode(edit.Postcode)!,
            Phone = ImportFile.Tidy(edit.Phone), AccessNotes = (edit.AccessNotes ?? "").Trim(),
        };
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var before = await connection.QuerySingleOrDefaultAsync<VenueDetails>(new CommandDefinition(
            SelectVenue + " FOR UPDATE OF v", new { id }, transaction, cancellationToken: cancellationToken));
        if (before is null)
        {
            return Outcome<bool>.Fail("", "That venue does not exist.");
        }
        if (before.UpdatedAt != edit.ExpectedUpdatedAt)
        {
            return Outcome<bool>.Fail("", "Someone else changed this venue while you were editing it. Your changes were not saved: check the details below and make them again.");
        }
        if (!await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
                "SELECT EXISTS (SELECT 1 FROM outreach.areas WHERE id = @AreaId)", edit, transaction,
                cancellationToken: cancellationToken)))
        {
            return Outcome<bool>.Fail(nameof(VenueEdit.AreaId), "Choose an area from the list.");
        }

        var today = DateOnly.FromDateTime(UkTime.ToLocal(clock.GetUtcNow()).DateTime);
        await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE outreach.venues
               SET name = @Name, area_id = @AreaId, address = @Address, postcode = @Postcode, phone = @Phone,
                   access_notes = @AccessNotes, status = @Status,
                   closed_on = CASE WHEN @Status = 'open' THEN NULL
                                    WHEN status = 'closed' THEN closed_on
                                    ELSE @today::date END,
                   updated_at = @now
             WHERE id = @id
            """, new
        {
            id, edit.Name, edit.AreaId, edit.Address, edit.Postcode, edit.Phone, edit.AccessNotes, edit.Status,
            today = today.ToDateTime(TimeOnly.MinValue), now = clock.GetUtcNow(),
        }, transaction, cancellationToken: cancellationToken));
        var after = await connection.QuerySingleAsync<VenueDetails>(new CommandDefinition(
            SelectVenue, new { id }, transaction, cancellationToken: cancellationToken));
        await AuditLog.WriteAsync(connection, transaction, actor, before.Status != after.Status && after.Status == "closed" ? "close" : "update",
            "venue", id, before, after, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return Outcome<bool>.Ok(true);
    }

    public async Task<VenueContact?> ContactAsync(long venueId, long contactId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<VenueContact>(new CommandDefinition("""
            SELECT id, venue_id, role, name, job_title, email, phone
            FROM outreach.venue_contacts WHERE id = @contactId AND venue_id = @venueId
            """, new { venueId, contactId }, cancellationToken: cancellationToken));
    }

    /// <summary>Adds a contact (<paramref name="contactId"/> null) or changes one of this venue's contacts.</summary>
    public async Task<Outcome<long>> SaveContactAsync(
        long venueId, long? contactId, ContactInput contact, Actor actor, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // Locking the venue makes two coordinators adding a safeguarding lead at once take turns.
        if (await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
                "SELECT id FROM outreach.venues WHERE id = @venueId FOR NO KEY UPDATE", new { venueId },
                transaction, cancellationToken: cancellationToken)) is null)
        {
            return Outcome<long>.Fail("", "That venue does not exist.");
        }
        if (contact.Role == ContactRoles.SafeguardingLead)
        {
            var lead = await connection.QuerySingleOrDefaultAsync<string?>(new CommandDefinition("""
                SELECT name FROM outreach.venue_contacts
                WHERE venue_id = @venueId AND role = 'safeguarding_lead' AND id IS DISTINCT FROM @contactId
                """, new { venueId, contactId }, transaction, cancellationToken: cancellationToken));
            if (lead is not null)
            {
                return Outcome<long>.Fail(nameof(ContactInput.Role),
                    $"This venue already has a designated safeguarding lead ({lead}). Change that contact instead, or remove it first.");
            }
        }

        var now = clock.GetUtcNow();
        long id;
        VenueContact? before = null;
        if (contactId is null)
        {
            id = await connection.ExecuteScalarAsync<long>(new CommandDefinition("""
                INSERT INTO outreach.venue_contacts (venue_id, role, name, job_title, email, phone, created_at, updated_at)
                VALUES (@venueId, @Role, @Name, @JobTitle, @Email, @Phone, @now, @now)
                RETURNING id
                """, new { venueId, contact.Role, contact.Name, contact.JobTitle, contact.Email, contact.Phone, now },
                transaction, cancellationToken: cancellationToken));
        }
        else
        {
            before = await connection.QuerySingleOrDefaultAsync<VenueContact>(new CommandDefinition("""
                SELECT id, venue_id, role, name, job_title, email, phone
                FROM outreach.venue_contacts WHERE id = @contactId AND venue_id = @venueId FOR UPDATE
                """, new { venueId, contactId }, transaction, cancellationToken: cancellationToken));
            if (before is null)
            {
                return Outcome<long>.Fail("", "That contact does not exist.");
            }
            id = before.Id;
            await connection.ExecuteAsync(new CommandDefinition("""
                UPDATE outreach.venue_contacts
                   SET role = @Role, name = @Name, job_title = @JobTitle, email = @Email, phone = @Phone, updated_at = @now
                 WHERE id = @id AND venue_id = @venueId
                """, new { id, venueId, contact.Role, contact.Name, contact.JobTitle, contact.Email, contact.Phone, now },
                transaction, cancellationToken: cancellationToken));
        }
        var after = new VenueContact(id, venueId, contact.Role, contact.Name, contact.JobTitle, contact.Email, contact.Phone);
        await AuditLog.WriteAsync(connection, transaction, actor, before is null ? "create" : "update", "venue_contact", id,
            before, after, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return Outcome<long>.Ok(id);
    }

    public async Task<bool> RemoveContactAsync(long venueId, long contactId, Actor actor, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var removed = await connection.QuerySingleOrDefaultAsync<VenueContact>(new CommandDefinition("""
            DELETE FROM outreach.venue_contacts WHERE id = @contactId AND venue_id = @venueId
            RETURNING id, venue_id, role, name, job_title, email, phone
            """, new { venueId, contactId }, transaction, cancellationToken: cancellationToken));
        if (removed is null)
        {
            return false;
        }
        await AuditLog.WriteAsync(connection, transaction, actor, "delete", "venue_contact", contactId, removed, null, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }
}
