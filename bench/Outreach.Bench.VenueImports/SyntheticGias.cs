using System.Globalization;
using System.Text;
using CsvHelper;

namespace Outreach.Bench.VenueImports;

/// <summary>One establishment of a synthetic GIAS file; every value as text, as the file holds it.</summary>
public sealed record GiasSchool(
    string Urn,
    string LaCode,
    string LaName,
    string Name,
    string Status = "Open",
    string Postcode = "B8 2HB",
    string Pupils = "850",
    string PercentageFsm = "24.3",
    string Street = "Bromford Lane",
    string Town = "Birmingham",
    string OpenDate = "01-09-2012",
    string CloseDate = "",
    string Type = "Academy converter",
    string Phase = "Secondary",
    string Telephone = "01214644265",
    string Lsoa = "E01009001",
    string GssLaCode = "E08000025",
    string Region = "West Midlands");

/// <summary>
/// Writes files in the shape of the DfE's "Get Information about Schools" establishments download
/// (edubasealldata*.csv): its 139 columns, every value quoted, dates as DD-MM-YYYY, in UTF-8 or in
/// Windows-1252 as GIAS sends it. <see cref="National"/> makes a whole country's worth.
/// </summary>
public static class SyntheticGias
{
    public static readonly string[] Header =
    [
        "URN", "LA (code)", "LA (name)", "EstablishmentNumber", "EstablishmentName", "TypeOfEstablishment (code)",
        "TypeOfEstablishment (name)", "EstablishmentTypeGroup (code)", "EstablishmentTypeGroup (name)",
        "EstablishmentStatus (code)", "EstablishmentStatus (name)", "ReasonEstablishmentOpened (code)",
        "ReasonEstablishmentOpened (name)", "OpenDate", "ReasonEstablishmentClosed (code)",
        "ReasonEstablishmentClosed (name)", "CloseDate", "PhaseOfEducation (code)", "PhaseOfEducation (name)",
        "StatutoryLowAge", "StatutoryHighAge", "Boarders (code)", "Boarders (name)", "NurseryProvision (name)",
        "OfficialSixthForm (code)", "OfficialSixthForm (name)", "Gender (code)", "Gender (name)",
        "ReligiousCharacter (code)", "ReligiousCharacter (name)", "ReligiousEthos (name)", "Diocese (code)",
        "Diocese (name)", "AdmissionsPolicy (code)", "AdmissionsPolicy (name)", "SchoolCapacity",
        "SpecialClasses (code)", "SpecialClasses (name)", "CensusDate", "NumberOfPupils", "NumberOfBoys",
        "NumberOfGirls", "PercentageFSM", "TrustSchoolFlag (code)", "TrustSchoolFlag (name)", "Trusts (code)",
        "Trusts (name)", "SchoolSponsorFlag (name)", "SchoolSponsors (name)", "FederationFlag (name)",
        "Federations (code)", "Federations (name)", "UKPRN", "FEHEIdentifier", "FurtherEducationType (name)",
        "OfstedLastInsp", "OfstedSpecialMeasures (code)", "OfstedSpecialMeasures (name)", "LastChangedDate",
        "Street", "Locality", "Address3", "Town", "County (name)", "Postcode", "SchoolWebsite", "TelephoneNum",
        "HeadTitle (name)", "HeadFirstName", "HeadLastName", "HeadPreferredJobTitle", "BSOInspectorateName (name)",
        "InspectorateReport", "DateOfLastInspectionVisit", "NextInspectionVisit", "TeenMoth (name)",
        "TeenMothPlaces", "CCF (name)", "SENPRU (name)", "EBD (name)", "PlacesPRU", "FTProv (name)",
        "EdByOther (name)", "Section41Approved (name)", "SEN1 (name)", "SEN2 (name)", "SEN3 (name)", "SEN4 (name)",
        "SEN5 (name)", "SEN6 (name)", "SEN7 (name)", "SEN8 (name)", "SEN9 (name)", "SEN10 (name)", "SEN11 (name)",
        "SEN12 (name)", "SEN13 (name)", "TypeOfResourcedProvision (name)", "ResourcedProvisionOnRoll",
        "ResourcedProvisionCapacity", "SenUnitOnRoll", "SenUnitCapacity", "GOR (code)", "GOR (name)",
        "DistrictAdministrative (code)", "DistrictAdministrative (name)", "AdministrativeWard (code)",
        "AdministrativeWard (name)", "ParliamentaryConstituency (code)", "ParliamentaryConstituency (name)",
        "UrbanRural (code)", "UrbanRural (name)", "GSSLACode (name)", "Easting", "Northing",
        "CensusAreaStatisticWard (name)", "MSOA (name)", "LSOA (name)", "InspectorateName (name)", "SENStat",
        "SENNoStat", "BoardingEstablishment (name)", "PropsName", "PreviousLA (code)", "PreviousLA (name)",
        "PreviousEstablishmentNumber", "OfstedRating (name)", "RSCRegion (name)", "Country (name)", "UPRN",
        "SiteName", "QABName (code)", "QABName (name)", "EstablishmentAccredited (code)",
        "EstablishmentAccredited (name)", "QABReport", "CHNumber", "MSOA (code)", "LSOA (code)"
    ];

