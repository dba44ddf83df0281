namespace Outreach.Data.Sessions;

/// <summary>
/// A weekly pattern in UK wall-clock time: the chosen weekdays from <see cref="FirstDate"/>, each from
/// <see cref="StartTime"/> to <see cref="EndTime"/> (an end earlier than the start is on the next day),
/// until a date or for a number of occurrences.
/// </summary>
public sealed record SeriesPattern(
    IReadOnlySet<DayOfWeek> Weekdays, TimeOnly StartTime, TimeOnly EndTime, DateOnly FirstDate,
    DateOnly? UntilDate, int? Count)
{
    /// <summary>More than this many occurrences is almost certainly a typing mistake, and one transaction stays short.</summary>
    public const int MaxOccurrences = 200;

    /// <summary>
    /// The occurrences in date order, each converted to UTC on its own date, so the clock changes
    /// give the right instants and lengths. An occurrence whose start or end does not exist in the UK
    /// (skipped when the clocks go forward) is returned with a problem, never moved. Stops one past
    /// <see cref="MaxOccurrences"/> so the caller can tell the pattern is too long.
    /// </summary>
    public IReadOnlyList<PlannedOccurrence> Occurrences()
    {
        var result = new List<PlannedOccurrence>();
        if (Weekdays.Count == 0 || (UntilDate is null && Count is null))
        {
            return result;
        }
        var limit = Math.Min(Count ?? int.MaxValue, MaxOccurrences + 1);
        for (var date = FirstDate; result.Count < limit && (UntilDate is not { } until || date <= until); date = date.AddDays(1))
        {
            if (Weekdays.Contains(date.DayOfWeek))
            {
                result.Add(PlannedOccurrence.On(date, StartTime, EndTime));
            }
        }
        return result;
    }
}

/// <summary>One session of a series, or a session moved to a date and times: UK wall-clock and UTC.</summary>
public sealed record PlannedOccurrence(
    DateOnly Date, DateTime LocalStart, DateTime LocalEnd, DateTime? StartUtc, DateTime? EndUtc, string? Problem)
{
    public bool Exists => Problem is null;

    public TimeSpan? Duration => StartUtc is { } start && EndUtc is { } end ? end - start : null;

    /// <summary>The times read on <paramref name="date"/>; an end earlier than (or equal to) the start is on the next day.</summary>
    public static PlannedOccurrence On(DateOnly date, TimeOnly start, TimeOnly end) =>
        Between(date, start, end <= start ? date.AddDays(1) : date, end);

    /// <summary>The times read with the end on its own date, which may be before the start: the caller's rules refuse that.</summary>
    public static PlannedOccurrence Between(DateOnly date, TimeOnly start, DateOnly endDate, TimeOnly end)
    {
        var localStart = date.ToDateTime(start);
        var localEnd = endDate.ToDateTime(end);
        var startExists = UkTime.TryToUtc(localStart, out var startUtc);
        var endExists = UkTime.TryToUtc(localEnd, out var endUtc);
        string? problem = (startExists, endExists) switch
        {
            (false, _) => $"{Describe(localStart)} does not exist in the UK: the clocks go forward from 01:00 to 02:00.",
            (_, false) => $"{Describe(localEnd)} does not exist in the UK: the clocks go forward from 01:00 to 02:00.",
            _ => null,
        };
        return problem is null
            ? new PlannedOccurrence(date, localStart, localEnd, startUtc, endUtc, null)
            : new PlannedOccurrence(date, localStart, localEnd, null, null, problem);
    }

    private static string Describe(DateTime local) =>
        local.ToString("HH:mm 'on' ddd d MMM yyyy", System.Globalization.CultureInfo.GetCultureInfo("en-GB"));
}
