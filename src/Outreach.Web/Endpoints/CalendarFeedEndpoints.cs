using Outreach.Data.Rosters;

namespace Outreach.Web.Endpoints;

public static class CalendarFeedEndpoints
{
    /// <summary>
    /// GET /calendar/{token}.ics: a worker's sessions for their phone's calendar. Calendar apps cannot
    /// sign in, so the secret address is the credential; an unknown token gets 404.
    /// </summary>
    public static IEndpointRouteBuilder MapCalendarFeed(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/calendar/{token}.ics", async (string token, CalendarFeedData feeds, CancellationToken cancellationToken) =>
            {
                if (token.Length is < 20 or > 64)
                {
                    return Results.NotFound();
                }
                var feed = await feeds.FeedAsync(token, cancellationToken);
                return feed is null ? Results.NotFound() : Results.Text(feed, "text/calendar; charset=utf-8");
            })
            .AllowAnonymous()
            .RequireRateLimiting(Infrastructure.RateLimits.CalendarFeed)
            .WithName("CalendarFeed");
        return routes;
    }
}
