using Dapper;
using Npgsql;
using Outreach.Data.Audit;

namespace Outreach.Data.Workers;

public sealed record WorkerRow(long Id, string FullName, string MobileE164, string? Email, bool Active, bool HasSignIn);

public sealed record NewWorker(string FullName, string MobileE164, string? Email, decimal? HourlyCost);

public sealed class WorkerData(NpgsqlDataSource dataSource)
{
    public async Task<IReadOnlyList<WorkerRow>> ListAsync(string? search, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<WorkerRow>(new CommandDefinition("""
            SELECT id, full_name, mobile_e164, email, active, user_id IS NOT NULL AS has_sign_in
            FROM outreach.youth_workers
            WHERE @search::text IS NULL OR full_name ILIKE '%' || @search || '%'
            ORDER BY active DESC, full_name
            LIMIT 500
            """, new { search = string.IsNullOrWhiteSpace(search) ? null : search.Trim() },
            cancellationToken: cancellationToken));
        return rows.AsList();
    }

    public async Task<WorkerRow?> FindAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<WorkerRow>(new CommandDefinition("""
            SELECT id, full_name, mobile_e164, email, active, user_id IS NOT NULL AS has_sign_in
            FROM outreach.youth_workers WHERE id = @id
            """, new { id }, cancellationToken: cancellationToken));
    }

    public async Task<Outcome<long>> CreateAsync(NewWorker worker, Actor actor, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        if (await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
                "SELECT EXISTS (SELECT 1 FROM outreach.youth_workers WHERE active AND mobile_e164 = @MobileE164)",
                worker, transaction, cancellationToken: cancellationToken)))
        {
            return Outcome<long>.Fail("Mobile", "Another active youth worker already has this mobile number.");
        }
        if (worker.Email is not null && await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
                "SELECT EXISTS (SELECT 1 FROM outreach.youth_workers WHERE lower(email) = lower(@Email))",
                worker, transaction, cancellationToken: cancellationToken)))
        {
            return Outcome<long>.Fail("Email", "Another youth worker already has this email address.");
        }

        var id = await connection.ExecuteScalarAsync<long>(new CommandDefinition("""
            INSERT INTO outreach.youth_workers (full_name, mobile_e164, email, hourly_cost)
            VALUES (@FullName, @MobileE164, @Email, @HourlyCost)
            RETURNING id
            """, worker, transaction, cancellationToken: cancellationToken));
        // The mobile number is personal data: the audit keeps that it was set, not what it is.
        await AuditLog.WriteAsync(connection, transaction, actor, "create", "youth_worker", id, null,
            new { worker.FullName, worker.Email, worker.HourlyCost }, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return Outcome<long>.Ok(id);
    }

    /// <summary>Links a worker to their sign-in account (made when they are invited).</summary>
    public async Task LinkUserAsync(long workerId, long userId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE outreach.youth_workers SET user_id = @userId, updated_at = now() WHERE id = @workerId",
            new { workerId, userId }, cancellationToken: cancellationToken));
    }
}
