using Dapper;
using Npgsql;
using Outreach.Data.Audit;

namespace Outreach.Data.Safeguarding;

public sealed record ConcernRow(
    long Id, long SessionId, string SessionTitle, string SessionKind, string VenueName, DateTime SessionStartsAt,
    DateTime RaisedAt, string? RaisedBy, string Status, DateTime? HandedOverAt, DateTime? DetailsRemovedAt);

public sealed record ConcernDetail(
    long Id, long SessionId, string SessionTitle, string SessionKind, long VenueId, string VenueName, DateTime SessionStartsAt,
    DateTime RaisedAt, string? RaisedBy, string? Details, string Status, string? HandedOverTo, DateTime? HandedOverAt,
    DateTime? AcknowledgedAt, DateTime? ClosedAt, DateTime? DetailsRemovedAt);

/// <summary>The venue's designated safeguarding lead, as the venue's contacts list has them.</summary>
public sealed record SafeguardingLead(string Name, string JobTitle, string? Email, string? Phone)
{
    public string Describe() => string.Join(", ", new[] { Name, JobTitle, Phone, Email }.Where(p => !string.IsNullOrWhiteSpace(p)));
}

public static class ConcernStatuses
{
    public static string Label(string status) => status switch
    {
        "open" => "Open",
        "handed_over" => "Handed over",
        "acknowledged" => "Acknowledged by the venue",
        "closed" => "Closed",
        _ => status,
    };
}

/// <summary>
/// Safeguarding concerns for coordinators and administrators only. Every read of a concern's details is an
/// audit event, like every change: who looked at what a worker reported about a child is itself a record.
/// A concern's details are removed by the retention job a while after the venue's safeguarding lead took it on
/// (<c>Details</c> null, <c>DetailsRemovedAt</c> set); the rest of the row stays.
/// </summary>
public sealed class SafeguardingData(NpgsqlDataSource dataSource, TimeProvider clock)
{
    public async Task<IReadOnlyList<ConcernRow>> ListAsync(bool includeClosed, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<ConcernRow>(new CommandDefinition("""
            SELECT c.id, c.session_id, s.title AS session_title, s.kind AS session_kind, v.name AS venue_name,
                   s.starts_at AS session_starts_at, c.raised_at, u.display_name AS raised_by, c.status, c.handed_over_at,
                   c.details_removed_at
            FROM outreach.safeguarding_concerns c
            JOIN outreach.sessions s ON s.id = c.session_id
            JOIN outreach.venues v ON v.id = s.venue_id
            LEFT JOIN outreach.users u ON u.id = c.raised_by_user_id
            WHERE @includeClosed OR c.status <> 'closed'
            ORDER BY (c.status = 'closed'), c.raised_at DESC
            LIMIT 500
            """, new { includeClosed }, cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <summary>The concern with its details; the read is audited in the same transaction.</summary>
    public async Task<(ConcernDetail Concern, SafeguardingLead? Lead)?> ReadAsync(long id, Actor actor, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var concern = await connection.QuerySingleOrDefaultAsync<ConcernDetail>(new CommandDefinition("""
            SELECT c.id, c.session_id, s.title AS session_title, s.kind AS session_kind, v.id AS venue_id, v.name AS venue_name,
                   s.starts_at AS session_starts_at, c.raised_at, u.display_name AS raised_by, c.details, c.status,
                   c.handed_over_to, c.handed_over_at, c.acknowledged_at, c.closed_at, c.details_removed_at
            FROM outreach.safeguarding_concerns c
            JOIN outreach.sessions s ON s.id = c.session_id
            JOIN outreach.venues v ON v.id = s.venue_id
            LEFT JOIN outreach.users u ON u.id = c.raised_by_user_id
            WHERE c.id = @id
            """, new { id }, transaction, cancellationToken: cancellationToken));
        if (concern is null)
        {
            return null;
        }
        var lead = await connection.QuerySingleOrDefaultAsync<SafeguardingLead>(new CommandDefinition("""
            SELECT name, job_title, email, phone FROM outreach.venue_contacts WHERE venue_id = @VenueId AND role = 'safeguarding_lead'
            """, new { concern.VenueId }, transaction, cancellationToken: cancellationToken));
        await AuditLog.WriteAsync(connection, transaction, actor, "read", "safeguarding_concern", id, null, null, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return (concern, lead);
    }

    /// <summary>Records that the concern was passed to the venue's safeguarding lead (named in <paramref name="handedOverTo"/>).</summary>
    public Task<Outcome<bool>> HandOverAsync(long id, string handedOverTo, Actor actor, CancellationToken cancellationToken) =>
        ChangeAsync(id, actor, "hand_over", """
            UPDATE outreach.safeguarding_concerns
               SET status = 'handed_over', handed_over_to = @text, handed_over_at = @now, acknowledged_at = NULL, updated_at = @now
             WHERE id = @id AND status IN ('open', 'handed_over')
            """, handedOverTo, "This concern is already acknowledged or closed.", cancellationToken);

    public Task<Outcome<bool>> AcknowledgeAsync(long id, Actor actor, CancellationToken cancellationToken) =>
        ChangeAsync(id, actor, "acknowledge", """
            UPDATE outreach.safeguarding_concerns SET status = 'acknowledged', acknowledged_at = @now, updated_at = @now
             WHERE id = @id AND status = 'handed_over'
            """, null, "Record the handover before the venue's acknowledgement.", cancellationToken);

    public Task<Outcome<bool>> CloseAsync(long id, Actor actor, CancellationToken cancellationToken) =>
        ChangeAsync(id, actor, "close", """
            UPDATE outreach.safeguarding_concerns SET status = 'closed', closed_at = @now, updated_at = @now
             WHERE id = @id AND status <> 'closed'
            """, null, "This concern is already closed.", cancellationToken);

    private sealed record ConcernState(string Status, string? HandedOverTo, DateTime? HandedOverAt, DateTime? AcknowledgedAt, DateTime? ClosedAt);

    private async Task<Outcome<bool>> ChangeAsync(
        long id, Actor actor, string action, string sql, string? text, string refusal, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        const string State = """
            SELECT status, handed_over_to, handed_over_at, acknowledged_at, closed_at
            FROM outreach.safeguarding_concerns WHERE id = @id
            """;
        var before = await connection.QuerySingleOrDefaultAsync<ConcernState>(new CommandDefinition(
            State + " FOR UPDATE", new { id }, transaction, cancellationToken: cancellationToken));
        if (before is null)
        {
            return Outcome<bool>.Fail("", "Concern not found.");
        }
        var changed = await connection.ExecuteAsync(new CommandDefinition(sql,
            new { id, text, now = clock.GetUtcNow().UtcDateTime }, transaction, cancellationToken: cancellationToken));
        if (changed == 0)
        {
            return Outcome<bool>.Fail("Status", refusal);
        }
        var after = await connection.QuerySingleAsync<ConcernState>(new CommandDefinition(
            State, new { id }, transaction, cancellationToken: cancellationToken));
        await AuditLog.WriteAsync(connection, transaction, actor, action, "safeguarding_concern", id, before, after, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return Outcome<bool>.Ok(true);
    }
}
