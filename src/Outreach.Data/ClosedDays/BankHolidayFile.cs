using System.Globalization;
using System.Text.Json;

namespace Outreach.Data.ClosedDays;

public sealed record BankHoliday(DateOnly Date, string Title);

/// <summary>
/// Reads GOV.UK's <c>bank-holidays.json</c> (https://www.gov.uk/bank-holidays.json): one object per
/// division, each with an <c>events</c> array of <c>{"title", "date": "YYYY-MM-DD", "notes", "bunting"}</c>.
/// Only England and Wales applies here. The whole file is checked before anything is written.
/// </summary>
public static class BankHolidayFile
{
    public const string Division = "england-and-wales";

    public static Outcome<IReadOnlyList<BankHoliday>> Parse(string json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line ? $" near line {line + 1}" : "";
            return Fail($"The file is not valid JSON{where}. Download bank-holidays.json from GOV.UK again and upload it unchanged.");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return Fail("This is not GOV.UK's bank holidays file: it should be an object with one entry per division.");
            }
            if (!root.TryGetProperty(Division, out var division) || division.ValueKind != JsonValueKind.Object)
            {
                return Fail($"This is not GOV.UK's bank holidays file: it has no \"{Division}\" division.");
            }
            if (!division.TryGetProperty("events", out var events) || events.ValueKind != JsonValueKind.Array)
            {
                return Fail($"The \"{Division}\" division has no list of events.");
            }

            var holidays = new List<BankHoliday>();
            var seen = new HashSet<DateOnly>();
            var index = 0;
            foreach (var item in events.EnumerateArray())
            {
                index++;
                if (item.ValueKind != JsonValueKind.Object)
                {
                    return Fail($"Event {index} of \"{Division}\" is not an object.");
                }
                var title = item.TryGetProperty("title", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()!.Trim() : "";
                if (title.Length == 0)
                {
                    return Fail($"Event {index} of \"{Division}\" has no title.");
                }
                if (title.Length > 200)
                {
                    return Fail($"Event {index} of \"{Division}\" has a title longer than 200 characters.");
                }
                var dateText = item.TryGetProperty("date", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
                if (!DateOnly.TryParseExact(dateText, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
                {
                    return Fail($"Event {index} of \"{Division}\" ({title}) has no date in the form YYYY-MM-DD.");
                }
                if (!seen.Add(date))
                {
                    return Fail($"Event {index} of \"{Division}\" ({title}) repeats the date {dateText}.");
                }
                holidays.Add(new BankHoliday(date, title));
            }
            if (holidays.Count == 0)
            {
                return Fail($"The \"{Division}\" division lists no bank holidays.");
            }
            return Outcome<IReadOnlyList<BankHoliday>>.Ok(holidays);
        }
    }

    private static Outcome<IReadOnlyList<BankHoliday>> Fail(string message) =>
        Outcome<IReadOnlyList<BankHoliday>>.Fail("File", message);
}
