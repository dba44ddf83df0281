using System.Text.Json;
using Dapper;
using Npgsql;

namespace Outreach.Data.Audit;

public static class AuditLog
{
    /// <summary>Writes one audit event inside the caller's transaction, so the change and its record land together.</summary>
    public static Task WriteAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, Actor actor,
        string action, string entity, object? entityId, object? before, object? after,
        CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO outreach.audit_events (actor_id, actor_name, remote_ip, action, entity, entity_id, before, after)
            VALUES (@ActorId, @ActorName, @RemoteIp, @Action, @Entity, @EntityId, @Before::jsonb, @After::jsonb)
            """,
            new
            {
                ActorId = actor.UserId,
                ActorName = actor.Name,
                actor.RemoteIp,
                Action = action,
                Entity = entity,
                EntityId = entityId?.ToString(),
                Before = before is null ? null : JsonSerializer.Serialize(before),
                After = after is null ? null : JsonSerializer.Serialize(after),
            },
            transaction, cancellationToken: cancellationToken));

    /// <summary>Records that someone downloaded <paramref name="entity"/> rows matching <paramref name="filter"/>,
    /// before the download starts, so even an interrupted one is on record.</summary>
    public static async Task WriteExportAsync(
        NpgsqlDataSource dataSource, Actor actor, string entity, object filter, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await WriteAsync(connection, transaction, actor, "export", entity, null, null, filter, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }
}
