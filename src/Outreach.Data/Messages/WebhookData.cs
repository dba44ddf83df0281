using Dapper;
using Npgsql;

namespace Outreach.Data.Messages;

/// <summary>Stores Twilio's webhooks: each reply and each delivery report once, whatever Twilio retries.</summary>
public sealed class WebhookData(NpgsqlDataSource dataSource)
{
    /// <returns>True when the reply is new; false when this message SID was already stored.</returns>
    public async Task<bool> StoreReplyAsync(string messageSid, string from, string to, string body, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var id = await connection.ExecuteScalarAsync<long?>(new CommandDefinition("""
            INSERT INTO outreach.sms_inbound (message_sid, from_e164, to_e164, body, worker_id)
            VALUES (@messageSid, @from, @to, @body,
                    (SELECT id FROM outreach.youth_workers WHERE mobile_e164 = @from AND active LIMIT 1))
            ON CONFLICT (message_sid) DO NOTHING
            RETURNING id
            """, new { messageSid, from, to, body }, cancellationToken: cancellationToken));
        return id is not null;
    }

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
