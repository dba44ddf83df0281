using Outreach.Data.Audit;
using Npgsql;

namespace Outreach.Data.Identity;

/// <summary>
/// Audit events for changes made to sign-in accounts through UserManager, which writes rows of its own;
/// the event is written in its own transaction straight after the change.
/// </summary>
public sealed class UserAuditData(NpgsqlDataSource dataSource)
{
    public async Task WriteAsync(Actor actor, string action, long userId, object? before, object? after, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await AuditLog.WriteAsync(connection, transaction, actor, action, "user", userId, before, after, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }
}
