using Dapper;
using Npgsql;
using Outreach.Data.Audit;

namespace Outreach.Data.Workers;

public sealed record Skill(long Id, string Name, bool Active, long Workers, long Sessions);

/// <summary>The configurable list of skills (training, languages) that workers have and sessions need.</summary>
public sealed class SkillData(NpgsqlDataSource dataSource)
{
    public async Task<IReadOnlyList<Skill>> ListAsync(bool includeRetired, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<Skill>(new CommandDefinition("""
            SELECT k.id, k.name, k.active,
                   (SELECT count(*) FROM outreach.worker_skills ws WHERE ws.skill_id = k.id) AS workers,
                   (SELECT count(*) FROM outreach.session_required_skills rs WHERE rs.skill_id = k.id) AS sessions
            FROM outreach.skills k
            WHERE @includeRetired OR k.active
            ORDER BY k.active DESC, lower(k.name)
            """, new { includeRetired }, cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <summary>The names of the skills a session needs, for showing on it.</summary>
    public async Task<IReadOnlyList<string>> ForSessionAsync(long sessionId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<string>(new CommandDefinition("""
            SELECT k.name FROM outreach.session_required_skills r JOIN outreach.skills k ON k.id = r.skill_id
            WHERE r.session_id = @sessionId ORDER BY lower(k.name)
            """, new { sessionId }, cancellationToken: cancellationToken));
        return rows.AsList();
    }

    public async Task<Outcome<long>> CreateAsync(string name, Actor actor, CancellationToken cancellationToken)
    {
        name = name.Trim();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var id = await connection.ExecuteScalarAsync<long?>(new CommandDefinition("""
            INSERT INTO outreach.skills (name) VALUES (@name)
            ON CONFLICT (lower(name)) DO NOTHING
            RETURNING id
            """, new { name }, transaction, cancellationToken: cancellationToken));
        if (id is null)
        {
            return Outcome<long>.Fail("Name", "There is already a skill with this name.");
        }
        await AuditLog.WriteAsync(connection, transaction, actor, "create", "skill", id, null, new { name }, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return Outcome<long>.Ok(id.Value);
    }

    public async Task<Outcome<long>> RenameAsync(long id, string name, Actor actor, CancellationToken cancellationToken)
    {
        name = name.Trim();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var before = await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
            "SELECT name FROM outreach.skills WHERE id = @id FOR UPDATE", new { id }, transaction, cancellationToken: cancellationToken));
        if (before is null)
        {
            return Outcome<long>.Fail("Name", "That skill no longer exists.");
        }
        if (await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
                "SELECT EXISTS (SELECT 1 FROM outreach.skills WHERE lower(name) = lower(@name) AND id <> @id)",
                new { id, name }, transaction, cancellationToken: cancellationToken)))
        {
            return Outcome<long>.Fail("Name", "There is already a skill with this name.");
        }
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE outreach.skills SET name = @name, updated_at = now() WHERE id = @id",
            new { id, name }, transaction, cancellationToken: cancellationToken));
        await AuditLog.WriteAsync(connection, transaction, actor, "rename", "skill", id, new { name = before }, new { name }, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return Outcome<long>.Ok(id);
    }

    /// <summary>
    /// Retires a skill (it is no longer offered for new sessions or profiles, but stays on the workers and
    /// sessions that have it) or brings it back.
    /// </summary>
    public async Task<bool> SetActiveAsync(long id, bool active, Actor actor, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var changed = await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE outreach.skills SET active = @active, updated_at = now() WHERE id = @id AND active <> @active",
            new { id, active }, transaction, cancellationToken: cancellationToken));
        if (changed == 0)
        {
            return false;
        }
        await AuditLog.WriteAsync(connection, transaction, actor, active ? "restore" : "retire", "skill", id,
            new { active = !active }, new { active }, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }
}