    private static readonly Dictionary<string, int> Index =
        Header.Select((name, i) => (name, i)).ToDictionary(p => p.name, p => p.i, StringComparer.Ordinal);

    public static Encoding Windows1252 { get; } = CodePagesEncodingProvider.Instance.GetEncoding(1252)!;

    /// <summary>A full row for the school: its own values where the importer reads them, plausible filler elsewhere.</summary>
    public static string[] Row(GiasSchool school)
    {
        var row = new string[Header.Length];
        for (var i = 0; i < Header.Length; i++)
        {
            row[i] = Header[i].EndsWith("(name)", StringComparison.Ordinal) ? "Not applicable"
                : Header[i].EndsWith("(code)", StringComparison.Ordinal) ? "0"
                : "";
        }
        var closed = school.Status.Equals("Closed", StringComparison.OrdinalIgnoreCase);
        Set(row, "URN", school.Urn);
        Set(row, "LA (code)", school.LaCode);
        Set(row, "LA (name)", school.LaName);
        Set(row, "EstablishmentNumber", (4000 + (school.Urn.GetHashCode(StringComparison.Ordinal) & 0xFFF)).ToString(CultureInfo.InvariantCulture));
        Set(row, "EstablishmentName", school.Name);
        Set(row, "TypeOfEstablishment (code)", "28");
        Set(row, "TypeOfEstablishment (name)", school.Type);
        Set(row, "EstablishmentTypeGroup (code)", "10");
        Set(row, "EstablishmentTypeGroup (name)", "Academies");
        Set(row, "EstablishmentStatus (code)", closed ? "2" : "1");
        Set(row, "EstablishmentStatus (name)", school.Status);
        Set(row, "OpenDate", school.OpenDate);
        Set(row, "CloseDate", school.CloseDate);
        Set(row, "ReasonEstablishmentClosed (name)", closed ? "Academy converter" : "Not applicable");
        Set(row, "PhaseOfEducation (code)", school.Phase == "Primary" ? "2" : "4");
        Set(row, "PhaseOfEducation (name)", school.Phase);
        Set(row, "StatutoryLowAge", school.Phase == "Primary" ? "4" : "11");
        Set(row, "StatutoryHighAge", school.Phase == "Primary" ? "11" : "16");
        Set(row, "Gender (name)", "Mixed");
        Set(row, "ReligiousCharacter (name)", "Does not apply");
        Set(row, "SchoolCapacity", closed ? "" : "1200");
        Set(row, "CensusDate", closed ? "" : "16-01-2025");
        Set(row, "NumberOfPupils", school.Pupils);
        Set(row, "PercentageFSM", school.PercentageFsm);
        Set(row, "UKPRN", "1" + school.Urn.PadLeft(7, '0'));
        Set(row, "LastChangedDate", "04-02-2025");
        Set(row, "Street", school.Street);
        Set(row, "Town", school.Town);
        Set(row, "Postcode", school.Postcode);
        Set(row, "SchoolWebsite", closed ? "" : "www.school" + school.Urn + ".sch.uk");
        Set(row, "TelephoneNum", school.Telephone);
        Set(row, "HeadTitle (name)", "Ms");
        Set(row, "HeadFirstName", "Alex");
        Set(row, "HeadLastName", "Morgan");
        Set(row, "HeadPreferredJobTitle", "Headteacher");
        Set(row, "GOR (code)", "F");
        Set(row, "GOR (name)", school.Region);
        Set(row, "DistrictAdministrative (code)", school.GssLaCode);
        Set(row, "DistrictAdministrative (name)", school.LaName);
        Set(row, "AdministrativeWard (code)", "E05011118");
        Set(row, "AdministrativeWard (name)", "Heartlands");
        Set(row, "ParliamentaryConstituency (code)", "E14001096");
        Set(row, "ParliamentaryConstituency (name)", "Birmingham Hodge Hill and Solihull North");
        Set(row, "UrbanRural (code)", "A1");
        Set(row, "UrbanRural (name)", "(England/Wales) Urban major conurbation");
        Set(row, "GSSLACode (name)", school.GssLaCode);
        Set(row, "Easting", "410736");
        Set(row, "Northing", "288870");
        Set(row, "MSOA (name)", school.LaName + " 030");
        Set(row, "LSOA (name)", school.LaName + " 030B");
        Set(row, "OfstedRating (name)", "Good");
        Set(row, "RSCRegion (name)", "West Midlands");
        Set(row, "Country (name)", "");
        Set(row, "UPRN", "10090" + school.Urn);
        Set(row, "MSOA (code)", "E02001857");
        Set(row, "LSOA (code)", school.Lsoa);
        return row;
    }

