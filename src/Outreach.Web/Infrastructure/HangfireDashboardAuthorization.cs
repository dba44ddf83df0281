using Hangfire.Dashboard;
using Outreach.Data.Identity;

namespace Outreach.Web.Infrastructure;

/// <summary>The job dashboard is for administrators only (checked again by the endpoint's policy).</summary>
public sealed class HangfireDashboardAuthorization : IDashboardAuthorizationFilter
{
    public bool Authorize(DashboardContext context) => context.GetHttpContext().User.IsInRole(Roles.Administrator);
}
