using System.Globalization;
using System.Text.RegularExpressions;

namespace Outreach.Data.Venues;

/// <summary>
/// The Department for Education's "Get Information about Schools" establishments file
/// (edubasealldata*.csv): a header row, then one row per establishment in some 140 columns.
/// Only the columns named here are read; a missing optional column reads as blank.
/// </summary>
internal sealed partial class GiasCsv
{
    public static readonly string[] HeaderStart = ["URN", "LA (code)", "LA (name)", "EstablishmentNumber", "EstablishmentName"];

    private static readonly string[] Required = ["EstablishmentStatus (name)", "Postcode"];

    private readonly int _width;
    private readonly HashSet<string>? _laCodes;
    private readonly Dictionary<string, int> _seenUrns = new(StringComparer.Ordinal);
    private readonly int _urn, _laCode, _laName, _name, _type, _status, _phase, _pupils, _fsm;
    private readonly int _street, _locality, _address3, _town, _postcode, _phone, _website, _lsoa;
    private readonly int _openDate, _closeDate, _region, _gssLaCode;

    /// <param name="header">The file's header row.</param>
    /// <param name="laCodes">The DfE local authority numbers to take; null takes them all.</param>
    public GiasCsv(IReadOnlyList<string> header, IReadOnlyCollection<string>? laCodes)
    {
        _width = header.Count;
        _laCodes = laCodes is null ? null : new HashSet<string>(laCodes, StringComparer.Ordinal);
        int Column(string name)
        {
            for (var i = 0; i < header.Count; i++)
            {
                if (string.Equals(header[i].Trim(), name, StringComparison.OrdinalIgnoreCase))
                {
                    return i;
                }
            }
            return -1;
        }
        _urn = Column("URN");
        _laCode = Column("LA (code)");
        _laName = Column("LA (name)");
        _name = Column("EstablishmentName");
        _type = Column("TypeOfEstablishment (name)");
        _status = Column("EstablishmentStatus (name)");
        _phase = Column("PhaseOfEducation (name)");
        _pupils = Column("NumberOfPupils");
        _fsm = Column("PercentageFSM");
        _street = Column("Street");
        _locality = Column("Locality");
        _address3 = Column("Address3");
        _town = Column("Town");
        _postcode = Column("Postcode");
        _phone = Column("TelephoneNum");
        _website = Column("SchoolWebsite");
        _lsoa = Column("LSOA (code)");
        _openDate = Column("OpenDate");
        _closeDate = Column("CloseDate");
        _region = Column("GOR (name)");
        _gssLaCode = Column("GSSLACode (name)");
    }

