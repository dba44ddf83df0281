using System.Globalization;

namespace Outreach.Data.Reach;

/// <summary>
/// Small-number suppression, the one rule behind every commissioner view, export, API answer and report.
/// Primary: a count from 1 to 4 could point at a young person, so it is shown as "&lt;5". Secondary: where a table
/// publishes a row or column total, one hidden cell could be worked out from the total and the other cells, so the
/// smallest other non-zero cell of that row or column is hidden too (shown as "*"), repeated until no row or column
/// with a published total has exactly one hidden cell.
/// </summary>
public static class Suppression
{
    public const string Small = "<5";
    public const string Secondary = "*";

    private static readonly CultureInfo Uk = CultureInfo.GetCultureInfo("en-GB");

    public static bool IsSmall(long value) => value is > 0 and < 5;

    /// <summary>A single figure with no total beside it.</summary>
    public static string Format(long value) => IsSmall(value) ? Small : value.ToString("N0", Uk);

    public static string Format(long value, bool secondary) => secondary && !IsSmall(value) ? Secondary : Format(value);

    /// <summary>The figure as the API answers it: the number, or the string "&lt;5" / "*".</summary>
    public static object Json(long value, bool secondary = false) =>
        IsSmall(value) ? Small : secondary ? Secondary : value;

    /// <summary>
    /// Which cells of a table to hide, given that every row total and every column total is published (a total
    /// that is itself small is hidden, and then gives nothing away).
    /// </summary>
    public static bool[,] Hide(long[,] cells)
    {
        int rows = cells.GetLength(0), columns = cells.GetLength(1);
        var hidden = new bool[rows, columns];
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < columns; c++)
            {
                hidden[r, c] = IsSmall(cells[r, c]);
            }
        }
        var rowTotals = Enumerable.Range(0, rows).Select(r => Enumerable.Range(0, columns).Sum(c => cells[r, c])).ToArray();
        var columnTotals = Enumerable.Range(0, columns).Select(c => Enumerable.Range(0, rows).Sum(r => cells[r, c])).ToArray();

        bool changed;
        do
        {
            changed = false;
            for (var r = 0; r < rows; r++)
            {
                if (!IsSmall(rowTotals[r]))
                {
                    changed |= HideSecond(Enumerable.Range(0, columns).Select(c => (r, c)).ToList());
                }
            }
            for (var c = 0; c < columns; c++)
            {
                if (!IsSmall(columnTotals[c]))
                {
                    changed |= HideSecond(Enumerable.Range(0, rows).Select(r => (r, c)).ToList());
                }
            }
        }
        while (changed);
        return hidden;

        bool HideSecond(List<(int Row, int Column)> line)
        {
            if (line.Count(p => hidden[p.Row, p.Column]) != 1)
            {
                return false;
            }
            var candidates = line.Where(p => !hidden[p.Row, p.Column] && cells[p.Row, p.Column] > 0).ToList();
            if (candidates.Count == 0)
            {
                return false;
            }
            var smallest = candidates.MinBy(p => cells[p.Row, p.Column]);
            hidden[smallest.Row, smallest.Column] = true;
            return true;
        }
    }

    /// <summary>One column of figures whose total is published: which to hide.</summary>
    public static bool[] HideWithTotal(IReadOnlyList<long> values)
    {
        var cells = new long[values.Count, 1];
        for (var i = 0; i < values.Count; i++)
        {
            cells[i, 0] = values[i];
        }
        var hidden = Hide(cells);
        return Enumerable.Range(0, values.Count).Select(i => hidden[i, 0]).ToArray();
    }

    /// <summary>
    /// A rate is shown only when both its parts are: 3 of 4 consenting is as telling as the 3 and the 4.
    /// </summary>
    public static string Rate(long numerator, long denominator) =>
        denominator == 0 ? "–" : IsSmall(numerator) || IsSmall(denominator) ? Small : (numerator / (double)denominator).ToString("P0", Uk);

    public static double? RateValue(long numerator, long denominator) =>
        denominator == 0 || IsSmall(numerator) || IsSmall(denominator) ? null : Math.Round(numerator / (double)denominator, 4);
}
