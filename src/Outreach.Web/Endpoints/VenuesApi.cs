using Microsoft.AspNetCore.Http.HttpResults;
using Outreach.Data.Venues;
using Outreach.Web.Infrastructure;

namespace Outreach.Web.Endpoints;

/// <summary>A change to a venue: only the fields given change. Status "closed" closes it.</summary>
public sealed record VenueChangeRequest(
    string? Name, long? AreaId, string? Address, string? Postcode, string? Phone, string? AccessNotes, string? Status);

/// <summary>
/// Changing venues (including closing one) through the API, by the same operation and rules as the Venues/Edit page
/// (<see cref="VenueDetailsData.UpdateAsync"/>, <see cref="VenueRules"/>). A venue's ETag is its last-change time:
/// send it back in If-Match and a change made meanwhile by someone else gets 412 instead of being overwritten.
/// </summary>
public static class VenuesApi
{
    public static RouteGroupBuilder MapVenuesApi(this RouteGroupBuilder planning)
    {
        planning.MapPatch("/venues/{id:long}", ChangeAsync)
            .WithName("ChangeVenue")
            .WithSummary("Change or close a venue")
            .WithDescription("Changes only the fields given, by the rules of the site's venue page. Send the ETag from GET in If-Match to refuse (412) "
                + "a change made meanwhile. Closing a venue records the UK day it closed.");
        return planning;
    }

    public static async Task<Results<Ok<VenueItem>, ValidationProblem, NotFoundProblem, ChangedMeanwhileProblem, RefusedProblem>> ChangeAsync(
        long id, VenueChangeRequest request, VenueDetailsData details, VenueListData list, HttpContext http, CancellationToken ct)
    {
        if (await details.GetAsync(id, ct) is not { } current)
        {
            return new NotFoundProblem("venue", id);
        }
        var ifMatch = http.Request.Headers.IfMatch.ToString();
        if (ifMatch.Length > 0 && ifMatch != "*" && ifMatch != ApiEndpoints.ETag(current.UpdatedAt))
        {
            return new ChangedMeanwhileProblem("venue");
        }
        var outcome = await details.UpdateAsync(id, new VenueEdit(
            request.Name ?? current.Name, request.AreaId ?? current.AreaId, request.Address ?? current.Address,
            request.Postcode ?? current.Postcode, request.Phone ?? current.Phone, request.AccessNotes ?? current.AccessNotes,
            request.Status ?? current.Status, current.UpdatedAt), http.Actor(), ct);
        if (!outcome.Succeeded)
        {
            // "" is the venue as a whole: changed (or removed) between the read above and the update.
            if (outcome.Errors.All(e => e.Field.Length == 0))
            {
                return new ChangedMeanwhileProblem("venue");
            }
            // An area that does not exist needs the database to know; the rest is the request's own shape.
            return outcome.Errors.Any(e => e.Field == nameof(VenueEdit.AreaId))
                ? new RefusedProblem(outcome.Errors, ApiProblem.CamelCase)
                : TypedResults.ValidationProblem(outcome.Errors.GroupBy(e => ApiProblem.CamelCase(e.Field))
                    .ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray()));
        }
        var after = await details.GetAsync(id, ct);
        http.Response.Headers.ETag = ApiEndpoints.ETag(after!.UpdatedAt);
        return TypedResults.Ok((await list.FindAsync(id, ct))!);
    }
}
