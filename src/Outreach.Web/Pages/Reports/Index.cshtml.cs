using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Outreach.Data;
using Outreach.Data.Reach;

namespace Outreach.Web.Pages.Reports;

/// <summary>
/// Reach and impact for the commissioner's office: headline figures, charts with their tables, coverage gaps and
/// CSV exports, all from the compiled figures and all suppressed (<see cref="Suppression"/>).
/// </summary>
public class IndexModel(ReportData reports, TimeProvider clock) : PageModel
{
    public const int GapPageSize = 25;

    [BindProperty(SupportsGet = true)]
    public string? From { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? To { get; set; }

    /// <summary>"" for every area, "r:Region name" for a commissioner area, or a local authority's id.</summary>
    [BindProperty(SupportsGet = true)]
    public string? Area { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Sort { get; set; }

    [BindProperty(SupportsGet = true, Name = "p")]
    public int GapPage { get; set; } = 1;

    public ReportFilter Filter { get; private set; } = null!;

    public ReportView View { get; private set; } = null!;

    public IReadOnlyList<AreaOption> AreaOptions { get; private set; } = [];

    public IReadOnlyList<SchoolGap> Gaps { get; private set; } = [];

    public long GapTotal => Gaps.Count == 0 ? 0 : Gaps[0].Total;

    public DateTime AcademicYearStart { get; private set; }

    public string? FilterError { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        await LoadFilterAsync(cancellationToken);
        GapPage = Math.Clamp(GapPage, 1, 100_000);
        View = new ReportView(await reports.FiguresAsync(Filter, cancellationToken));
        Gaps = await reports.GapsAsync(Filter, AcademicYearStart, Sort ?? "pupils", GapPage, GapPageSize, cancellationToken);
    }

    public async Task<IActionResult> OnGetCsvAsync(string? table, CancellationToken cancellationToken)
    {
        await LoadFilterAsync(cancellationToken);
        string csv;
        if (table == "gaps")
        {
            var gaps = await reports.GapsAsync(Filter, AcademicYearStart, Sort ?? "pupils", 1, 100_000, cancellationToken);
            csv = new ReportTable("gaps", "Schools not visited this academic year", ["School", "Local authority", "Pupils", "Free school meals %"],
                gaps.Select(g => (IReadOnlyList<string>)
                [
                    g.Name, g.AreaName, g.Pupils?.ToString(CultureInfo.InvariantCulture) ?? "",
                    g.PercentageFsm?.ToString("0.0", CultureInfo.InvariantCulture) ?? "",
                ]).ToList()).ToCsv();
        }
        else
        {
            var view = new ReportView(await reports.FiguresAsync(Filter, cancellationToken));
            var found = view.Tables.FirstOrDefault(t => t.Name == table);
            if (found is null)
            {
                return NotFound();
            }
            csv = found.ToCsv();
        }
        var name = $"outreach-{table}-{Filter.FromMonth:yyyy-MM}-to-{Filter.ToMonth:yyyy-MM}.csv";
        return File(Encoding.UTF8.GetBytes(csv), "text/csv; charset=utf-8", name);
    }

    /// <summary>The chart's labels and series for wwwroot/js/reports.js, in a data- attribute (no inline script under the CSP).</summary>
    public static string ChartJson(ReportChart chart) => JsonSerializer.Serialize(new
    {
        title = chart.Title,
        labels = chart.Labels,
        series = chart.Series.Select(s => new { label = s.Label, values = s.Values }),
    });

    public string MonthValue(DateTime month) => month.ToString("yyyy-MM", CultureInfo.InvariantCulture);

    private async Task LoadFilterAsync(CancellationToken cancellationToken)
    {
        var today = UkTime.ToLocal(clock.GetUtcNow()).Date;
        var thisMonth = new DateTime(today.Year, today.Month, 1, 0, 0, 0, DateTimeKind.Unspecified);
        AcademicYearStart = new DateTime(today.Month >= 9 ? today.Year : today.Year - 1, 9, 1, 0, 0, 0, DateTimeKind.Unspecified);
        var to = ParseMonth(To) ?? thisMonth;
        var from = ParseMonth(From) ?? to.AddMonths(-11);
        if ((From is { Length: > 0 } && ParseMonth(From) is null) || (To is { Length: > 0 } && ParseMonth(To) is null))
        {
            FilterError = "Give months as year and month, e.g. 2026-04.";
        }
        if (from > to)
        {
            FilterError = "The first month is after the last; showing the twelve months to the last.";
            from = to.AddMonths(-11);
        }
        if (to.Year * 12 + to.Month - (from.Year * 12 + from.Month) > 120)
        {
            FilterError = "Choose at most ten years; showing the ten years to the last month.";
            from = to.AddMonths(-119);
        }
        AreaOptions = await reports.AreasAsync(cancellationToken);
        string? region = null;
        long? areaId = null;
        if (Area is { Length: > 2 } && Area.StartsWith("r:", StringComparison.Ordinal) && AreaOptions.Any(a => a.Region == Area[2..]))
        {
            region = Area[2..];
        }
        else if (long.TryParse(Area, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && AreaOptions.Any(a => a.Id == id))
        {
            areaId = id;
        }
        else
        {
            Area = "";
        }
        From = MonthValue(from);
        To = MonthValue(to);
        Filter = new ReportFilter(from, to, region, areaId);
    }

    private static DateTime? ParseMonth(string? value) =>
        DateTime.TryParseExact(value, "yyyy-MM", CultureInfo.InvariantCulture, DateTimeStyles.None, out var month) && month.Year is >= 2000 and <= 2100
            ? month
            : null;
}
