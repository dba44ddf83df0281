using System.Globalization;
using Dapper;
using Microsoft.AspNetCore.Identity;
using Npgsql;

namespace Outreach.Data.Identity;

// ASP.NET Core Identity roles over outreach.roles. The table has no concurrency stamp: roles are seeded
// by migration and rarely change, so the last writer wins.
public sealed class RoleStore(NpgsqlDataSource dataSource) : IRoleStore<AppRole>
{
    private const string RoleColumns = "r.id AS Id, r.name AS Name, r.normalized_name AS NormalizedName";

    private static readonly IdentityErrorDescriber Errors = new();

    public async Task<IdentityResult> CreateAsync(AppRole role, CancellationToken cancellationToken)
    {
        const string sql = """
            INSERT INTO outreach.roles (name, normalized_name) VALUES (@Name, @NormalizedName)
            RETURNING id
            """;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            role.Id = await connection.ExecuteScalarAsync<long>(
                new CommandDefinition(sql, new { role.Name, role.NormalizedName }, cancellationToken: cancellationToken));
        }
        catch (PostgresException e) when (IsDuplicateName(e))
        {
            return IdentityResult.Failed(Errors.DuplicateRoleName(role.Name));
        }
        return IdentityResult.Success;
    }

    public async Task<IdentityResult> UpdateAsync(AppRole role, CancellationToken cancellationToken)
    {
        const string sql = """
            UPDATE outreach.roles SET name = @Name, normalized_name = @NormalizedName WHERE id = @Id
            """;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        int rows;
        try
        {
            rows = await connection.ExecuteAsync(
                new CommandDefinition(sql, new { role.Id, role.Name, role.NormalizedName }, cancellationToken: cancellationToken));
        }
        catch (PostgresException e) when (IsDuplicateName(e))
        {
            return IdentityResult.Failed(Errors.DuplicateRoleName(role.Name));
        }
        // The role was deleted under us; Identity's EF store reports the same.
        return rows == 0 ? IdentityResult.Failed(Errors.ConcurrencyFailure()) : IdentityResult.Success;
    }

    public async Task<IdentityResult> DeleteAsync(AppRole role, CancellationToken cancellationToken)
    {
        const string sql = "DELETE FROM outreach.roles WHERE id = @Id";
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.ExecuteAsync(
            new CommandDefinition(sql, new { role.Id }, cancellationToken: cancellationToken));
        return rows == 0 ? IdentityResult.Failed(Errors.ConcurrencyFailure()) : IdentityResult.Success;
    }

    public async Task<AppRole?> FindByIdAsync(string roleId, CancellationToken cancellationToken)
    {
        if (!long.TryParse(roleId, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
        {
            return null;
        }
        const string sql = $"SELECT {RoleColumns} FROM outreach.roles r WHERE r.id = @id";
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<AppRole>(
            new CommandDefinition(sql, new { id }, cancellationToken: cancellationToken));
    }

    public async Task<AppRole?> FindByNameAsync(string normalizedRoleName, CancellationToken cancellationToken)
    {
        const string sql = $"SELECT {RoleColumns} FROM outreach.roles r WHERE r.normalized_name = @normalizedRoleName";
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<AppRole>(
            new CommandDefinition(sql, new { normalizedRoleName }, cancellationToken: cancellationToken));
    }

    public Task<string> GetRoleIdAsync(AppRole role, CancellationToken cancellationToken) =>
        Task.FromResult(role.Id.ToString(CultureInfo.InvariantCulture));

    public Task<string?> GetRoleNameAsync(AppRole role, CancellationToken cancellationToken) =>
        Task.FromResult<string?>(role.Name);

    // A null name becomes empty so that RoleManager's validator reports it instead of the NOT NULL column.
    public Task SetRoleNameAsync(AppRole role, string? roleName, CancellationToken cancellationToken)
    {
        role.Name = roleName ?? "";
        return Task.CompletedTask;
    }

    public Task<string?> GetNormalizedRoleNameAsync(AppRole role, CancellationToken cancellationToken) =>
        Task.FromResult<string?>(role.NormalizedName);

    public Task SetNormalizedRoleNameAsync(AppRole role, string? normalizedName, CancellationToken cancellationToken)
    {
        role.NormalizedName = normalizedName ?? "";
        return Task.CompletedTask;
    }

    // Nothing to release: connections are per operation and the data source belongs to the container.
    public void Dispose()
    {
    }

    private static bool IsDuplicateName(PostgresException e) =>
        e.SqlState == PostgresErrorCodes.UniqueViolation && e.ConstraintName == "roles_normalized_name_key";
}
