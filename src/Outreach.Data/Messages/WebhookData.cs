using Dapper;
using Npgsql;
using Outreach.Data.Alerts;

namespace Outreach.Data.Messages;

/// <summary>Stores Twilio's delivery reports once, whatever Twilio retries (replies: <see cref="ReplyData"/>).</summary>
public sealed class WebhookData(NpgsqlDataSource dataSource)
{
    /// <summary>
    /// Keeps a delivery report once and moves the outbox row forward to the furthest status reported for its
    /// SID (never back; the first final status wins). A report for a SID the send job has not stored yet is
    /// kept and taken by the row when the SID is stored (a trigger, see migration 0013). A final report
    /// that says the worker's current number can never take texts marks the number as failing and alerts
    /// the coordinators.
    /// </summary>
    public async Task StoreStatusAsync(string messageSid, string status, string? errorCode, CancellationToken cancellationToken)
    {
        errorCode = string.IsNullOrWhiteSpace(errorCode) ? null : errorCode.Trim();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO outreach.sms_status_events (message_sid, status, error_code) VALUES (@messageSid, @status, @errorCode)
            ON CONFLICT (message_sid, status) DO NOTHING;
            SELECT outreach.apply_sms_status_events(@messageSid);
            """, new { messageSid, status, errorCode }, transaction, cancellationToken: cancellationToken));
        if (DeliveryErrors.NumberIsDead(errorCode))
        {
            var failing = await connection.QueryFirstOrDefaultAsync<FailingNumber>(new CommandDefinition("""
                UPDATE outreach.youth_workers w SET sms_failing = true, updated_at = now()
                  FROM outreach.sms_outbox o
                 WHERE o.provider_sid = @messageSid AND o.worker_id = w.id AND w.mobile_e164 = o.to_e164
                   AND o.delivery_status IN ('undelivered', 'failed') AND o.delivery_error_code = @errorCode
                   AND NOT w.sms_failing
                RETURNING o.id AS outbox_id, w.id AS worker_id
                """, new { messageSid, errorCode }, transaction, cancellationToken: cancellationToken));
            if (failing is not null)
            {
                await AlertData.RaiseAsync(connection, transaction, new NewAlert(
                    $"sms-failing:{failing.OutboxId}", "sms_failing",
                    $"Texts to this worker's mobile number cannot be delivered ({DeliveryErrors.Describe(errorCode)}). Check the number with them.",
                    WorkerId: failing.WorkerId), cancellationToken);
            }
        }
        await transaction.CommitAsync(cancellationToken);
    }

    private sealed record FailingNumber(long OutboxId, long WorkerId);
}
