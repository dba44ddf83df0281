using Outreach.Data.Workers;

namespace Outreach.Tests.Data;

/// <summary>What a coordinator types for one weekday of a worker's pattern, read into ranges.</summary>
public sealed class WeeklyPatternTests
{
    [Theory]
    [InlineData("09:00-17:00", "09:00-17:00")]
    [InlineData("9-12, 12:00-17:30", "09:00-17:30")]
    [InlineData("13:00 to 15:00; 08.30–10.00", "08:30-10:00, 13:00-15:00")]
    [InlineData("18:00-02:00", "18:00-02:00")]
    [InlineData("18:00-24:00", "18:00-00:00")]
    [InlineData("All day", "all day")]
    [InlineData("  ", "")]
    public void A_day_written_in_the_usual_ways_reads_back_tidily(string typed, string expected)
    {
        Assert.True(WeeklyPattern.TryParseDay(3, typed, out var ranges, out var error), error);
        Assert.Equal(expected, WeeklyPattern.Format(ranges));
        Assert.All(ranges, r => Assert.Equal(3, r.Weekday));
    }

    [Theory]
    [InlineData("nine till five", "\"nine till five\" is not a time range")]
    [InlineData("09:00-25:00", "\"09:00-25:00\" is not a time range")]
    [InlineData("09:60-10:00", "\"09:60-10:00\" is not a time range")]
    [InlineData("10:00-10:00", "starts and ends at the same time")]
    [InlineData("24:00-02:00", "starts at 24:00")]
    public void A_day_that_is_not_a_list_of_time_ranges_is_refused_with_the_part_that_is_wrong(string typed, string expected)
    {
        Assert.False(WeeklyPattern.TryParseDay(1, typed, out _, out var error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_range_past_midnight_lasts_into_the_next_day()
    {
        Assert.True(WeeklyPattern.TryParseDay(5, "18:00-02:00", out var ranges, out _));
        Assert.Equal(TimeSpan.FromHours(8), Assert.Single(ranges).Length);
    }
}
