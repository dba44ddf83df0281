using Microsoft.AspNetCore.Mvc.RazorPages;
using Outreach.Data;
using Outreach.Data.Engagements;
using Outreach.Data.Identity;
using Outreach.Web.Infrastructure;

namespace Outreach.Web.Pages.Engagements;

/// <summary>Follow-ups overdue or due in the next seven days, for open cases. Viewing the list is audited.</summary>
public class FollowUpsModel(EngagementData engagements, TimeProvider clock) : PageModel
{
    public IReadOnlyList<DueFollowUpRow> Due { get; private set; } = [];

    public DateOnly Today { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Today = DateOnly.FromDateTime(UkTime.ToLocal(clock.GetUtcNow().UtcDateTime));
        long? scope = User.IsInRole(Roles.Coordinator) || User.IsInRole(Roles.Administrator) ? null : User.UserId() ?? -1;
        Due = await engagements.DueAsync(scope, Today.AddDays(7), HttpContext.Actor(), cancellationToken);
    }
}
