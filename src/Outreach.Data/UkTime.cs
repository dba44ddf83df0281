namespace Outreach.Data;

/// <summary>
/// The database keeps UTC; people think in UK local time. Conversions happen only at the edges
/// (form input, display, SMS text), through this one zone.
/// </summary>
public static class UkTime
{
    public static readonly TimeZoneInfo Zone = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");

    public static DateTimeOffset ToLocal(DateTimeOffset utc) => TimeZoneInfo.ConvertTime(utc, Zone);

    public static DateTime ToLocal(DateTime utc) =>
        TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), Zone);

    /// <summary>
    /// Reads a wall-clock time as UK local time. A time that does not exist (skipped in the spring
    /// clock change) is refused; an ambiguous one (repeated in the autumn) is taken as the first,
    /// summer-time occurrence.
    /// </summary>
    public static bool TryToUtc(DateTime local, out DateTime utc)
    {
        var unspecified = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        if (Zone.IsInvalidTime(unspecified))
        {
            utc = default;
            return false;
        }
        var offset = Zone.IsAmbiguousTime(unspecified)
            ? Zone.GetAmbiguousTimeOffsets(unspecified).Max()
            : Zone.GetUtcOffset(unspecified);
        utc = DateTime.SpecifyKind(unspecified - offset, DateTimeKind.Utc);
        return true;
    }

    /// <summary>The instant a UK calendar day begins. Midnight always exists here: the clocks change at 01:00 and 02:00.</summary>
    public static DateTime StartOfDay(DateOnly day)
    {
        TryToUtc(day.ToDateTime(TimeOnly.MinValue), out var utc);
        return utc;
    }

    public static string Format(DateTime utc, string format = "ddd d MMM yyyy HH:mm") =>
        ToLocal(utc).ToString(format, System.Globalization.CultureInfo.GetCultureInfo("en-GB"));
}
