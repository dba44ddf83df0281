using Microsoft.AspNetCore.Mvc.RazorPages;
using Outreach.Data;
using Outreach.Data.Sessions;

namespace Outreach.Web.Pages.Sessions;

public class IndexModel(SessionData sessions, TimeProvider clock) : PageModel
{
    public IReadOnlyList<SessionRow> Sessions { get; private set; } = [];

    public bool Past { get; private set; }

    /// <summary>Only upcoming sessions still short of workers or of confirmations.</summary>
    public bool Attention { get; private set; }

    public async Task OnGetAsync(bool past, bool attention, CancellationToken cancellationToken)
    {
        Past = past && !attention;
        Attention = attention;
        var today = UkTime.ToLocal(clock.GetUtcNow()).Date;
        UkTime.TryToUtc(today, out var startOfToday);
        Sessions = Past
            ? (await sessions.ListAsync(startOfToday.AddDays(-42), startOfToday, cancellationToken)).Reverse().ToList()
            : await sessions.ListAsync(startOfToday, startOfToday.AddDays(42), cancellationToken);
        if (Attention)
        {
            Sessions = Sessions.Where(s => s.NeedsAttention).ToList();
        }
    }
}
