using Dapper;
using Npgsql;
using Outreach.Data.Messages;
using Outreach.Tests.Infrastructure;

namespace Outreach.Tests.Jobs.Sms;

public sealed record OutboxState(string Status, int Attempts, string? ProviderSid, string? LastError, DateTime NotBefore, string? HeldReason);

internal static class SmsTestSupport
{
    public static async Task<long> QueueAsync(
        JobHarness harness, string body, long? workerId = null, string? to = null, bool urgent = false, long? sessionId = null,
        TimeSpan? expiresIn = null)
    {
        var now = harness.Clock.GetUtcNow().UtcDateTime;
        var id = await harness.Get<OutboxData>().AddAsync(new OutgoingSms(
            TestData.Unique("test-message"), "test", workerId, sessionId, to ?? TestData.Mobile(), body, now,
            now + (expiresIn ?? TimeSpan.FromDays(7)), urgent), CancellationToken.None);
        return Assert.NotNull(id);
    }

    public static async Task<OutboxState> StateAsync(NpgsqlDataSource db, long id)
    {
        await using var c = await db.OpenConnectionAsync();
        return await c.QuerySingleAsync<OutboxState>(
            "SELECT status, attempts, provider_sid, last_error, not_before, held_reason FROM outreach.sms_outbox WHERE id = @id", new { id });
    }

    public static async Task<string> MobileOfAsync(NpgsqlDataSource db, long workerId)
    {
        await using var c = await db.OpenConnectionAsync();
        return await c.ExecuteScalarAsync<string>("SELECT mobile_e164 FROM outreach.youth_workers WHERE id = @workerId", new { workerId }) ?? "";
    }

    public static string Body(string what) => $"{what} {Guid.NewGuid():N}";
}
