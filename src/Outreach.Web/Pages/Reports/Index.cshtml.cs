using Microsoft.AspNetCore.Mvc.RazorPages;
using Outreach.Data;
using Outreach.Data.Reach;

namespace Outreach.Web.Pages.Reports;

/// <summary>Reach: sessions delivered and young people reached, from the compiled figures only.</summary>
public class IndexModel(ReachData reach, TimeProvider clock) : PageModel
{
    public ReachTotals Totals { get; private set; } = new(0, 0, null);

    public IReadOnlyList<ReachRow> Rows { get; private set; } = [];

    public DateTime FromMonth { get; private set; }

    public DateTime ToMonth { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        var today = UkTime.ToLocal(clock.GetUtcNow()).Date;
        ToMonth = new DateTime(today.Year, today.Month, 1, 0, 0, 0, DateTimeKind.Unspecified);
        FromMonth = ToMonth.AddMonths(-11);
        Totals = await reach.TotalsAsync(FromMonth, ToMonth, cancellationToken);
        Rows = await reach.ByMonthAndAreaAsync(FromMonth, ToMonth, cancellationToken);
    }

    /// <summary>Counts from 1 to 4 could identify a young person: every commissioner view shows them as "&lt;5".</summary>
    public static string Suppressed(long value) => value is > 0 and < 5 ? "<5" : value.ToString("N0", System.Globalization.CultureInfo.GetCultureInfo("en-GB"));
}
