using Microsoft.AspNetCore.Mvc.RazorPages;
using Outreach.Data.Venues;

namespace Outreach.Web.Pages.Venues;

public class IndexModel(VenueData venues) : PageModel
{
    public IReadOnlyList<VenueRow> Venues { get; private set; } = [];

    public string? Kind { get; private set; }

    public string? Search { get; private set; }

    public async Task OnGetAsync(string? kind, string? search, CancellationToken cancellationToken)
    {
        Kind = kind is not null && VenueKinds.Labels.ContainsKey(kind) ? kind : null;
        Search = search;
        Venues = await venues.ListAsync(Kind, search, cancellationToken);
    }
}
