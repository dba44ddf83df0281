using System.Globalization;
using System.Text.RegularExpressions;

namespace Outreach.Data.Venues;

/// <summary>
/// The NHS Organisation Data Service's trust sites file (ets.csv): no header; column 1 the
/// organisation code, 2 the name, 5 to 9 the address lines, 10 the postcode, 11 and 12 the open and
/// close dates as YYYYMMDD, 18 the telephone number. Names and addresses are in capitals.
/// </summary>
internal sealed partial class OdsCsv(DateOnly today)
{
    public const int MinimumColumns = 12;

    private const string CodeColumn = "Organisation code (column 1)";
    private const string NameColumn = "Name (column 2)";
    private const string PostcodeColumn = "Postcode (column 10)";

    private readonly Dictionary<string, int> _seenCodes = new(StringComparer.Ordinal);

    /// <summary>Why the first record shows this is not an ets.csv file, in words for the coordinator, or null.</summary>
    public static string? WhyNotOds(IReadOnlyList<string> firstRecord)
    {
        if (firstRecord.Count > 0 && string.Equals(firstRecord[0].Trim(), "URN", StringComparison.OrdinalIgnoreCase))
        {
            return "This looks like a GIAS schools file, not the NHS ODS sites file. Choose \"Schools (GIAS)\", or upload ets.csv.";
        }
        if (firstRecord.Count < MinimumColumns)
        {
            return $"This is not the NHS ODS ets.csv file: its first line has {firstRecord.Count} column{(firstRecord.Count == 1 ? "" : "s")}, and ets.csv has at least {MinimumColumns} (organisation code, name, address, postcode, open and close dates).";
        }
        return null;
    }

    public StagedRow Check(CsvRows rows)
    {
        var row = new StagedRow { Line = rows.Line };
        if (rows.QuotingProblem() is { } quoting)
        {
            row.Problem("(whole row)", $"The row has {quoting}.");
        }
        if (rows.FieldCount < MinimumColumns)
        {
            row.Problem("(whole row)", $"The row has {rows.FieldCount} values; ets.csv rows have at least {MinimumColumns}.");
        }

        var code = rows.Get(0).ToUpperInvariant();
        if (code.Length == 0)
        {
            row.Problem(CodeColumn, "The organisation code is missing.");
        }
        else if (!Code().IsMatch(code))
        {
            row.Problem(CodeColumn, $"'{code}' is not an ODS organisation code (letters and digits, such as RRK15).");
        }
        else if (_seenCodes.TryGetValue(code, out var firstLine))
        {
            row.Problem(CodeColumn, $"Code {code} is also on line {firstLine}.");
        }
        else
        {
            _seenCodes[code] = row.Line;
        }
        // A value this long is already refused above; its start is enough to show, and fits the reference index.
        row.Ref = code.Length <= 100 ? code : code[..(char.IsHighSurrogate(code[99]) ? 99 : 100)];

        row.Name = ImportFile.TitleCaseIfShouting(ImportFile.Tidy(rows.Get(1)));
        if (row.Name.Length == 0)
        {
            row.Problem(NameColumn, "The site's name is missing.");
        }
        else if (row.Name.Length > 200)
        {
            row.Problem(NameColumn, "The name is longer than 200 characters.");
        }

        row.Address = string.Join(", ", Enumerable.Range(4, 5)
            .Select(i => ImportFile.TitleCaseIfShouting(ImportFile.Tidy(rows.Get(i)))).Where(part => part.Length > 0));

        var postcode = rows.Get(9);
        if (postcode.Length == 0)
        {
            row.Problem(PostcodeColumn, "The postcode is missing.");
        }
        else if (ImportFile.NormalisePostcode(postcode) is { } tidy)
        {
            row.Postcode = tidy;
        }
        else
        {
            row.Problem(PostcodeColumn, $"'{postcode}' is not a UK postcode.");
        }

        row.OpenedOn = Date(rows, 10, "Open date (column 11)", row);
        row.ClosedOn = Date(rows, 11, "Close date (column 12)", row);
        row.Status = row.ClosedOn is { } closed && closed <= today ? "closed" : "open";
        var phone = ImportFile.Tidy(rows.Get(17));
        row.Phone = phone.Length <= 40 ? phone : phone[..(char.IsHighSurrogate(phone[39]) ? 39 : 40)];

        if (row.Rejected)
        {
            row.Fields = rows.Fields();
        }
        return row;
    }

    private static DateOnly? Date(CsvRows rows, int index, string column, StagedRow row)
    {
        var text = rows.Get(index);
        if (text.Length == 0)
        {
            return null;
        }
        if (DateOnly.TryParseExact(text, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return date;
        }
        row.Problem(column, $"'{text}' is not a date in the form YYYYMMDD.");
        return null;
    }

    [GeneratedRegex("^[A-Z0-9]{3,10}$")]
    private static partial Regex Code();
}
