using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Net.Http.Headers;
using Outreach.Data;
using Outreach.Data.Audit;
using Outreach.Web.Infrastructure;

namespace Outreach.Web.Pages.Admin;

/// <summary>Searching the audit log (who did what, when, from where) and exporting what a search finds.</summary>
public class AuditModel(AuditQueryData audit, TimeProvider clock) : PageModel
{

    [BindProperty(SupportsGet = true)]
    [StringLength(200, ErrorMessage = "Keep this under 200 characters.")]
    [Display(Name = "Who (part of the name)")]
    public string? Who { get; set; }

    [BindProperty(SupportsGet = true)]
    [StringLength(100, ErrorMessage = "Keep this under 100 characters.")]
    [RegularExpression(@"^\s*[A-Za-z_]+\s*$", ErrorMessage = "An entity is one word, like session or youth_worker.")]
    [Display(Name = "Entity")]
    public string? Entity { get; set; }

    [BindProperty(SupportsGet = true)]
    [StringLength(100, ErrorMessage = "Keep the id under 100 characters.")]
    [Display(Name = "Entity id")]
    public string? EntityId { get; set; }

    [BindProperty(SupportsGet = true)]
    [StringLength(50, ErrorMessage = "Keep this under 50 characters.")]
    [RegularExpression(@"^\s*[A-Za-z_]+\s*$", ErrorMessage = "An action is one word, like create, update or export.")]
    [Display(Name = "What was done")]
    public string? What { get; set; }

    [BindProperty(SupportsGet = true)]
    [Display(Name = "From (UK date)")]
    public string? From { get; set; }

    [BindProperty(SupportsGet = true)]
    [Display(Name = "To (UK date)")]
    public string? To { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? PageNumber { get; set; }

    public AuditPage? Results { get; private set; }

    public bool Filtered => new[] { Who, Entity, EntityId, What, From, To }.Any(v => !string.IsNullOrWhiteSpace(v));

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        if (TryFilter(out var filter))
        {
            var page = int.TryParse(PageNumber, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 1;
            Results = await audit.SearchAsync(filter, page, cancellationToken);
        }
    }

    /// <summary>Every event the filters match, as CSV streamed straight from the database.</summary>
    public async Task<IActionResult> OnPostExportAsync()
    {
        if (!TryFilter(out var filter))
        {
            return Page();
        }
        var stamp = UkTime.ToLocal(clock.GetUtcNow()).ToString("yyyyMMdd-HHmm", CultureInfo.InvariantCulture);
        Response.ContentType = "text/csv; charset=utf-8";
        Response.Headers.ContentDisposition = new ContentDispositionHeaderValue("attachment") { FileName = $"audit-events-{stamp}.csv" }.ToString();
        await audit.WriteCsvAsync(filter, HttpContext.Actor(), Response.Body, HttpContext.RequestAborted);
        return new EmptyResult();
    }

    /// <summary>The route values of this search, for the paging links.</summary>
    public Dictionary<string, string> RouteFor(int page)
    {
        var values = new Dictionary<string, string?>
        {
            ["who"] = Who, ["entity"] = Entity, ["entityId"] = EntityId, ["what"] = What, ["from"] = From, ["to"] = To,
            ["pageNumber"] = page.ToString(CultureInfo.InvariantCulture),
        };
        return values.Where(v => !string.IsNullOrWhiteSpace(v.Value)).ToDictionary(v => v.Key, v => v.Value!);
    }

    private bool TryFilter(out AuditFilter filter)
    {
        var (from, to) = UkDateFilter.Read(ModelState, nameof(From), From, nameof(To), To);
        filter = new AuditFilter(Who, Entity?.Trim().ToLowerInvariant(), EntityId, What?.Trim().ToLowerInvariant(), from, to);
        return ModelState.IsValid;
    }
}
