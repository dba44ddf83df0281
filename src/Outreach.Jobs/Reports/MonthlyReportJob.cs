using Microsoft.Extensions.Logging;
using Outreach.Data;
using Outreach.Data.Reach;

namespace Outreach.Jobs.Reports;

/// <summary>
/// Issues the previous month's impact report on the 1st (or a given month): compiles what changed, renders the
/// document and its CSV tables, and stores them once. A month already issued is left as it was.
/// </summary>
public sealed class MonthlyReportJob(
    ImpactData impact, ReportData reports, MonthlyReportData archive, MonthlyReportRenderer renderer, TimeProvider clock,
    ILogger<MonthlyReportJob> logger)
{
    public async Task RunAsync(DateTime? month, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var today = UkTime.ToLocal(now);
        var target = month is { } given
            ? new DateTime(given.Year, given.Month, 1, 0, 0, 0, DateTimeKind.Unspecified)
            : new DateTime(today.Year, today.Month, 1, 0, 0, 0, DateTimeKind.Unspecified).AddMonths(-1);
        if (await archive.ExistsAsync(target, cancellationToken))
        {
            logger.LogInformation("The report for {Month:yyyy-MM} was already issued", target);
            return;
        }

        await impact.CompileAsync(CompileMode.Incremental, null, cancellationToken);
        var view = new ReportView(await reports.FiguresAsync(new ReportFilter(target, target, null, null), cancellationToken));
        var title = $"Outreach impact report, {target.ToString("MMMM yyyy", System.Globalization.CultureInfo.GetCultureInfo("en-GB"))}";
        var html = await renderer.RenderAsync(view, title, now);
        var pdf = await renderer.PrintToPdfAsync(html, cancellationToken);
        var files = view.Tables.Select(t => new ReportFile($"{t.Name}.csv", t.ToCsv())).ToList();
        var issued = await archive.IssueAsync(target, title, html, pdf, files, now, cancellationToken);
        logger.LogInformation("Monthly report for {Month:yyyy-MM}: {Outcome}", target, issued ? "issued" : "already issued");
    }
}
