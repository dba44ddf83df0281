using Dapper;
using Npgsql;

namespace Outreach.Data.Messages;

/// <summary>Stores Twilio's delivery reports once, whatever Twilio retries (replies: <see cref="ReplyData"/>).</summary>
public sealed class WebhookData(NpgsqlDataSource dataSource)
{
    /// <summary>Records a delivery report and sets the outbox row's latest delivery status.</summary>
    public async Task StoreStatusAsync(string messageSid, string status, string? errorCode, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var inserted = await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO outreach.sms_status_events (message_sid, status, error_code) VALUES (@messageSid, @status, @errorCode)
            ON CONFLICT (message_sid, status) DO NOTHING
            """, new { messageSid, status, errorCode }, transaction, cancellationToken: cancellationToken));
        if (inserted == 1)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE outreach.sms_outbox SET delivery_status = @status WHERE provider_sid = @messageSid",
                new { messageSid, status }, transaction, cancellationToken: cancellationToken));
        }
        await transaction.CommitAsync(cancellationToken);
    }
}
