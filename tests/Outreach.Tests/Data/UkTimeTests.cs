using Outreach.Data;

namespace Outreach.Tests.Data;

public sealed class UkTimeTests
{
    [Fact]
    public void A_Saturday_night_A_and_E_shift_lasts_nine_hours_on_the_October_clock_change_and_seven_in_March()
    {
        // 24/25 October 2026: clocks go back at 02:00 BST. 27/28 March 2027: forward at 01:00 GMT.
        Assert.True(UkTime.TryToUtc(new DateTime(2026, 10, 24, 18, 0, 0), out var octoberStart));
        Assert.True(UkTime.TryToUtc(new DateTime(2026, 10, 25, 2, 0, 0), out var octoberEnd));
        Assert.True(UkTime.TryToUtc(new DateTime(2027, 3, 27, 18, 0, 0), out var marchStart));
        Assert.True(UkTime.TryToUtc(new DateTime(2027, 3, 28, 2, 0, 0), out var marchEnd));

        Assert.Equal(TimeSpan.FromHours(9), octoberEnd - octoberStart);
        Assert.Equal(TimeSpan.FromHours(7), marchEnd - marchStart);
    }

    [Fact]
    public void Summer_and_winter_wall_clock_times_become_the_right_UTC_instants()
    {
        Assert.True(UkTime.TryToUtc(new DateTime(2027, 7, 1, 10, 0, 0), out var summer));
        Assert.True(UkTime.TryToUtc(new DateTime(2027, 1, 15, 10, 0, 0), out var winter));
        Assert.Equal(new DateTime(2027, 7, 1, 9, 0, 0, DateTimeKind.Utc), summer);
        Assert.Equal(new DateTime(2027, 1, 15, 10, 0, 0, DateTimeKind.Utc), winter);
        Assert.Equal(DateTimeKind.Utc, summer.Kind);
    }

    [Fact]
    public void A_time_skipped_by_the_spring_clock_change_is_refused()
    {
        Assert.False(UkTime.TryToUtc(new DateTime(2027, 3, 28, 1, 30, 0), out _));
    }

    [Fact]
    public void A_time_repeated_in_the_autumn_is_read_as_the_first_summer_time_occurrence()
    {
        Assert.True(UkTime.TryToUtc(new DateTime(2026, 10, 25, 1, 30, 0), out var utc));
        Assert.Equal(new DateTime(2026, 10, 25, 0, 30, 0, DateTimeKind.Utc), utc);
    }
}
