using Outreach.Data.Reach;

namespace Outreach.Tests.Data;

public sealed class SuppressionTests
{
    [Theory]
    [InlineData(0, "0")]
    [InlineData(1, "<5")]
    [InlineData(4, "<5")]
    [InlineData(5, "5")]
    [InlineData(12345, "12,345")]
    public void Counts_from_one_to_four_are_shown_as_under_five(long value, string shown) =>
        Assert.Equal(shown, Suppression.Format(value));

    [Fact]
    public void A_single_small_figure_beside_a_published_total_hides_the_smallest_other_non_zero_figure_too()
    {
        // 7 + 3 + 0 + 20 = 30: with 3 hidden, 30 - 7 - 20 would give it away.
        Assert.Equal([false, true, false, true], Suppression.HideWithTotal([20, 3, 0, 7]));
    }

    [Fact]
    public void Two_small_figures_already_protect_each_other_and_zeros_are_never_hidden()
    {
        Assert.Equal([false, true, true, false], Suppression.HideWithTotal([20, 3, 2, 0]));
        Assert.Equal([false, false, false], Suppression.HideWithTotal([0, 10, 0]));
    }

    [Fact]
    public void A_small_total_gives_nothing_away_so_nothing_more_is_hidden()
    {
        Assert.Equal([true, false], Suppression.HideWithTotal([3, 0]));
    }

    [Fact]
    public void In_a_table_with_row_and_column_totals_secondary_suppression_repeats_until_no_line_has_one_hidden_cell()
    {
        long[,] cells =
        {
            { 2, 10, 30 },
            { 8, 9, 40 },
            { 50, 60, 70 },
        };
        var hidden = Suppression.Hide(cells);

        // The 2 is hidden; its row then hides the 10 (smaller than 30), its column the 8, and the 10's column the 9,
        // which leaves two hidden cells in every line that has any.
        bool[,] expected =
        {
            { true, true, false },
            { true, true, false },
            { false, false, false },
        };
        Assert.Equal(expected, hidden);
        for (var r = 0; r < 3; r++)
        {
            Assert.NotEqual(1, Enumerable.Range(0, 3).Count(c => hidden[r, c]));
        }
        for (var c = 0; c < 3; c++)
        {
            Assert.NotEqual(1, Enumerable.Range(0, 3).Count(r => hidden[r, c]));
        }
    }

    [Fact]
    public void Rates_are_shown_only_when_both_parts_are()
    {
        Assert.Equal("<5", Suppression.Rate(3, 4));
        Assert.Equal("<5", Suppression.Rate(3, 40));
        Assert.Equal("–", Suppression.Rate(0, 0));
        Assert.Equal("75%", Suppression.Rate(30, 40));
        Assert.Null(Suppression.RateValue(30, 4));
        Assert.Equal(0.75, Suppression.RateValue(30, 40));
        Assert.Equal("*", Suppression.Format(30, secondary: true));
        Assert.Equal("<5", Suppression.Format(3, secondary: true));
    }
}
