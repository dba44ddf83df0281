using Microsoft.AspNetCore.Mvc.RazorPages;
using Outreach.Data;
using Outreach.Data.Workers;

namespace Outreach.Web.Pages.Workers;

public class IndexModel(WorkerData workers, TimeProvider clock) : PageModel
{
    public IReadOnlyList<WorkerRow> Workers { get; private set; } = [];

    /// <summary>DBS checks missing, expired or due for review within 60 days: the coordinator's to-do list.</summary>
    public IReadOnlyList<DbsAttention> DbsDue { get; private set; } = [];

    public DateOnly Today { get; private set; }

    public string? Search { get; private set; }

    public async Task OnGetAsync(string? search, CancellationToken cancellationToken)
    {
        Search = search;
        Workers = await workers.ListAsync(search, cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        Today = DateOnly.FromDateTime(UkTime.ToLocal(now));
        DbsDue = await workers.DbsAttentionAsync(Today, now, cancellationToken);
    }
}