    private static void Set(string[] row, string column, string value) => row[Index[column]] = value;

    /// <summary>The header and rows as a CSV file, every value quoted as GIAS writes them.</summary>
    public static byte[] ToCsv(IEnumerable<string[]> rows, Encoding? encoding = null, IReadOnlyList<string>? header = null)
    {
        using var buffer = new MemoryStream();
        Write(buffer, rows, encoding, header);
        return buffer.ToArray();
    }

    public static void Write(Stream output, IEnumerable<string[]> rows, Encoding? encoding = null, IReadOnlyList<string>? header = null)
    {
        using var text = new StreamWriter(output, encoding ?? new UTF8Encoding(false), 1 << 16, leaveOpen: true);
        using var writer = CsvWriter.Create(text, CsvWriterOptions.Default with { Quoting = CsvQuoting.Always, ValidateFieldCount = false }, leaveOpen: true);
        writer.WriteRecord([.. header ?? Header]);
        foreach (var row in rows)
        {
            writer.WriteRecord(row);
        }
        writer.Flush();
    }

    /// <summary>A local authority: the DfE's number, its name, its ONS code and its region.</summary>
    public sealed record Authority(string LaCode, string Name, string GssCode, string Region);

    public static readonly Authority[] WestMidlands =
    [
        new("330", "Birmingham", "E08000025", "West Midlands"),
        new("331", "Coventry", "E08000026", "West Midlands"),
        new("332", "Dudley", "E08000027", "West Midlands"),
        new("333", "Sandwell", "E08000028", "West Midlands"),
        new("334", "Solihull", "E08000029", "West Midlands"),
        new("335", "Walsall", "E08000030", "West Midlands"),
        new("336", "Wolverhampton", "E08000031", "West Midlands"),
    ];

    private static readonly string[] Regions =
        ["North East", "North West", "Yorkshire and the Humber", "East Midlands", "East of England", "London", "South East", "South West"];

    private static readonly string[] Places =
        ["Hodge Hill", "Ward End", "Kingstanding", "Sparkhill", "Northfield", "Erdington", "Handsworth", "Lozells", "Stechford",
         "Tile Hill", "Foleshill", "Canley", "Netherton", "Tipton", "Oldbury", "Caldmore", "Bilston", "Wednesfield", "Aston",
         "Moseley", "Harborne", "Acocks Green", "Castle Vale", "Small Heath", "Balsall Heath", "Winson Green", "Ladywood"];

    private static readonly string[] Kinds =
        ["Primary School", "Academy", "Community College", "Junior and Infant School", "High School", "C of E Primary School",
         "Catholic Primary School", "Free School", "Park School", "Girls' School", "Boys' Academy"];

