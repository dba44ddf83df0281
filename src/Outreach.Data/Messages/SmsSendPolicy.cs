namespace Outreach.Data.Messages;

/// <summary>
/// When a message may go, decided as it is claimed: no non-urgent text in UK quiet hours, and no more
/// than <see cref="DailyCap"/> texts to one worker in a UK calendar day. Held messages wait, never drop.
/// </summary>
/// <param name="QuietStart">UK wall-clock time quiet hours begin; equal to <paramref name="QuietEnd"/> means none.</param>
/// <param name="DailyCap">Messages per worker per UK day; 0 means no cap.</param>
public sealed record SmsSendPolicy(TimeOnly QuietStart, TimeOnly QuietEnd, int DailyCap)
{
    /// <summary>A session this close is urgent to its worker whatever the message's own flag says.</summary>
    public static readonly TimeSpan UrgentHorizon = TimeSpan.FromHours(12);

    public static SmsSendPolicy Default { get; } = new(new TimeOnly(21, 0), new TimeOnly(8, 0), 20);

    public static bool IsUrgent(bool flagged, DateTime? sessionStartsAtUtc, DateTime nowUtc) =>
        flagged || (sessionStartsAtUtc is { } starts && starts <= nowUtc + UrgentHorizon);

    public bool IsQuiet(DateTime nowUtc)
    {
        if (QuietStart == QuietEnd)
        {
            return false;
        }
        var local = TimeOnly.FromDateTime(UkTime.ToLocal(nowUtc));
        return QuietStart < QuietEnd
            ? local >= QuietStart && local < QuietEnd
            : local >= QuietStart || local < QuietEnd;
    }

    /// <summary>The first moment at or after <paramref name="nowUtc"/> outside quiet hours.</summary>
    public DateTime EndOfQuiet(DateTime nowUtc)
    {
        if (!IsQuiet(nowUtc))
        {
            return nowUtc;
        }
        var localNow = UkTime.ToLocal(nowUtc);
        var end = localNow.Date + QuietEnd.ToTimeSpan();
        if (end <= localNow)
        {
            end = end.AddDays(1);
        }
        return LocalToUtc(end);
    }

    /// <summary>When a message held back by the cap may go: the start of the next UK day, after its quiet hours.</summary>
    public DateTime StartOfNextDay(DateTime nowUtc) =>
        EndOfQuiet(LocalToUtc(UkTime.ToLocal(nowUtc).Date.AddDays(1)));

    public static DateOnly UkDay(DateTime nowUtc) => DateOnly.FromDateTime(UkTime.ToLocal(nowUtc));

    // A configured time inside the spring-forward gap (01:00-02:00) does not exist that day: take the
    // first minute after it.
    private static DateTime LocalToUtc(DateTime local)
    {
        for (var shift = 0; shift <= 120; shift += 1)
        {
            if (UkTime.TryToUtc(local.AddMinutes(shift), out var utc))
            {
                return utc;
            }
        }
        throw new InvalidOperationException("No UK time within two hours of the requested one.");
    }
}
