using System.Globalization;
using Dapper;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Outreach.Data;
using Outreach.Jobs;
using Outreach.Jobs.Reminders;
using Outreach.Tests.Infrastructure;

namespace Outreach.Bench.Sms;

internal sealed class Bench(NpgsqlDataSource db, FakeTwilioServer twilio, string connectionString)
{
    private readonly string run = DateTime.UtcNow.ToString("HHmmss", CultureInfo.InvariantCulture);

    /// <summary>Twilio settings pointing at the fake, shared by the in-process jobs and the worker process.</summary>
    public Dictionary<string, string?> Settings(double messagesPerSecond) => new()
    {
        ["Twilio:AccountSid"] = twilio.AccountSid,
        ["Twilio:AuthToken"] = twilio.AuthToken,
        ["Twilio:FromNumber"] = "+447700900999",
        ["Twilio:ApiBaseUrl"] = twilio.BaseUrl.ToString(),
        ["Sms:MessagesPerSecond"] = messagesPerSecond.ToString(CultureInfo.InvariantCulture),
        // The bench runs at any hour: quiet hours off, so it measures sending, not waiting for morning.
        ["Sms:QuietHoursStart"] = "00:00",
        ["Sms:QuietHoursEnd"] = "00:00",
    };

    public ServiceProvider JobServices(double messagesPerSecond)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(Settings(messagesPerSecond)).Build();
        return new ServiceCollection()
            .AddLogging()
            .AddSingleton<IConfiguration>(configuration)
            .AddOutreachData(connectionString)
            .AddOutreachJobs(configuration, connectionString, runServer: false)
            .BuildServiceProvider();
    }

    /// <summary>Outbox rows with unique bodies "{tag} {run} {i}", due now, to distinct numbers, with COPY.</summary>
    public async Task<List<string>> QueueAsync(string tag, int count)
    {
        var bodies = Enumerable.Range(0, count).Select(i => $"{tag} {run} {i}").ToList();
        var now = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm:ss.ffffff'+00'", CultureInfo.InvariantCulture);
        var expires = DateTime.UtcNow.AddDays(1).ToString("yyyy-MM-dd HH:mm:ss'+00'", CultureInfo.InvariantCulture);
        await using var c = await db.OpenConnectionAsync();
        await using (var writer = await c.BeginTextImportAsync(
            "COPY outreach.sms_outbox (dedupe_key, purpose, to_e164, body, not_before, expires_at) FROM STDIN"))
        {
            for (var i = 0; i < count; i++)
            {
                var to = "+4475" + (10_000_000 + i).ToString(CultureInfo.InvariantCulture);
                await writer.WriteLineAsync($"bench-{tag}-{run}-{i}\tbench\t{to}\t{bodies[i]}\t{now}\t{expires}");
            }
        }
        return bodies;
    }

    /// <summary>Sessions with one worker each whose 24-hour reminder is due over the next 30 to 90 seconds, scheduled as the site does.</summary>
    public async Task<Dictionary<string, DateTime>> RemindersDueSoonAsync(int count)
    {
        await using var services = JobServices(0);
        var scheduler = services.GetRequiredService<ReminderScheduler>();
        var due = new Dictionary<string, DateTime>(StringComparer.Ordinal);
        await using var c = await db.OpenConnectionAsync();
        var area = await c.ExecuteScalarAsync<long>(
            "INSERT INTO outreach.areas (code, name, region) VALUES (@code, @code, 'Bench') RETURNING id", new { code = "BS" + run });
        var venue = await c.ExecuteScalarAsync<long>(
            "INSERT INTO outreach.venues (kind, name, area_id, postcode) VALUES ('school', @name, @area, 'B1 1AA') RETURNING id",
            new { name = "Bench school " + run, area });
        for (var i = 0; i < count; i++)
        {
            var mobile = "+4476" + (10_000_000 + i + int.Parse(run, CultureInfo.InvariantCulture) % 1000 * 1000).ToString(CultureInfo.InvariantCulture);
            var dueAt = DateTime.UtcNow.AddSeconds(30 + 60.0 * i / count);
            var startsAt = dueAt.AddHours(24);
            var workerId = await c.ExecuteScalarAsync<long>("""
                INSERT INTO outreach.youth_workers (full_name, mobile_e164, dbs_check_type, dbs_certificate_number, dbs_issued_on, dbs_next_review_on)
                VALUES (@name, @mobile, 'enhanced_barred', '001234567890', current_date - 365, current_date + 3650)
                RETURNING id
                """, new { name = $"Bench worker {run} {i}", mobile });
            var sessionId = await c.ExecuteScalarAsync<long>("""
                INSERT INTO outreach.sessions (venue_id, kind, title, starts_at, ends_at) VALUES (@venue, 'assembly', @title, @startsAt, @endsAt)
                RETURNING id
                """, new { venue, title = $"Bench assembly {i}", startsAt, endsAt = startsAt.AddHours(1) });
            var assignmentId = await c.ExecuteScalarAsync<long>(
                "INSERT INTO outreach.assignments (session_id, worker_id, during) VALUES (@sessionId, @workerId, 'empty') RETURNING id",
                new { sessionId, workerId });
            scheduler.ScheduleFor(assignmentId, startsAt);
            due[mobile] = dueAt;
        }
        return due;
    }

    public async Task<string> StatesAsync(string tag)
    {
        await using var c = await db.OpenConnectionAsync();
        var rows = await c.QueryAsync<(string Status, long Count)>(
            "SELECT status, count(*) FROM outreach.sms_outbox WHERE dedupe_key LIKE @prefix GROUP BY status ORDER BY status",
            new { prefix = $"bench-{tag}-{run}-%" });
        return string.Join(", ", rows.Select(r => $"{r.Status} {r.Count}"));
    }

    public async Task<long> SendingAsync(string tag)
    {
        await using var c = await db.OpenConnectionAsync();
        return await c.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM outreach.sms_outbox WHERE dedupe_key LIKE @prefix AND status = 'sending'", new { prefix = $"bench-{tag}-{run}-%" });
    }

    public async Task<long> NotSentAsync(string tag)
    {
        await using var c = await db.OpenConnectionAsync();
        return await c.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM outreach.sms_outbox WHERE dedupe_key LIKE @prefix AND status <> 'sent'", new { prefix = $"bench-{tag}-{run}-%" });
    }

    /// <summary>Rows that needed more than one attempt (a lookup at Twilio or a resend), and the lookups made.</summary>
    public async Task<string> RecoveredAsync(string tag)
    {
        await using var c = await db.OpenConnectionAsync();
        var retried = await c.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM outreach.sms_outbox WHERE dedupe_key LIKE @prefix AND attempts > 1", new { prefix = $"bench-{tag}-{run}-%" });
        var lookups = twilio.Requests.Count(r => r.Method == "GET");
        return $"{retried} rows took more than one attempt; {lookups} message-list reads at Twilio";
    }
}
