using Microsoft.AspNetCore.Mvc.RazorPages;
using Outreach.Data.Safeguarding;

namespace Outreach.Web.Pages.Safeguarding;

/// <summary>Safeguarding concerns still to be handed over, acknowledged or closed (and, on request, the closed ones).</summary>
public class IndexModel(SafeguardingData concerns) : PageModel
{
    public IReadOnlyList<ConcernRow> Concerns { get; private set; } = [];

    public bool All { get; private set; }

    public async Task OnGetAsync(bool all, CancellationToken cancellationToken)
    {
        All = all;
        Concerns = await concerns.ListAsync(all, cancellationToken);
    }
}
