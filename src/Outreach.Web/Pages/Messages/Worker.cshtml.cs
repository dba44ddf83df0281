using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Outreach.Data;
using Outreach.Data.Messages;

namespace Outreach.Web.Pages.Messages;

/// <summary>One youth worker's texts both ways (what we sent and what they replied), and whether they can be texted at all.</summary>
public class WorkerModel(MessageLogData log) : PageModel
{
    public WorkerMessaging Worker { get; private set; } = null!;

    public Paged<HistoryItem> History { get; private set; } = null!;

    public int LastPage => (int)Math.Max(1, (History.Total + History.PageSize - 1) / History.PageSize);

    public async Task<IActionResult> OnGetAsync(long id, string? pageNumber, CancellationToken cancellationToken)
    {
        var worker = await log.WorkerAsync(id, cancellationToken);
        if (worker is null)
        {
            return NotFound();
        }
        Worker = worker;
        var page = int.TryParse(pageNumber, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 1;
        History = await log.WorkerHistoryAsync(id, page, 100, cancellationToken);
        return Page();
    }
}
