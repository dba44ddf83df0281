using System.Globalization;
using CsvHelper;
using Dapper;
using Npgsql;

namespace Outreach.Data.Audit;

/// <summary>
/// What an administrator searches the audit log by. Text matches: the actor's name contains the text
/// (case-insensitive); entity, entity id and action match exactly. Days are UK calendar days, both included.
/// </summary>
public sealed record AuditFilter(
    string? Actor = null, string? Entity = null, string? EntityId = null, string? Action = null,
    DateOnly? FromDay = null, DateOnly? ToDay = null);

public sealed record AuditEvent(
    long Id, DateTime OccurredAt, long? ActorId, string ActorName, string? RemoteIp, string Action, string Entity,
    string? EntityId, string? Before, string? After);

public sealed record AuditPage(IReadOnlyList<AuditEvent> Items, int Page, int PageSize, bool HasMore);

/// <summary>The audit log for administrators: searched a page at a time, newest first, and exported as CSV.</summary>
public sealed class AuditQueryData(NpgsqlDataSource dataSource)
{
    public const int PageSize = 50;

    /// <summary>Pages are counted by "more after this one", not a total, so a search stays fast on millions of events.</summary>
    public async Task<AuditPage> SearchAsync(AuditFilter filter, int page, CancellationToken cancellationToken)
    {
        var number = Math.Clamp(page, 1, 100_000);
        var (where, args) = Where(filter);
        args.Add("limit", PageSize + 1);
        args.Add("offset", (number - 1) * PageSize);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = (await connection.QueryAsync<AuditEvent>(new CommandDefinition(
            Select + where + " ORDER BY occurred_at DESC, id DESC LIMIT @limit OFFSET @offset", args,
            cancellationToken: cancellationToken))).AsList();
        var more = rows.Count > PageSize;
        return new AuditPage(more ? rows.GetRange(0, PageSize) : rows, number, PageSize, more);
    }

    /// <summary>
    /// Writes every event the filter matches to <paramref name="output"/> as CSV, newest first, streaming
    /// from the database. The export is audited first, so even an interrupted one is on record.
    /// </summary>
    public async Task WriteCsvAsync(AuditFilter filter, Actor actor, Stream output, CancellationToken cancellationToken)
    {
        await AuditLog.WriteExportAsync(dataSource, actor, "audit_events", filter, cancellationToken);

        var (where, args) = Where(filter);
        await using var reading = await dataSource.OpenConnectionAsync(cancellationToken);
        // Names and JSON typed by users end up here: a value a spreadsheet would run as a formula is escaped.
        await using var csv = CsvWriter.Create(output, CsvWriterOptions.Default with { Injection = CsvInjection.Escape }, leaveOpen: true);
        await csv.WriteRecordAsync(
            ["Event", "When (UTC)", "When (UK time)", "Who", "User id", "From", "What", "Entity", "Entity id", "Before", "After"],
            cancellationToken);
        var rows = reading.QueryUnbufferedAsync<AuditEvent>(Select + where + " ORDER BY occurred_at DESC, id DESC", args);
        await foreach (var e in rows.WithCancellation(cancellationToken))
        {
            await csv.WriteRecordAsync(
            [
                e.Id.ToString(CultureInfo.InvariantCulture),
                DateTime.SpecifyKind(e.OccurredAt, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
                UkTime.Format(e.OccurredAt, "yyyy-MM-dd HH:mm:ss"),
                e.ActorName,
                e.ActorId?.ToString(CultureInfo.InvariantCulture) ?? "",
                e.RemoteIp ?? "",
                e.Action,
                e.Entity,
                e.EntityId ?? "",
                e.Before ?? "",
                e.After ?? "",
            ], cancellationToken);
        }
        await csv.FlushAsync(cancellationToken);
    }

    private const string Select = """
        SELECT id, occurred_at, actor_id, actor_name, remote_ip, action, entity, entity_id, before::text AS before, after::text AS after
        FROM outreach.audit_events
        """;

    // Only the filters given become conditions, so each search gets the plan of its own index.
    private static (string Where, DynamicParameters Args) Where(AuditFilter filter)
    {
        var conditions = new List<string>();
        var args = new DynamicParameters();
        if (SqlText.Given(filter.Actor) is { } actor)
        {
            conditions.Add("actor_name ILIKE '%' || @actor || '%'");
            args.Add("actor", SqlText.EscapeLike(actor));
        }
        if (SqlText.Given(filter.Entity) is { } entity)
        {
            conditions.Add("entity = @entity");
            args.Add("entity", entity);
        }
        if (SqlText.Given(filter.EntityId) is { } entityId)
        {
            conditions.Add("entity_id = @entityId");
            args.Add("entityId", entityId);
        }
        if (SqlText.Given(filter.Action) is { } action)
        {
            conditions.Add("action = @action");
            args.Add("action", action);
        }
        if (filter.FromDay is { } from)
        {
            conditions.Add("occurred_at >= @from");
            args.Add("from", UkTime.StartOfDay(from));
        }
        if (filter.ToDay is { } to)
        {
            conditions.Add("occurred_at < @to");
            args.Add("to", UkTime.StartOfDay(to.AddDays(1)));
        }
        return (conditions.Count == 0 ? "" : " WHERE " + string.Join(" AND ", conditions), args);
    }

}
