using System.Security.Cryptography;
using System.Text;
using Dapper;
using Npgsql;
using Outreach.Data.Audit;

namespace Outreach.Data.ApiKeys;

public sealed record ApiKeyRow(long Id, string Name, string Role, string Prefix, DateTime CreatedAt, DateTime? LastUsedAt, DateTime? RevokedAt);

/// <param name="NewAddress">This is the key's first use from this source address (recorded as a security event).</param>
public sealed record ApiKeyIdentity(long Id, string Name, string Role, bool NewAddress);

/// <summary>
/// API keys look like <c>ork_PREFIX_SECRET</c>. The prefix finds the row; the SHA-256 of the whole key
/// is compared in constant time. Keys are long random strings, so a fast hash is enough.
/// </summary>
public sealed class ApiKeyData(NpgsqlDataSource dataSource, TimeProvider clock)
{
    public static readonly IReadOnlyList<string> Roles = [Identity.Roles.Administrator, Identity.Roles.Coordinator, Identity.Roles.Commissioner];

    /// <returns>The new key, to show once.</returns>
    public async Task<Outcome<string>> CreateAsync(string name, string role, Actor actor, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > 100)
        {
            return Outcome<string>.Fail("Name", "Give the key a name of up to 100 characters (who or what uses it).");
        }
        if (!Roles.Contains(role))
        {
            return Outcome<string>.Fail("Role", "Choose the role the key acts as.");
        }
        var prefix = Token(6);
        var key = $"ork_{prefix}_{Token(24)}";
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var id = await connection.ExecuteScalarAsync<long>(new CommandDefinition("""
            INSERT INTO outreach.api_keys (name, role, prefix, key_hash, created_by)
            VALUES (@name, @role, @prefix, @hash, @createdBy) RETURNING id
            """, new { name = name.Trim(), role, prefix, hash = Hash(key), createdBy = actor.UserId }, transaction,
            cancellationToken: cancellationToken));
        await AuditLog.WriteAsync(connection, transaction, actor, Identity.SecurityEvents.ApiKeyCreated, Identity.SecurityEvents.Entity, id, null,
            new { name, role, prefix }, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return Outcome<string>.Ok(key);
    }

    public async Task<bool> RevokeAsync(long id, Actor actor, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var rows = await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE outreach.api_keys SET revoked_at = @now WHERE id = @id AND revoked_at IS NULL",
            new { id, now = clock.GetUtcNow().UtcDateTime }, transaction, cancellationToken: cancellationToken));
        if (rows == 1)
        {
            await AuditLog.WriteAsync(connection, transaction, actor, Identity.SecurityEvents.ApiKeyRevoked, Identity.SecurityEvents.Entity, id, null, null, cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return rows == 1;
    }

    public async Task<IReadOnlyList<ApiKeyRow>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<ApiKeyRow>(new CommandDefinition(
            "SELECT id, name, role, prefix, created_at, last_used_at, revoked_at FROM outreach.api_keys ORDER BY revoked_at NULLS FIRST, id DESC",
            cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <returns>Who the key belongs to, or null for an unknown, malformed or revoked key.</returns>
    /// <param name="source">Where the request comes from; the first use from each address is put in the audit log.</param>
    public async Task<ApiKeyIdentity?> AuthenticateAsync(string key, string source, CancellationToken cancellationToken)
    {
        var parts = key.Split('_');
        if (parts is not ["ork", { Length: 8 } prefix, { Length: 32 }])
        {
            return null;
        }
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<StoredKey>(new CommandDefinition(
            "SELECT id, name, role, key_hash FROM outreach.api_keys WHERE prefix = @prefix AND revoked_at IS NULL",
            new { prefix }, cancellationToken: cancellationToken));
        if (row is null || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(row.KeyHash), Encoding.ASCII.GetBytes(Hash(key))))
        {
            return null;
        }
        var now = clock.GetUtcNow().UtcDateTime;
        var newAddress = await connection.ExecuteScalarAsync<bool>(new CommandDefinition("""
            UPDATE outreach.api_keys SET last_used_at = @now WHERE id = @id AND (last_used_at IS NULL OR last_used_at < @now - interval '1 minute');
            WITH seen AS (
                INSERT INTO outreach.api_key_addresses (api_key_id, address, first_seen_at) VALUES (@id, @source, @now)
                ON CONFLICT DO NOTHING RETURNING 1)
            SELECT EXISTS (SELECT 1 FROM seen)
            """, new { row.Id, source, now }, cancellationToken: cancellationToken));
        if (newAddress)
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await AuditLog.WriteAsync(connection, transaction, new Actor(null, "api-key:" + row.Name, source), Identity.SecurityEvents.ApiKeyNewAddress,
                Identity.SecurityEvents.Entity, row.Id, null, new { key = row.Name }, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        return new ApiKeyIdentity(row.Id, row.Name, row.Role, newAddress);
    }

    private sealed record StoredKey(long Id, string Name, string Role, string KeyHash);

    private static string Hash(string key) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    // Base64url of random bytes, trimmed to the length asked for, without '_' so the key splits cleanly.
    private static string Token(int bytes) =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(bytes)).Replace('+', '-').Replace('/', '-').TrimEnd('=');
}
