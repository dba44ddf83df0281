using System.Text;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Outreach.Data.Reach;

namespace Outreach.Web.Pages.Reports;

/// <summary>Every issued monthly report: the printable document, its PDF and the CSV files of its tables.</summary>
public class ArchiveModel(MonthlyReportData archive) : PageModel
{
    public IReadOnlyList<IssuedReport> Reports { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Reports = await archive.ListAsync(cancellationToken);
    }

    public async Task<IActionResult> OnGetViewAsync(long id, CancellationToken cancellationToken) =>
        await archive.HtmlAsync(id, cancellationToken) is { } html ? Content(html, "text/html; charset=utf-8") : NotFound();

    public async Task<IActionResult> OnGetPdfAsync(long id, CancellationToken cancellationToken) =>
        await archive.PdfAsync(id, cancellationToken) is { } pdf ? File(pdf, "application/pdf", $"outreach-report-{id}.pdf") : NotFound();

    public async Task<IActionResult> OnGetCsvAsync(long id, string? name, CancellationToken cancellationToken)
    {
        var file = name is null ? null : await archive.FileAsync(id, name, cancellationToken);
        return file is null ? NotFound() : File(Encoding.UTF8.GetBytes(file.Content), "text/csv; charset=utf-8", file.Name);
    }
}
