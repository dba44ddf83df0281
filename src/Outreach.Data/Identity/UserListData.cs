using Dapper;
using Npgsql;

namespace Outreach.Data.Identity;

public sealed record UserItem(
    long Id, string? Email, string DisplayName, string Roles, bool TwoFactorEnabled,
    DateTime? LockoutEnd, long? WorkerId, string? WorkerName);

/// <summary>Sign-in accounts with their roles (comma-separated) and linked youth worker, for the administrators' user list.</summary>
public sealed class UserListData(NpgsqlDataSource dataSource)
{
    public const int Limit = 200;

    public async Task<IReadOnlyList<UserItem>> ListAsync(string? search, CancellationToken cancellationToken)
    {
        var args = new { search = string.IsNullOrWhiteSpace(search) ? null : search.Trim(), limit = Limit };
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<UserItem>(new CommandDefinition("""
            SELECT u.id, u.email, u.display_name,
                   coalesce((SELECT string_agg(r.name, ', ' ORDER BY r.name)
                             FROM outreach.user_roles ur JOIN outreach.roles r ON r.id = ur.role_id
                             WHERE ur.user_id = u.id), '') AS roles,
                   u.two_factor_enabled, u.lockout_end, w.id AS worker_id, w.full_name AS worker_name
            FROM outreach.users u
            LEFT JOIN outreach.youth_workers w ON w.user_id = u.id
            WHERE @search::text IS NULL
               OR u.email ILIKE '%' || @search || '%'
               OR u.display_name ILIKE '%' || @search || '%'
               OR w.full_name ILIKE '%' || @search || '%'
            ORDER BY lower(coalesce(u.email, u.user_name)), u.id
            LIMIT @limit
            """, args, cancellationToken: cancellationToken));
        return rows.AsList();
    }
}
