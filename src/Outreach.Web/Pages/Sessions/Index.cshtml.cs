using Microsoft.AspNetCore.Mvc.RazorPages;
using Outreach.Data;
using Outreach.Data.Sessions;

namespace Outreach.Web.Pages.Sessions;

public class IndexModel(SessionData sessions, TimeProvider clock) : PageModel
{
    public IReadOnlyList<SessionRow> Sessions { get; private set; } = [];

    public bool Past { get; private set; }

    public async Task OnGetAsync(bool past, CancellationToken cancellationToken)
    {
        Past = past;
        var today = UkTime.ToLocal(clock.GetUtcNow()).Date;
        UkTime.TryToUtc(today, out var startOfToday);
        Sessions = past
            ? (await sessions.ListAsync(startOfToday.AddDays(-42), startOfToday, cancellationToken)).Reverse().ToList()
            : await sessions.ListAsync(startOfToday, startOfToday.AddDays(42), cancellationToken);
    }
}
