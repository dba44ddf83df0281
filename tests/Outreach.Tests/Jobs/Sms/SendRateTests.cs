using Npgsql;
using Outreach.Data.Messages;
using Outreach.Tests.Infrastructure;

namespace Outreach.Tests.Jobs.Sms;

// The pacing row is one per database, so these tests take a database of their own.
public sealed class SendRateTests
{
    private static readonly TimeSpan TenPerSecond = TimeSpan.FromMilliseconds(100);

    [Fact]
    public async Task At_ten_per_second_concurrent_senders_get_slots_a_tenth_of_a_second_apart_and_never_more_than_ten_in_a_second()
    {
        await using var dataSource = NpgsqlDataSource.Create(await MigratedDatabase.CreateMigratedAsync("sms_rate_spacing"));
        var outbox = new OutboxData(dataSource, TimeProvider.System);
        var start = new DateTime(2026, 12, 2, 10, 0, 0, DateTimeKind.Utc);

        // 35 senders asking at the same moment, as several job workers would.
        var slots = (await Task.WhenAll(Enumerable.Range(0, 35).Select(_ =>
            outbox.TakeSendSlotAsync(TenPerSecond, start, CancellationToken.None))))
            .Select(s => s.Slot.ToUniversalTime()).Order().ToList();

        Assert.Equal(Enumerable.Range(0, 35).Select(i => start + i * TenPerSecond), slots);
        var busiest = slots.Max(from => slots.Count(s => s >= from && s < from.AddSeconds(1)));
        Assert.Equal(10, busiest);
    }

    [Fact]
    public async Task A_sender_asking_while_others_queue_waits_behind_them_and_after_a_quiet_spell_goes_at_once()
    {
        await using var dataSource = NpgsqlDataSource.Create(await MigratedDatabase.CreateMigratedAsync("sms_rate_queue"));
        var outbox = new OutboxData(dataSource, TimeProvider.System);
        var start = new DateTime(2026, 12, 2, 10, 0, 0, DateTimeKind.Utc);
        for (var i = 0; i < 20; i++)
        {
            await outbox.TakeSendSlotAsync(TenPerSecond, start, CancellationToken.None);
        }

        var behind = await outbox.TakeSendSlotAsync(TenPerSecond, start.AddSeconds(1), CancellationToken.None);
        var afterQuiet = await outbox.TakeSendSlotAsync(TenPerSecond, start.AddMinutes(1), CancellationToken.None);

        Assert.Equal(start.AddSeconds(2), behind.Slot.ToUniversalTime());
        Assert.Equal(TimeSpan.FromSeconds(1), behind.Slot - behind.Now);
        Assert.Equal(start.AddMinutes(1), afterQuiet.Slot.ToUniversalTime());
        Assert.Equal(afterQuiet.Now, afterQuiet.Slot);
    }

    [Fact]
    public async Task Without_a_given_time_the_database_clock_is_used()
    {
        await using var dataSource = NpgsqlDataSource.Create(await MigratedDatabase.CreateMigratedAsync("sms_rate_clock"));
        var outbox = new OutboxData(dataSource, TimeProvider.System);

        var first = await outbox.TakeSendSlotAsync(TenPerSecond, null, CancellationToken.None);
        var second = await outbox.TakeSendSlotAsync(TenPerSecond, null, CancellationToken.None);

        Assert.True(Math.Abs((first.Now.ToUniversalTime() - DateTime.UtcNow).TotalMinutes) < 1);
        Assert.True(second.Slot - first.Slot >= TenPerSecond);
    }
}