    private static readonly string[] Types =
        ["Academy converter", "Academy sponsor led", "Community school", "Voluntary aided school", "Foundation school",
         "Free schools", "Other independent school", "Community special school", "Pupil referral unit"];

    /// <summary>
    /// A country's worth of establishments: 152 local authorities (the seven West Midlands boroughs with
    /// their real numbers and codes), about 55% open and 45% closed as in the real file, names with
    /// apostrophes (curly ones too), and every <paramref name="badEvery"/>th row spoilt (0: none).
    /// </summary>
    public static IEnumerable<GiasSchool> National(int count, int seed = 2026, int badEvery = 0)
    {
        var random = new Random(seed);
        var authorities = WestMidlands.Concat(Enumerable.Range(0, 145).Select(i =>
        {
            // London boroughs' 201 to 213, then county and unitary numbers from 800: none is a West Midlands one.
            var code = (i < 13 ? 201 + i : 800 + i - 13).ToString(CultureInfo.InvariantCulture);
            return new Authority(code, $"Authority {code}", $"E06{i + 1:000000}", Regions[i % Regions.Length]);
        })).ToArray();
        for (var n = 0; n < count; n++)
        {
            var la = authorities[n % 7 == 0 ? random.Next(7) : random.Next(authorities.Length)];
            var closed = random.NextDouble() < 0.45;
            var place = Places[random.Next(Places.Length)];
            var name = random.Next(20) switch
            {
                0 => $"St Mary\u2019s {Kinds[random.Next(Kinds.Length)]}",
                1 => $"St John's {Kinds[random.Next(Kinds.Length)]}",
                _ => $"{place} {Kinds[random.Next(Kinds.Length)]}",
            };
            var primary = name.Contains("Primary", StringComparison.Ordinal) || name.Contains("Infant", StringComparison.Ordinal);
            var school = new GiasSchool(
                Urn: (100000 + n).ToString(CultureInfo.InvariantCulture),
                LaCode: la.LaCode,
                LaName: la.Name,
                Name: name,
                Status: closed ? "Closed" : random.Next(30) == 0 ? "Open, but proposed to close" : "Open",
                Postcode: closed && random.Next(10) == 0 ? "" : Postcode(random),
                Pupils: closed ? "" : random.Next(primary ? 90 : 400, primary ? 700 : 2000).ToString(CultureInfo.InvariantCulture),
                PercentageFsm: closed ? "" : random.Next(50) == 0 ? "SUPP" : (random.Next(0, 650) / 10.0).ToString("0.0", CultureInfo.InvariantCulture),
                Street: $"{random.Next(1, 300)} {place} Road",
                Town: la.Name,
                OpenDate: random.Next(3) == 0 ? "" : new DateOnly(1960, 1, 1).AddDays(random.Next(23_000)).ToString("dd-MM-yyyy", CultureInfo.InvariantCulture),
                CloseDate: closed ? new DateOnly(1995, 1, 1).AddDays(random.Next(11_000)).ToString("dd-MM-yyyy", CultureInfo.InvariantCulture) : "",
                Type: Types[random.Next(Types.Length)],
                Phase: primary ? "Primary" : "Secondary",
                Telephone: "0" + random.NextInt64(1_000_000_000, 2_000_000_000).ToString(CultureInfo.InvariantCulture),
                Lsoa: $"E0{random.Next(1_000_000, 1_035_000)}",
                GssLaCode: la.GssCode,
                Region: la.Region);
            if (badEvery > 0 && n % badEvery == badEvery - 1)
            {
                school = school with { Pupils = "about 300" };
            }
            yield return school;
        }
    }

    private static string Postcode(Random random)
    {
        const string letters = "ABDEFGHJLNPQRSTUWXYZ";
        string[] areas = ["B", "CV", "DY", "WS", "WV", "M", "LS", "NE", "SE", "N", "BS", "NG"];
        return string.Create(CultureInfo.InvariantCulture,
            $"{areas[random.Next(areas.Length)]}{random.Next(1, 40)} {random.Next(10)}{letters[random.Next(letters.Length)]}{letters[random.Next(letters.Length)]}");
    }
}
