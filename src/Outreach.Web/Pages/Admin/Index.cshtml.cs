using Hangfire;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Outreach.Data.Reach;
using Outreach.Jobs.Reach;

namespace Outreach.Web.Pages.Admin;

/// <summary>Background jobs an administrator can start by hand, and how they last ran.</summary>
public class IndexModel(ReachData reach, IBackgroundJobClient jobs) : PageModel
{
    public IReadOnlyList<CompileRun> Runs { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Runs = await reach.RecentRunsAsync(cancellationToken);
    }

    public IActionResult OnPostCompile()
    {
        jobs.Enqueue<CompileReachJob>(job => job.RunAsync(CancellationToken.None));
        TempData["StatusMessage"] = "Compiling reach figures. This page shows the run when it finishes; refresh in a few seconds.";
        return RedirectToPage();
    }
}
