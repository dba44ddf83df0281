using System.Globalization;
using Dapper;
using Microsoft.AspNetCore.Identity;
using Npgsql;

namespace Outreach.Data.Identity;

// ASP.NET Core Identity over outreach.users, user_roles and user_tokens.
// The Set*/Increment* methods only change the object: UserManager follows them with UpdateAsync, which
// writes the whole row guarded by the concurrency stamp. Role and token changes are rows of their own
// and are written at once, as UserManager expects of a store without a unit of work.
public sealed class UserStore(NpgsqlDataSource dataSource) :
    IUserPasswordStore<AppUser>,
    IUserSecurityStampStore<AppUser>,
    IUserEmailStore<AppUser>,
    IUserRoleStore<AppUser>,
    IUserLockoutStore<AppUser>,
    IUserTwoFactorStore<AppUser>,
    IUserAuthenticatorKeyStore<AppUser>,
    IUserTwoFactorRecoveryCodeStore<AppUser>
{
    // The same provider and token names as Identity's own UserStoreBase, so its conventions carry over.
    private const string InternalLoginProvider = "[AspNetUserStore]";
    private const string AuthenticatorKeyTokenName = "AuthenticatorKey";
    private const string RecoveryCodeTokenName = "RecoveryCodes";

    private const string UserColumns = """
        u.id AS Id, u.user_name AS UserName, u.normalized_user_name AS NormalizedUserName,
        u.email AS Email, u.normalized_email AS NormalizedEmail, u.email_confirmed AS EmailConfirmed,
        u.display_name AS DisplayName, u.password_hash AS PasswordHash, u.security_stamp AS SecurityStamp,
        u.concurrency_stamp AS ConcurrencyStamp, u.two_factor_enabled AS TwoFactorEnabled,
        u.lockout_end AS LockoutEnd, u.lockout_enabled AS LockoutEnabled,
        u.access_failed_count AS AccessFailedCount
        """;

    private static readonly IdentityErrorDescriber Errors = new();

    public async Task<IdentityResult> CreateAsync(AppUser user, CancellationToken cancellationToken)
    {
        const string sql = """
            INSERT INTO outreach.users (
                user_name, normalized_user_name, email, normalized_email, email_confirmed, display_name,
                password_hash, security_stamp, concurrency_stamp, two_factor_enabled,
                lockout_end, lockout_enabled, access_failed_count)
            VALUES (
                @UserName, @NormalizedUserName, @Email, @NormalizedEmail, @EmailConfirmed, @DisplayName,
                @PasswordHash, @SecurityStamp, @ConcurrencyStamp, @TwoFactorEnabled,
                @LockoutEnd, @LockoutEnabled, @AccessFailedCount)
            RETURNING id
            """;
        var stamp = user.ConcurrencyStamp ?? NewStamp();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            user.Id = await connection.ExecuteScalarAsync<long>(
                new CommandDefinition(sql, Parameters(user, stamp, previousStamp: null), cancellationToken: cancellationToken));
        }
        catch (PostgresException e) when (DuplicateError(e, user) is { } error)
        {
            return IdentityResult.Failed(error);
        }
        user.ConcurrencyStamp = stamp;
        return IdentityResult.Success;
    }

    public async Task<IdentityResult> UpdateAsync(AppUser user, CancellationToken cancellationToken)
    {
        const string sql = """
            UPDATE outreach.users
            SET user_name = @UserName, normalized_user_name = @NormalizedUserName,
                email = @Email, normalized_email = @NormalizedEmail, email_confirmed = @EmailConfirmed,
                display_name = @DisplayName, password_hash = @PasswordHash, security_stamp = @SecurityStamp,
                concurrency_stamp = @ConcurrencyStamp, two_factor_enabled = @TwoFactorEnabled,
                lockout_end = @LockoutEnd, lockout_enabled = @LockoutEnabled,
                access_failed_count = @AccessFailedCount
            WHERE id = @Id AND concurrency_stamp IS NOT DISTINCT FROM @PreviousStamp
            """;
        // The object keeps its old stamp until the row is written, so a failed update can be told apart
        // from a stale copy and retried after reloading.
        var stamp = NewStamp();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        int rows;
        try
        {
            rows = await connection.ExecuteAsync(
                new CommandDefinition(sql, Parameters(user, stamp, user.ConcurrencyStamp), cancellationToken: cancellationToken));
        }
        catch (PostgresException e) when (DuplicateError(e, user) is { } error)
        {
            return IdentityResult.Failed(error);
        }
        if (rows == 0)
        {
            return IdentityResult.Failed(Errors.ConcurrencyFailure());
        }
        user.ConcurrencyStamp = stamp;
        return IdentityResult.Success;
    }

    public async Task<IdentityResult> DeleteAsync(AppUser user, CancellationToken cancellationToken)
    {
        const string sql = """
            DELETE FROM outreach.users
            WHERE id = @Id AND concurrency_stamp IS NOT DISTINCT FROM @ConcurrencyStamp
            """;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.ExecuteAsync(
            new CommandDefinition(sql, new { user.Id, user.ConcurrencyStamp }, cancellationToken: cancellationToken));
        return rows == 0 ? IdentityResult.Failed(Errors.ConcurrencyFailure()) : IdentityResult.Success;
    }

    public async Task<AppUser?> FindByIdAsync(string userId, CancellationToken cancellationToken)
    {
        if (!long.TryParse(userId, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
        {
            return null;
        }
        const string sql = $"""
            SELECT {UserColumns} FROM outreach.users u WHERE u.id = @id
            """;
        return await FindOneAsync(sql, new { id }, cancellationToken);
    }

    public Task<AppUser?> FindByNameAsync(string normalizedUserName, CancellationToken cancellationToken)
    {
        const string sql = $"""
            SELECT {UserColumns} FROM outreach.users u WHERE u.normalized_user_name = @normalizedUserName
            """;
        return FindOneAsync(sql, new { normalizedUserName }, cancellationToken);
    }

    public Task<AppUser?> FindByEmailAsync(string normalizedEmail, CancellationToken cancellationToken)
    {
        const string sql = $"""
            SELECT {UserColumns} FROM outreach.users u WHERE u.normalized_email = @normalizedEmail
            """;
        return FindOneAsync(sql, new { normalizedEmail }, cancellationToken);
    }

    public Task<string> GetUserIdAsync(AppUser user, CancellationToken cancellationToken) =>
        Task.FromResult(user.Id.ToString(CultureInfo.InvariantCulture));

    public Task<string?> GetUserNameAsync(AppUser user, CancellationToken cancellationToken) =>
        Task.FromResult<string?>(user.UserName);

    // A null name becomes empty so that UserManager's validator reports it instead of the NOT NULL column.
    public Task SetUserNameAsync(AppUser user, string? userName, CancellationToken cancellationToken)
    {
        user.UserName = userName ?? "";
        return Task.CompletedTask;
    }

    public Task<string?> GetNormalizedUserNameAsync(AppUser user, CancellationToken cancellationToken) =>
        Task.FromResult<string?>(user.NormalizedUserName);

    public Task SetNormalizedUserNameAsync(AppUser user, string? normalizedName, CancellationToken cancellationToken)
    {
        user.NormalizedUserName = normalizedName ?? "";
        return Task.CompletedTask;
    }

    public Task SetPasswordHashAsync(AppUser user, string? passwordHash, CancellationToken cancellationToken)
    {
        user.PasswordHash = passwordHash;
        return Task.CompletedTask;
    }

    public Task<string?> GetPasswordHashAsync(AppUser user, CancellationToken cancellationToken) =>
        Task.FromResult(user.PasswordHash);

    public Task<bool> HasPasswordAsync(AppUser user, CancellationToken cancellationToken) =>
        Task.FromResult(user.PasswordHash is not null);

    public Task SetSecurityStampAsync(AppUser user, string stamp, CancellationToken cancellationToken)
    {
        user.SecurityStamp = stamp;
        return Task.CompletedTask;
    }

    public Task<string?> GetSecurityStampAsync(AppUser user, CancellationToken cancellationToken) =>
        Task.FromResult(user.SecurityStamp);

    public Task SetEmailAsync(AppUser user, string? email, CancellationToken cancellationToken)
    {
        user.Email = email;
        return Task.CompletedTask;
    }

    public Task<string?> GetEmailAsync(AppUser user, CancellationToken cancellationToken) =>
        Task.FromResult(user.Email);

    public Task<bool> GetEmailConfirmedAsync(AppUser user, CancellationToken cancellationToken) =>
        Task.FromResult(user.EmailConfirmed);

    public Task SetEmailConfirmedAsync(AppUser user, bool confirmed, CancellationToken cancellationToken)
    {
        user.EmailConfirmed = confirmed;
        return Task.CompletedTask;
    }

    public Task<string?> GetNormalizedEmailAsync(AppUser user, CancellationToken cancellationToken) =>
        Task.FromResult(user.NormalizedEmail);

    public Task SetNormalizedEmailAsync(AppUser user, string? normalizedEmail, CancellationToken cancellationToken)
    {
        user.NormalizedEmail = normalizedEmail;
        return Task.CompletedTask;
    }

    // UserManager passes role names already normalized.
    public async Task AddToRoleAsync(AppUser user, string roleName, CancellationToken cancellationToken)
    {
        const string sql = """
            WITH role AS (
                SELECT id FROM outreach.roles WHERE normalized_name = @roleName
            ), added AS (
                INSERT INTO outreach.user_roles (user_id, role_id)
                SELECT @userId, id FROM role
                ON CONFLICT DO NOTHING
            )
            SELECT count(*) FROM role
            """;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var found = await connection.ExecuteScalarAsync<long>(
            new CommandDefinition(sql, new { userId = user.Id, roleName }, cancellationToken: cancellationToken));
        if (found == 0)
        {
            // As Identity's own store does: adding to a role that does not exist is a programming error.
            throw new InvalidOperationException($"Role {roleName} does not exist.");
        }
    }

    public async Task RemoveFromRoleAsync(AppUser user, string roleName, CancellationToken cancellationToken)
    {
        const string sql = """
            DELETE FROM outreach.user_roles ur
            USING outreach.roles r
            WHERE r.id = ur.role_id AND ur.user_id = @userId AND r.normalized_name = @roleName
            """;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(
            new CommandDefinition(sql, new { userId = user.Id, roleName }, cancellationToken: cancellationToken));
    }

    public async Task<IList<string>> GetRolesAsync(AppUser user, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT r.name
            FROM outreach.user_roles ur
            JOIN outreach.roles r ON r.id = ur.role_id
            WHERE ur.user_id = @userId
            ORDER BY r.name
            """;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var names = await connection.QueryAsync<string>(
            new CommandDefinition(sql, new { userId = user.Id }, cancellationToken: cancellationToken));
        return names.AsList();
    }

    public async Task<bool> IsInRoleAsync(AppUser user, string roleName, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT EXISTS (
                SELECT 1
                FROM outreach.user_roles ur
                JOIN outreach.roles r ON r.id = ur.role_id
                WHERE ur.user_id = @userId AND r.normalized_name = @roleName)
            """;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<bool>(
            new CommandDefinition(sql, new { userId = user.Id, roleName }, cancellationToken: cancellationToken));
    }

    public async Task<IList<AppUser>> GetUsersInRoleAsync(string roleName, CancellationToken cancellationToken)
    {
        const string sql = $"""
            SELECT {UserColumns}
            FROM outreach.users u
            JOIN outreach.user_roles ur ON ur.user_id = u.id
            JOIN outreach.roles r ON r.id = ur.role_id
            WHERE r.normalized_name = @roleName
            ORDER BY u.id
            """;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<UserRow>(
            new CommandDefinition(sql, new { roleName }, cancellationToken: cancellationToken));
        return rows.Select(r => r.ToUser()).ToList();
    }

    public Task<DateTimeOffset?> GetLockoutEndDateAsync(AppUser user, CancellationToken cancellationToken) =>
        Task.FromResult(user.LockoutEnd);

    public Task SetLockoutEndDateAsync(AppUser user, DateTimeOffset? lockoutEnd, CancellationToken cancellationToken)
    {
        user.LockoutEnd = lockoutEnd;
        return Task.CompletedTask;
    }

    public Task<int> IncrementAccessFailedCountAsync(AppUser user, CancellationToken cancellationToken)
    {
        user.AccessFailedCount++;
        return Task.FromResult(user.AccessFailedCount);
    }

    public Task ResetAccessFailedCountAsync(AppUser user, CancellationToken cancellationToken)
    {
        user.AccessFailedCount = 0;
        return Task.CompletedTask;
    }

    public Task<int> GetAccessFailedCountAsync(AppUser user, CancellationToken cancellationToken) =>
        Task.FromResult(user.AccessFailedCount);

    public Task<bool> GetLockoutEnabledAsync(AppUser user, CancellationToken cancellationToken) =>
        Task.FromResult(user.LockoutEnabled);

    public Task SetLockoutEnabledAsync(AppUser user, bool enabled, CancellationToken cancellationToken)
    {
        user.LockoutEnabled = enabled;
        return Task.CompletedTask;
    }

    public Task SetTwoFactorEnabledAsync(AppUser user, bool enabled, CancellationToken cancellationToken)
    {
        user.TwoFactorEnabled = enabled;
        return Task.CompletedTask;
    }

    public Task<bool> GetTwoFactorEnabledAsync(AppUser user, CancellationToken cancellationToken) =>
        Task.FromResult(user.TwoFactorEnabled);

    public Task SetAuthenticatorKeyAsync(AppUser user, string key, CancellationToken cancellationToken) =>
        SetTokenAsync(user, AuthenticatorKeyTokenName, key, cancellationToken);

    public Task<string?> GetAuthenticatorKeyAsync(AppUser user, CancellationToken cancellationToken) =>
        GetTokenAsync(user, AuthenticatorKeyTokenName, cancellationToken);

    public Task ReplaceCodesAsync(AppUser user, IEnumerable<string> recoveryCodes, CancellationToken cancellationToken) =>
        SetTokenAsync(user, RecoveryCodeTokenName, string.Join(';', recoveryCodes), cancellationToken);

    public async Task<bool> RedeemCodeAsync(AppUser user, string code, CancellationToken cancellationToken)
    {
        // One statement, so two sign-ins racing with the same code cannot both redeem it: the second
        // UPDATE re-checks its WHERE against the row the first one wrote.
        const string sql = """
            UPDATE outreach.user_tokens
            SET value = array_to_string(array_remove(string_to_array(value, ';'), @code), ';')
            WHERE user_id = @userId AND login_provider = @provider AND name = @name
              AND @code = ANY (string_to_array(value, ';'))
            """;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.ExecuteAsync(new CommandDefinition(
            sql,
            new { userId = user.Id, provider = InternalLoginProvider, name = RecoveryCodeTokenName, code },
            cancellationToken: cancellationToken));
        return rows == 1;
    }

    public async Task<int> CountCodesAsync(AppUser user, CancellationToken cancellationToken)
    {
        var codes = await GetTokenAsync(user, RecoveryCodeTokenName, cancellationToken) ?? "";
        return codes.Length == 0 ? 0 : codes.AsSpan().Count(';') + 1;
    }

    // Nothing to release: connections are per operation and the data source belongs to the container.
    public void Dispose()
    {
    }

    private async Task SetTokenAsync(AppUser user, string name, string? value, CancellationToken cancellationToken)
    {
        const string sql = """
            INSERT INTO outreach.user_tokens (user_id, login_provider, name, value)
            VALUES (@userId, @provider, @name, @value)
            ON CONFLICT (user_id, login_provider, name) DO UPDATE SET value = EXCLUDED.value
            """;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            sql,
            new { userId = user.Id, provider = InternalLoginProvider, name, value },
            cancellationToken: cancellationToken));
    }

    private async Task<string?> GetTokenAsync(AppUser user, string name, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT value FROM outreach.user_tokens
            WHERE user_id = @userId AND login_provider = @provider AND name = @name
            """;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<string?>(new CommandDefinition(
            sql,
            new { userId = user.Id, provider = InternalLoginProvider, name },
            cancellationToken: cancellationToken));
    }

    private async Task<AppUser?> FindOneAsync(string sql, object parameters, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<UserRow>(
            new CommandDefinition(sql, parameters, cancellationToken: cancellationToken));
        return row?.ToUser();
    }

    private static object Parameters(AppUser user, string concurrencyStamp, string? previousStamp) => new
    {
        user.Id,
        user.UserName,
        user.NormalizedUserName,
        user.Email,
        user.NormalizedEmail,
        user.EmailConfirmed,
        user.DisplayName,
        user.PasswordHash,
        user.SecurityStamp,
        ConcurrencyStamp = concurrencyStamp,
        PreviousStamp = previousStamp,
        user.TwoFactorEnabled,
        // timestamptz takes a UTC DateTime; Npgsql refuses other kinds rather than guess.
        LockoutEnd = user.LockoutEnd?.UtcDateTime,
        user.LockoutEnabled,
        user.AccessFailedCount,
    };

    // A race past UserManager's own uniqueness checks ends here; anything else is rethrown.
    private static IdentityError? DuplicateError(PostgresException e, AppUser user) =>
        e.SqlState != PostgresErrorCodes.UniqueViolation ? null : e.ConstraintName switch
        {
            "users_normalized_user_name_key" => Errors.DuplicateUserName(user.UserName),
            "users_normalized_email_key" => Errors.DuplicateEmail(user.Email ?? ""),
            _ => null,
        };

    private static string NewStamp() => Guid.NewGuid().ToString();

    // Npgsql reads timestamptz as a UTC DateTime, which Dapper will not turn into DateTimeOffset by itself.
    private sealed class UserRow
    {
        public long Id { get; set; }
        public string UserName { get; set; } = "";
        public string NormalizedUserName { get; set; } = "";
        public string? Email { get; set; }
        public string? NormalizedEmail { get; set; }
        public bool EmailConfirmed { get; set; }
        public string DisplayName { get; set; } = "";
        public string? PasswordHash { get; set; }
        public string? SecurityStamp { get; set; }
        public string? ConcurrencyStamp { get; set; }
        public bool TwoFactorEnabled { get; set; }
        public DateTime? LockoutEnd { get; set; }
        public bool LockoutEnabled { get; set; }
        public int AccessFailedCount { get; set; }

        public AppUser ToUser() => new()
        {
            Id = Id,
            UserName = UserName,
            NormalizedUserName = NormalizedUserName,
            Email = Email,
            NormalizedEmail = NormalizedEmail,
            EmailConfirmed = EmailConfirmed,
            DisplayName = DisplayName,
            PasswordHash = PasswordHash,
            SecurityStamp = SecurityStamp,
            ConcurrencyStamp = ConcurrencyStamp,
            TwoFactorEnabled = TwoFactorEnabled,
            LockoutEnd = LockoutEnd is { } end ? new DateTimeOffset(DateTime.SpecifyKind(end, DateTimeKind.Utc)) : null,
            LockoutEnabled = LockoutEnabled,
            AccessFailedCount = AccessFailedCount,
        };
    }
}
