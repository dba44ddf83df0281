using Outreach.Data.Sessions;

namespace Outreach.Tests.Data;

/// <summary>Weekly patterns become occurrences at the right UTC instants on both sides of the 2027 clock changes.</summary>
public sealed class SeriesPatternTests
{
    private static readonly TimeOnly Six = new(18, 0);
    private static readonly TimeOnly Two = new(2, 0);

    private static DateTime Utc(int year, int month, int day, int hour, int minute = 0) =>
        new(year, month, day, hour, minute, 0, DateTimeKind.Utc);

    [Fact]
    public void Saturday_night_shifts_last_seven_hours_on_the_March_clock_change_and_nine_on_the_October_one()
    {
        var pattern = new SeriesPattern(new HashSet<DayOfWeek> { DayOfWeek.Saturday }, Six, Two,
            new DateOnly(2027, 3, 20), new DateOnly(2027, 11, 6), null);

        var byDate = pattern.Occurrences().ToDictionary(o => o.Date);

        // 27/28 March 2027: clocks go forward at 01:00 GMT, so 18:00 GMT to 02:00 BST is 7 hours.
        var march = byDate[new DateOnly(2027, 3, 27)];
        Assert.Equal((Utc(2027, 3, 27, 18), Utc(2027, 3, 28, 1)), (march.StartUtc, march.EndUtc));
        Assert.Equal(TimeSpan.FromHours(7), march.Duration);
        // 30/31 October 2027: clocks go back at 02:00 BST, so 18:00 BST to 02:00 GMT is 9 hours.
        var october = byDate[new DateOnly(2027, 10, 30)];
        Assert.Equal((Utc(2027, 10, 30, 17), Utc(2027, 10, 31, 2)), (october.StartUtc, october.EndUtc));
        Assert.Equal(TimeSpan.FromHours(9), october.Duration);
        // Either side of the changes: 8 hours, in GMT before March and after October, in BST between.
        Assert.Equal((Utc(2027, 3, 20, 18), Utc(2027, 3, 21, 2)), (byDate[new DateOnly(2027, 3, 20)].StartUtc, byDate[new DateOnly(2027, 3, 20)].EndUtc));
        Assert.Equal((Utc(2027, 4, 3, 17), Utc(2027, 4, 4, 1)), (byDate[new DateOnly(2027, 4, 3)].StartUtc, byDate[new DateOnly(2027, 4, 3)].EndUtc));
        Assert.Equal((Utc(2027, 11, 6, 18), Utc(2027, 11, 7, 2)), (byDate[new DateOnly(2027, 11, 6)].StartUtc, byDate[new DateOnly(2027, 11, 6)].EndUtc));
        Assert.All(byDate.Values.Where(o => o.Date != march.Date && o.Date != october.Date),
            o => Assert.Equal(TimeSpan.FromHours(8), o.Duration));
        Assert.Equal(34, byDate.Count);
    }

    [Fact]
    public void A_start_at_01_30_on_28_March_2027_is_reported_as_nonexistent_and_not_moved()
    {
        var pattern = new SeriesPattern(new HashSet<DayOfWeek> { DayOfWeek.Sunday }, new TimeOnly(1, 30), new TimeOnly(4, 0),
            new DateOnly(2027, 3, 21), null, 3);

        var occurrences = pattern.Occurrences();

        Assert.Equal([new DateOnly(2027, 3, 21), new DateOnly(2027, 3, 28), new DateOnly(2027, 4, 4)], occurrences.Select(o => o.Date));
        var skipped = occurrences[1];
        Assert.False(skipped.Exists);
        Assert.Null(skipped.StartUtc);
        Assert.Contains("01:30 on Sun 28 Mar 2027 does not exist in the UK", skipped.Problem, StringComparison.Ordinal);
        Assert.Equal(Utc(2027, 3, 21, 1, 30), occurrences[0].StartUtc);
        Assert.Equal(Utc(2027, 4, 4, 0, 30), occurrences[2].StartUtc);
    }

    [Fact]
    public void An_end_that_falls_in_the_skipped_hour_is_reported_too()
    {
        var occurrence = PlannedOccurrence.On(new DateOnly(2027, 3, 27), new TimeOnly(22, 0), new TimeOnly(1, 15));

        Assert.False(occurrence.Exists);
        Assert.Contains("01:15 on Sun 28 Mar 2027", occurrence.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void An_until_date_includes_its_own_day_and_only_the_chosen_weekdays()
    {
        var pattern = new SeriesPattern(new HashSet<DayOfWeek> { DayOfWeek.Friday, DayOfWeek.Saturday }, Six, Two,
            new DateOnly(2027, 3, 1), new DateOnly(2027, 3, 13), null);

        Assert.Equal(
            [new DateOnly(2027, 3, 5), new DateOnly(2027, 3, 6), new DateOnly(2027, 3, 12), new DateOnly(2027, 3, 13)],
            pattern.Occurrences().Select(o => o.Date));
    }

    [Fact]
    public void A_count_stops_after_that_many_occurrences()
    {
        var pattern = new SeriesPattern(new HashSet<DayOfWeek> { DayOfWeek.Friday, DayOfWeek.Saturday }, Six, Two,
            new DateOnly(2027, 3, 6), null, 5);

        Assert.Equal(
            [new DateOnly(2027, 3, 6), new DateOnly(2027, 3, 12), new DateOnly(2027, 3, 13), new DateOnly(2027, 3, 19), new DateOnly(2027, 3, 20)],
            pattern.Occurrences().Select(o => o.Date));
    }

    [Fact]
    public void A_pattern_longer_than_the_cap_returns_one_more_than_the_cap_so_it_can_be_refused()
    {
        var daily = Enum.GetValues<DayOfWeek>().ToHashSet();
        var pattern = new SeriesPattern(daily, new TimeOnly(9, 0), new TimeOnly(10, 0), new DateOnly(2027, 1, 1), new DateOnly(2028, 12, 31), null);

        Assert.Equal(SeriesPattern.MaxOccurrences + 1, pattern.Occurrences().Count);
    }

    [Fact]
    public void A_daytime_school_session_in_summer_is_read_as_British_Summer_Time()
    {
        var occurrence = PlannedOccurrence.On(new DateOnly(2027, 6, 9), new TimeOnly(9, 0), new TimeOnly(10, 15));

        Assert.Equal((Utc(2027, 6, 9, 8), Utc(2027, 6, 9, 9, 15)), (occurrence.StartUtc, occurrence.EndUtc));
        Assert.Equal(new DateTime(2027, 6, 9, 10, 15, 0), occurrence.LocalEnd);
    }
}