    /// <summary>Why the header is not a GIAS establishments header, in words for the coordinator, or null.</summary>
    public static string? WhyNotGias(IReadOnlyList<string> header)
    {
        var start = header.Take(HeaderStart.Length).Select(h => h.Trim()).ToList();
        if (!start.SequenceEqual(HeaderStart, StringComparer.OrdinalIgnoreCase))
        {
            if (header.Count > 0 && header[0].Trim().Length > 0 && header.Count >= 12 && OrganisationCode().IsMatch(header[0].Trim()))
            {
                return "This looks like an NHS ODS file, not a GIAS schools file. Choose \"Hospital sites (NHS ODS ets.csv)\", or upload the GIAS file.";
            }
            return $"This is not a GIAS establishments file: its first line should begin {string.Join(",", HeaderStart)}, but it begins {string.Join(",", start.Take(3))}.";
        }
        var missing = Required.Where(r => !header.Any(h => string.Equals(h.Trim(), r, StringComparison.OrdinalIgnoreCase))).ToList();
        return missing.Count == 0 ? null : $"The file has no {string.Join(" or ", missing.Select(m => $"\"{m}\""))} column. Download the full establishments file from GIAS.";
    }

    /// <summary>Checks the current record; null when it belongs to a local authority that was not chosen.</summary>
    public StagedRow? Check(CsvRows rows)
    {
        var laCode = rows.Get(_laCode);
        var laCodeValid = LaCode().IsMatch(laCode);
        if (laCodeValid && _laCodes is not null && !_laCodes.Contains(laCode))
        {
            return null;
        }

        var row = new StagedRow { Line = rows.Line };
        if (rows.QuotingProblem() is { } quoting)
        {
            row.Problem("(whole row)", $"The row has {quoting}.");
        }
        if (rows.FieldCount != _width)
        {
            row.Problem("(whole row)", $"The row has {rows.FieldCount} values but the header has {_width} columns.");
        }

        var urn = rows.Get(_urn);
        if (urn.Length == 0)
        {
            row.Problem("URN", "The URN is missing.");
        }
        else if (!Urn().IsMatch(urn))
        {
            row.Problem("URN", $"'{urn}' is not a URN (a number such as 103521).");
        }
        else if (_seenUrns.TryGetValue(urn, out var firstLine))
        {
            row.Problem("URN", $"URN {urn} is also on line {firstLine}.");
        }
        else
        {
            _seenUrns[urn] = row.Line;
        }
        // A value this long is already refused above; its start is enough to show, and fits the reference index.
        row.Ref = Truncate(urn, 100);

        if (!laCodeValid)
        {
            row.Problem("LA (code)", laCode.Length == 0
                ? "The local authority number is missing."
                : $"'{laCode}' is not a local authority number (three digits, such as 330).");
        }
        row.LaCode = laCode;
        row.LaName = ImportFile.Tidy(rows.Get(_laName));
        if (row.LaName.Length == 0)
        {
            row.Problem("LA (name)", "The local authority name is missing.");
        }
        row.LaOnsCode = StagedRow.OrNull(rows.Get(_gssLaCode).ToUpperInvariant());
        row.Region = StagedRow.OrNull(ImportFile.Tidy(rows.Get(_region)));

        row.Name = ImportFile.Tidy(rows.Get(_name));
        if (row.Name.Length == 0)
        {
            row.Problem("EstablishmentName", "The school's name is missing.");
        }
        else if (row.Name.Length > 200)
        {
            row.Problem("EstablishmentName", "The name is longer than 200 characters.");
        }

        var status = rows.Get(_status);
        row.Status = status.ToUpperInvariant() switch
        {
            "OPEN" or "OPEN, BUT PROPOSED TO CLOSE" or "PROPOSED TO OPEN" => "open",
            "CLOSED" => "closed",
            _ => null,
        };
        if (row.Status is null)
        {
            row.Problem("EstablishmentStatus (name)", status.Length == 0
                ? "The status is missing."
                : $"'{status}' is not a GIAS status (Open, Closed, Open, but proposed to close, Proposed to open).");
        }

        var postcode = rows.Get(_postcode);
        if (postcode.Length == 0)
        {
            // Closed schools often have no postcode left; that only matters for one we would add.
            if (row.Status != "closed")
            {
                row.Problem("Postcode", "The postcode is missing.");
            }
        }
        else if (ImportFile.NormalisePostcode(postcode) is { } tidy)
        {
            row.Postcode = tidy;
        }
        else
        {
            row.Problem("Postcode", $"'{postcode}' is not a UK postcode.");
        }

        row.Address = string.Join(", ", new[] { _street, _locality, _address3, _town }
            .Select(i => ImportFile.Tidy(rows.Get(i))).Where(part => part.Length > 0));
        if (row.Address.Length > 300)
        {
            row.Problem("Street", "The address is longer than 300 characters.");
        }
        row.Phone = Truncate(ImportFile.Tidy(rows.Get(_phone)), 40);
        row.Website = Truncate(rows.Get(_website), 200);
        row.EstablishmentType = StagedRow.OrNull(ImportFile.Tidy(rows.Get(_type)));
        row.Phase = StagedRow.OrNull(ImportFile.Tidy(rows.Get(_phase)));
        row.LsoaCode = StagedRow.OrNull(rows.Get(_lsoa).ToUpperInvariant());

        var pupils = rows.Get(_pupils);
        if (pupils.Length > 0)
        {
            if (int.TryParse(pupils, NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count <= 100_000)
            {
                row.Pupils = count;
            }
            else
            {
                row.Problem("NumberOfPupils", $"'{pupils}' is not a whole number of pupils.");
            }
        }

        var fsm = rows.Get(_fsm);
        if (fsm.Length > 0 && !fsm.Equals("SUPP", StringComparison.OrdinalIgnoreCase) && !fsm.Equals("NA", StringComparison.OrdinalIgnoreCase))
        {
            if (decimal.TryParse(fsm, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var percentage) && percentage <= 100)
            {
                row.PercentageFsm = Math.Round(percentage, 2);
            }
            else
            {
                row.Problem("PercentageFSM", $"'{fsm}' is not a percentage from 0 to 100.");
            }
        }

        row.OpenedOn = Date(rows, _openDate, "OpenDate", row);
        row.ClosedOn = Date(rows, _closeDate, "CloseDate", row);

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
        if (DateOnly.TryParseExact(text, "dd-MM-yyyy", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return date;
        }
        row.Problem(column, $"'{text}' is not a date in the form DD-MM-YYYY.");
        return null;
    }

    // Never between the two halves of a surrogate pair (an emoji, say): half of one cannot be stored.
    private static string Truncate(string text, int length) =>
        text.Length <= length ? text : text[..(char.IsHighSurrogate(text[length - 1]) ? length - 1 : length)];

    [GeneratedRegex("^[0-9]{3}$")]
    private static partial Regex LaCode();

    [GeneratedRegex("^[0-9]{5,8}$")]
    private static partial Regex Urn();

    [GeneratedRegex("^[A-Z0-9]{3,10}$")]
    private static partial Regex OrganisationCode();
}
