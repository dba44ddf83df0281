using System.Globalization;
using Hangfire;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.Net.Http.Headers;
using Outreach.Data.Venues;
using Outreach.Jobs.Venues;
using Outreach.Web.Infrastructure;

namespace Outreach.Web.Pages.Venues;

public class ImportPreviewModel(VenueImportData imports, VenueData venues, IBackgroundJobClient jobs) : PageModel
{
    /// <summary>Imports writing up to this many rows commit while the coordinator waits; larger ones in a job.</summary>
    public const int InlineCommitRows = 5_000;

    public const int ProblemsShown = 500;
    public const int SitesPerPage = 50;

    public VenueImport Import { get; private set; } = null!;

    public ImportProgress? Progress { get; private set; }

    public ImportPlan? Plan { get; private set; }

    public IReadOnlyList<ImportProblem> Problems { get; private set; } = [];

    public IReadOnlyList<ImportAuthority> Authorities { get; private set; } = [];

    /// <summary>Local authority numbers the coordinator asked for that no row of the file has.</summary>
    public IReadOnlyList<string> MissingLaCodes { get; private set; } = [];

    public IReadOnlyList<ImportSite> SiteRows { get; private set; } = [];

    public long SitesTotal { get; private set; }

    public IReadOnlyList<SelectListItem> Areas { get; private set; } = [];

    [BindProperty(SupportsGet = true)]
    public string? Search { get; set; }

    [BindProperty(SupportsGet = true)]
    public bool MarkedOnly { get; set; }

    [BindProperty(SupportsGet = true, Name = "p")]
    public int SitesPage { get; set; } = 1;

    /// <summary>The marks posted for the sites shown on the page.</summary>
    [BindProperty]
    public List<SiteInput> Sites { get; set; } = [];

    public sealed class SiteInput
    {
        public int Line { get; set; }

        public bool IsEmergencyDepartment { get; set; }

        public long? AreaId { get; set; }
    }

    public static string StatusLabel(string status) => status switch
    {
        "uploaded" => "Waiting to be checked",
        "checking" => "Checking",
        "checked" => "Ready to import",
        "committing" => "Importing",
        "committed" => "Imported",
        "discarded" => "Discarded",
        _ => status,
    };

    /// <summary>"1 row cannot" or "2,000 rows cannot": a figure with the words that agree with it.</summary>
    public static string Count(long count, string one, string many) =>
        string.Create(CultureInfo.GetCultureInfo("en-GB"), $"{count:N0} {(count == 1 ? one : many)}");

