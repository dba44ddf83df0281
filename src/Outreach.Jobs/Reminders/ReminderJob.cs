using System.Globalization;
using Hangfire;
using Microsoft.Extensions.Options;
using Outreach.Data;
using Outreach.Data.Messages;
using Outreach.Data.Reminders;
using Outreach.Jobs.Sms;

namespace Outreach.Jobs.Reminders;

/// <summary>
/// Queues the reminders that have come due, for one assignment or (from the recurring sweep) for all,
/// then asks for them to be sent. The outbox key makes a second run add nothing.
/// </summary>
public sealed class ReminderJob(
    ReminderData reminders, OutboxData outbox, IBackgroundJobClient jobs, IOptions<ReminderOptions> options, TimeProvider clock)
{
    public async Task RunAsync(long? assignmentId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var due = await reminders.DueAsync(assignmentId, options.Value.Leads, now, cancellationToken);
        var queued = 0;
        foreach (var reminder in due)
        {
            var id = await outbox.AddAsync(new OutgoingSms(
                reminder.DedupeKey, "reminder", reminder.WorkerId, reminder.SessionId, reminder.MobileE164,
                Compose(reminder), now, ExpiresAtUtc: reminder.StartsAt), cancellationToken);
            if (id is not null)
            {
                queued++;
            }
        }
        if (queued > 0)
        {
            jobs.Enqueue<SendOutboxJob>(job => job.RunAsync(CancellationToken.None));
        }
    }

    /// <summary>Plain text in UK local time, kept to GSM-7 characters (no smart quotes or dashes).</summary>
    public static string Compose(DueReminder reminder)
    {
        var culture = CultureInfo.GetCultureInfo("en-GB");
        var start = UkTime.ToLocal(reminder.StartsAt);
        var end = UkTime.ToLocal(reminder.EndsAt);
        var title = string.IsNullOrWhiteSpace(reminder.Title) ? "Outreach session" : reminder.Title.Trim();
        return $"Outreach reminder: {title} at {reminder.VenueName}, " +
               $"{start.ToString("ddd d MMM HH:mm", culture)}-{end.ToString("HH:mm", culture)}.";
    }
}

/// <summary>Schedules an assignment's reminders for their lead times; the recurring sweep is the safety net.</summary>
public sealed class ReminderScheduler(IBackgroundJobClient jobs, IOptions<ReminderOptions> options, TimeProvider clock)
{
    public void ScheduleFor(long assignmentId, DateTime sessionStartsAtUtc)
    {
        var now = clock.GetUtcNow();
        var enqueuedNow = false;
        foreach (var lead in options.Value.Leads)
        {
            var at = new DateTimeOffset(DateTime.SpecifyKind(sessionStartsAtUtc, DateTimeKind.Utc)).AddMinutes(-lead);
            // Hangfire keeps a schedule to the whole second and may run it up to a second early, when the
            // reminder is not yet due and would wait for the five-minute sweep: round up to the next second.
            at = new DateTimeOffset((at.UtcTicks + TimeSpan.TicksPerSecond - 1) / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond, TimeSpan.Zero);
            if (at <= now)
            {
                if (!enqueuedNow)
                {
                    jobs.Enqueue<ReminderJob>(job => job.RunAsync(assignmentId, CancellationToken.None));
                    enqueuedNow = true;
                }
            }
            else
            {
                jobs.Schedule<ReminderJob>(job => job.RunAsync(assignmentId, CancellationToken.None), at);
            }
        }
    }
}
