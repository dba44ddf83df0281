using Hangfire;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Outreach.Data.Reach;
using Outreach.Jobs.Reach;
using Outreach.Web.Infrastructure;

namespace Outreach.Web.Pages.Admin;

/// <summary>Background jobs an administrator can start by hand, their progress, and how they last ran.</summary>
public class IndexModel(ImpactData impact, IBackgroundJobClient jobs) : PageModel
{
    public IReadOnlyList<CompileRun> Runs { get; private set; } = [];

    /// <summary>The run this page follows (just queued, or still going), polled by wwwroot/js/compile-progress.js.</summary>
    public CompileRun? Following { get; private set; }

    public async Task OnGetAsync(long? run, CancellationToken cancellationToken)
    {
        Runs = await impact.RecentRunsAsync(cancellationToken);
        Following = run is { } id ? await impact.FindRunAsync(id, cancellationToken) : Runs.FirstOrDefault(r => r.Status is "queued" or "running");
    }

    public async Task<IActionResult> OnPostCompileAsync(bool full, CancellationToken cancellationToken)
    {
        var runId = await impact.QueueAsync(full ? CompileMode.Full : CompileMode.Incremental, HttpContext.Actor().Name, cancellationToken);
        jobs.Enqueue<CompileImpactJob>(job => job.RunAsync(runId, CancellationToken.None));
        TempData["StatusMessage"] = full ? "Recompiling every month's figures." : "Compiling the months whose records changed.";
        return RedirectToPage(new { run = runId });
    }

    public async Task<IActionResult> OnGetRunAsync(long id, CancellationToken cancellationToken)
    {
        var run = await impact.FindRunAsync(id, cancellationToken);
        if (run is null)
        {
            return NotFound();
        }
        Response.Headers.CacheControl = "no-store";
        return new JsonResult(new
        {
            status = run.Status,
            percent = run.Percent,
            message = run.Status switch
            {
                "queued" => "Waiting for a job worker…",
                "running" => run.MonthsTotal is { } total ? $"Compiled {run.MonthsDone} of {total} months" : "Finding the months to compile…",
                "finished" => $"Finished: {run.MonthsDone} months",
                _ => "The compile failed; see the job dashboard. It will be retried.",
            },
        });
    }
}
