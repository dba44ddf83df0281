using Microsoft.AspNetCore.Mvc.RazorPages;
using Outreach.Data.Workers;

namespace Outreach.Web.Pages.Workers;

public class IndexModel(WorkerData workers) : PageModel
{
    public IReadOnlyList<WorkerRow> Workers { get; private set; } = [];

    public string? Search { get; private set; }

    public async Task OnGetAsync(string? search, CancellationToken cancellationToken)
    {
        Search = search;
        Workers = await workers.ListAsync(search, cancellationToken);
    }
}
