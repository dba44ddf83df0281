using System.Globalization;
using System.Text;
using Dapper;
using Npgsql;
using Outreach.Bench.VenueImports;
using Outreach.Tests.Infrastructure;

namespace Outreach.Tests.Data;

/// <summary>
/// GIAS and ODS files for import tests, with URNs, site codes and local authority numbers no other test
/// uses (URNs and DfE numbers are unique across the whole database).
/// </summary>
internal static class ImportFiles
{
    private static readonly HashSet<string> Handed = [];

    public static string Urn() => Fresh(() => Random.Shared.Next(9_000_000, 9_999_999).ToString(CultureInfo.InvariantCulture));

    public static string SiteCode() => Fresh(() => "Z" + Random.Shared.Next(10_000, 99_999).ToString(CultureInfo.InvariantCulture));

    /// <summary>A three-digit DfE local authority number that no area has yet.</summary>
    public static async Task<string> LaCodeAsync(NpgsqlDataSource db)
    {
        await using var c = await db.OpenConnectionAsync();
        var used = (await c.QueryAsync<string>("SELECT dfe_code FROM outreach.areas WHERE dfe_code IS NOT NULL")).ToHashSet();
        return Fresh(() => Random.Shared.Next(400, 1000).ToString(CultureInfo.InvariantCulture), used.Contains);
    }

    /// <summary>An area that already has a DfE number, as the migration gives the West Midlands boroughs.</summary>
    public static async Task<(long Id, string LaCode)> AuthorityAsync(NpgsqlDataSource db)
    {
        var laCode = await LaCodeAsync(db);
        var id = await TestData.AreaAsync(db);
        await using var c = await db.OpenConnectionAsync();
        await c.ExecuteAsync("UPDATE outreach.areas SET dfe_code = @laCode WHERE id = @id", new { laCode, id });
        return (id, laCode);
    }

    public static GiasSchool School(string laCode, string? urn = null, string? name = null) =>
        new(urn ?? Urn(), laCode, $"Authority {laCode}", name ?? TestData.Unique("School"), GssLaCode: "T" + Guid.NewGuid().ToString("N")[..9].ToUpperInvariant());

    public static byte[] Gias(params GiasSchool[] schools) => SyntheticGias.ToCsv(schools.Select(SyntheticGias.Row));

    public static byte[] Gias(IEnumerable<string[]> rows, Encoding? encoding = null) => SyntheticGias.ToCsv(rows, encoding);

    /// <summary>An ets.csv row: code, name, address lines, postcode, open and close dates (YYYYMMDD), in the file's 27 columns.</summary>
    public static string[] Site(string code, string name, string postcode, string opened = "20010401", string closed = "") =>
    [
        code, name, "Y60", "QHL", "METCHLEY PARK ROAD", "EDGBASTON", "BIRMINGHAM", "WEST MIDLANDS", "", postcode, opened, closed,
        "", "", code[..3], "", "", "0121 371 2000", "", "", "", "", "", "", "", "", "",
    ];

    public static byte[] Ods(params string[][] rows)
    {
        var text = new StringBuilder();
        foreach (var row in rows)
        {
            text.Append(string.Join(",", row.Select(v => $"\"{v.Replace("\"", "\"\"", StringComparison.Ordinal)}\""))).Append("\r\n");
        }
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private static string Fresh(Func<string> next, Func<string, bool>? taken = null)
    {
        lock (Handed)
        {
            while (true)
            {
                var value = next();
                if (!(taken?.Invoke(value) ?? false) && Handed.Add(value))
                {
                    return value;
                }
            }
        }
    }
}
