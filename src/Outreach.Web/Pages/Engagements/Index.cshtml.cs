using Microsoft.AspNetCore.Mvc.RazorPages;
using Outreach.Data.Engagements;
using Outreach.Data.Identity;
using Outreach.Web.Infrastructure;

namespace Outreach.Web.Pages.Engagements;

/// <summary>A&amp;E engagements: a youth worker's from their shifts; every one for coordinators. Viewing the list is audited.</summary>
public class IndexModel(EngagementData engagements) : PageModel
{
    public IReadOnlyList<EngagementRow> Engagements { get; private set; } = [];

    public bool All { get; private set; }

    public async Task OnGetAsync(bool all, CancellationToken cancellationToken)
    {
        All = all;
        Engagements = await engagements.ListAsync(ScopeUserId, all, HttpContext.Actor(), cancellationToken);
    }

    private long? ScopeUserId => User.IsInRole(Roles.Coordinator) || User.IsInRole(Roles.Administrator) ? null : User.UserId() ?? -1;
}