    public int SitesPages => (int)Math.Max(1, (SitesTotal + SitesPerPage - 1) / SitesPerPage);

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken cancellationToken) =>
        await LoadAsync(id, cancellationToken) ? Page() : NotFound();

    /// <summary>The progress bar's figures, polled by wwwroot/js/import-progress.js.</summary>
    public async Task<IActionResult> OnGetProgressAsync(long id, CancellationToken cancellationToken)
    {
        var progress = await imports.ProgressAsync(id, cancellationToken);
        if (progress is null)
        {
            return NotFound();
        }
        Response.Headers.CacheControl = "no-store";
        return new JsonResult(new
        {
            status = progress.Status,
            phase = progress.Phase,
            percent = progress.Percent,
            message = ProgressMessage(progress),
            error = progress.Error,
        });
    }

    public static string ProgressMessage(ImportProgress progress) => (progress.Status, progress.Phase) switch
    {
        ("uploaded", _) or (_, "waiting") => "Waiting for a job worker to start…",
        ("checking", _) => $"Checking the file: {progress.Percent}% read",
        ("committing", "writing") => $"Saving venues: {progress.Done:N0} of {progress.Total:N0} rows",
        ("committing", _) => "Saving venues…",
        _ => StatusLabel(progress.Status),
    };

    public async Task<IActionResult> OnGetRejectsAsync(long id, CancellationToken cancellationToken)
    {
        var import = await imports.GetAsync(id, cancellationToken);
        if (import is null || import.RowsBad == 0)
        {
            return NotFound();
        }
        var name = $"rejected-rows-{Path.GetFileNameWithoutExtension(import.FileName)}.csv";
        Response.ContentType = "text/csv; charset=utf-8";
        Response.Headers.ContentDisposition = new ContentDispositionHeaderValue("attachment") { FileNameStar = name }.ToString();
        await imports.WriteRejectsAsync(id, Response.Body, cancellationToken);
        return new EmptyResult();
    }

    public async Task<IActionResult> OnPostSaveSitesAsync(long id, CancellationToken cancellationToken)
    {
        var outcome = await imports.MarkSitesAsync(id, Marks(), cancellationToken);
        if (!outcome.Succeeded)
        {
            return await RefusedAsync(id, outcome, cancellationToken);
        }
        TempData["StatusMessage"] = "Your choices for these sites are saved.";
        return RedirectToPage(new { id, Search, MarkedOnly, p = SitesPage });
    }

    public async Task<IActionResult> OnPostCommitAsync(long id, CancellationToken cancellationToken)
    {
        var import = await imports.GetAsync(id, cancellationToken);
        if (import is null)
        {
            return NotFound();
        }
        if (import.Source == ImportSources.Ods && Sites.Count > 0)
        {
            var marked = await imports.MarkSitesAsync(id, Marks(), cancellationToken);
            if (!marked.Succeeded)
            {
                return await RefusedAsync(id, marked, cancellationToken);
            }
        }

        long rowsToWrite = import.RowsGood;
        if (import.Source == ImportSources.Ods)
        {
            var plan = await imports.PlanAsync(id, cancellationToken);
            rowsToWrite = plan.ToAdd + plan.ToRefresh + plan.ToClose + plan.ToSkip;
        }
        if (rowsToWrite > InlineCommitRows)
        {
            var requested = await imports.RequestCommitAsync(id, HttpContext.Actor(), cancellationToken);
            if (!requested.Succeeded)
            {
                return await RefusedAsync(id, requested, cancellationToken);
            }
            jobs.Enqueue<CommitVenueImportJob>(job => job.RunAsync(id, CancellationToken.None));
            TempData["StatusMessage"] = "The import is running. You can leave this page; it carries on.";
            return RedirectToPage(new { id });
        }

        // Not the request's token: the transaction either completes or rolls back, whatever the browser does.
        var outcome = await imports.CommitAsync(id, HttpContext.Actor(), CancellationToken.None);
        if (!outcome.Succeeded)
        {
            return await RefusedAsync(id, outcome, cancellationToken);
        }
        TempData["StatusMessage"] = CommittedMessage(outcome.Value!);
        return RedirectToPage(new { id });
    }

    public async Task<IActionResult> OnPostDiscardAsync(long id, CancellationToken cancellationToken)
    {
        if (!await imports.DiscardAsync(id, HttpContext.Actor(), cancellationToken))
        {
            TempData["StatusMessage"] = "This import has already been imported or discarded.";
            return RedirectToPage(new { id });
        }
        TempData["StatusMessage"] = "The import was discarded; nothing was saved.";
        return RedirectToPage("Import");
    }

    public static string CommittedMessage(CommitResult result) =>
        string.Create(CultureInfo.GetCultureInfo("en-GB"),
            $"Imported: {result.Added:N0} added, {result.Updated:N0} updated, {result.Closed:N0} marked closed, {result.Unchanged:N0} unchanged.");

    private List<SiteMark> Marks() =>
        Sites.Select(s => new SiteMark(s.Line, s.IsEmergencyDepartment, s.AreaId)).ToList();

    private async Task<IActionResult> RefusedAsync<T>(long id, Data.Outcome<T> outcome, CancellationToken cancellationToken)
    {
        ModelState.AddErrors(outcome, prefix: "");
        return await LoadAsync(id, cancellationToken) ? Page() : NotFound();
    }

    private async Task<bool> LoadAsync(long id, CancellationToken cancellationToken)
    {
        var import = await imports.GetAsync(id, cancellationToken);
        if (import is null)
        {
            return false;
        }
        Import = import;
        Progress = await imports.ProgressAsync(id, cancellationToken);
        if (import.Status is "checked" or "committing" or "committed")
        {
            Problems = await imports.ProblemsAsync(id, ProblemsShown, cancellationToken);
        }
        if (import.Status != "checked")
        {
            return true;
        }
        Plan = await imports.PlanAsync(id, cancellationToken);
        if (import.Source == ImportSources.Gias)
        {
            Authorities = await imports.AuthoritiesAsync(id, cancellationToken);
            MissingLaCodes = (import.LaCodes ?? []).Except(Authorities.Select(a => a.LaCode)).ToList();
        }
        else
        {
            SitesPage = Math.Max(1, SitesPage);
            var (sites, total) = await imports.SitesAsync(id, Search, MarkedOnly, (SitesPage - 1) * SitesPerPage, SitesPerPage, cancellationToken);
            SiteRows = sites;
            SitesTotal = total;
            Areas = (await venues.AreasAsync(cancellationToken))
                .Select(a => new SelectListItem(a.Name, a.Id.ToString(CultureInfo.InvariantCulture)))
                .ToList();
        }
        return true;
    }
}
