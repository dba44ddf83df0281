using System.Globalization;
using System.Net.Mail;
using Outreach.Data;
using Outreach.Data.Venues;
using Outreach.Data.Workers;
using Outreach.Web.Infrastructure;

namespace Outreach.Web.Endpoints;

/// <summary>
/// Changing venues (including closing one) and adding or changing youth workers through the API. A venue's
/// ETag is its last-change time: send it back in If-Match and a change made meanwhile by someone else gets
/// 412 instead of being overwritten. DBS details stay on the site, where the certificate is checked.
/// </summary>
public static partial class ApiEndpoints
{
    public sealed record VenueChangeRequest(
        string? Name, long? AreaId, string? Address, string? Postcode, string? Phone, string? AccessNotes, string? Status);

    public sealed record WorkerRequest(
        string? FullName, string? Mobile, string? Email, decimal? HourlyCost, decimal? ContractedHours, bool? Active,
        long[]? AreaIds, long[]? SkillIds);

    private static void MapVenueAndWorkerWrites(RouteGroupBuilder planning)
    {
        planning.MapPatch("/venues/{id:long}", async (long id, VenueChangeRequest request, VenueDetailsData details,
            VenueListData list, HttpContext http, CancellationToken ct) =>
        {
            var current = await details.GetAsync(id, ct);
            if (current is null)
            {
                return NotFound("venue", id);
            }
            var ifMatch = http.Request.Headers.IfMatch.ToString();
            if (ifMatch.Length > 0 && ifMatch != "*" && ifMatch != ETag(current.UpdatedAt))
            {
                return ChangedMeanwhile("venue");
            }
            var errors = new Dictionary<string, string[]>();
            var name = request.Name?.Trim() ?? current.Name;
            if (name.Length is 0 or > 200)
            {
                errors["name"] = ["Give a name of up to 200 characters."];
            }
            var status = request.Status ?? current.Status;
            if (status is not ("open" or "closed"))
            {
                errors["status"] = ["Use open or closed."];
            }
            if ((request.AccessNotes?.Length ?? 0) > 2000 || (request.Address?.Length ?? 0) > 500 || (request.Postcode?.Length ?? 0) > 10
                || (request.Phone?.Length ?? 0) > 40)
            {
                errors["venue"] = ["Keep the address under 500 characters, the postcode under 10, the phone under 40 and the access notes under 2000."];
            }
            if (errors.Count > 0)
            {
                return Results.ValidationProblem(errors);
            }
            var outcome = await details.UpdateAsync(id, new VenueEdit(name, request.AreaId ?? current.AreaId,
                request.Address?.Trim() ?? current.Address, request.Postcode?.Trim().ToUpperInvariant() ?? current.Postcode,
                request.Phone?.Trim() ?? current.Phone, request.AccessNotes?.Trim() ?? current.AccessNotes, status, current.UpdatedAt),
                http.Actor(), ct);
            if (!outcome.Succeeded)
            {
                return outcome.Errors.All(e => e.Field.Length == 0) ? ChangedMeanwhile("venue") : Problem(outcome);
            }
            var after = await details.GetAsync(id, ct);
            http.Response.Headers.ETag = ETag(after!.UpdatedAt);
            return Results.Ok(await list.FindAsync(id, ct));
        });

        planning.MapPost("/workers", async (WorkerRequest request, WorkerData workers, HttpContext http, CancellationToken ct) =>
        {
            var errors = new Dictionary<string, string[]>();
            var fields = CheckWorker(request, required: true, errors);
            if (errors.Count > 0)
            {
                return Results.ValidationProblem(errors);
            }
            var outcome = await workers.CreateAsync(new NewWorker(fields.FullName!, fields.Mobile!, fields.Email, request.HourlyCost,
                null, request.AreaIds, request.ContractedHours), http.Actor(), ct);
            if (!outcome.Succeeded)
            {
                return Problem(new Outcome<long>(0, outcome.Errors.Select(e => e with { Field = e.Field == "Mobile" ? "mobile" : e.Field }).ToList()));
            }
            return Results.Created($"/api/v1/workers/{outcome.Value}", WorkerView((await workers.ProfileAsync(outcome.Value, ct))!));
        });

        planning.MapPatch("/workers/{id:long}", async (long id, WorkerRequest request, WorkerData workers, HttpContext http, CancellationToken ct) =>
        {
            var current = await workers.ProfileAsync(id, ct);
            if (current is null)
            {
                return NotFound("youth worker", id);
            }
            var errors = new Dictionary<string, string[]>();
            var fields = CheckWorker(request, required: false, errors);
            if (errors.Count > 0)
            {
                return Results.ValidationProblem(errors);
            }
            var dbs = current.DbsCheckType is null || current.DbsIssuedOn is null || current.DbsNextReviewOn is null
                ? null
                : new DbsCheck(current.DbsCheckType, current.DbsCertificateNumber ?? "", DateOnly.FromDateTime(current.DbsIssuedOn.Value),
                    current.DbsUpdateService, DateOnly.FromDateTime(current.DbsNextReviewOn.Value));
            var outcome = await workers.UpdateAsync(new WorkerUpdate(id, fields.FullName ?? current.FullName, fields.Mobile ?? current.MobileE164,
                request.Email is null ? current.Email : fields.Email, request.HourlyCost ?? current.HourlyCost,
                request.ContractedHours ?? current.ContractedHours, request.Active ?? current.Active, dbs,
                request.AreaIds ?? current.AreaIds, request.SkillIds ?? current.SkillIds), http.Actor(), ct);
            if (!outcome.Succeeded)
            {
                return Problem(new Outcome<long>(0, outcome.Errors.Select(e => e with { Field = e.Field == "Mobile" ? "mobile" : e.Field }).ToList()),
                    outcome.Errors.All(e => e.Field.Length == 0) ? StatusCodes.Status409Conflict : StatusCodes.Status422UnprocessableEntity);
            }
            return Results.Ok(WorkerView((await workers.ProfileAsync(id, ct))!));
        });
    }

    private static (string? FullName, string? Mobile, string? Email) CheckWorker(
        WorkerRequest request, bool required, Dictionary<string, string[]> errors)
    {
        var fullName = request.FullName?.Trim();
        if ((required || fullName is not null) && (string.IsNullOrEmpty(fullName) || fullName.Length > 200))
        {
            errors["fullName"] = ["Give the worker's full name, up to 200 characters."];
        }
        string? mobile = null;
        if (required || request.Mobile is not null)
        {
            if (!MobileNumber.TryNormalise(request.Mobile, out var e164, out var problem))
            {
                errors["mobile"] = [problem];
            }
            mobile = e164;
        }
        var email = string.IsNullOrWhiteSpace(request.Email) ? null : request.Email.Trim();
        if (email is not null && (email.Length > 254 || !MailAddress.TryCreate(email, out var parsed) || parsed.Address != email))
        {
            errors["email"] = ["Give an email address such as name@example.org, or leave it out."];
        }
        if (request.HourlyCost is < 0 or > 1000)
        {
            errors["hourlyCost"] = ["Give an hourly cost between 0 and 1000 pounds."];
        }
        if (request.ContractedHours is < 0 or > 60)
        {
            errors["contractedHours"] = ["Give contracted hours between 0 and 60 a week."];
        }
        return (fullName, mobile, email);
    }

    private static object WorkerView(WorkerProfile w) => new
    {
        w.Id, w.FullName, w.MobileE164, w.Email, w.Active, w.HasSignIn, w.SmsOptedOut, w.HourlyCost, w.ContractedHours,
        // The certificate number stays on the site: a client plans with the check's type and dates.
        dbs = w.DbsCheckType is null ? null : new
        {
            checkType = w.DbsCheckType,
            issuedOn = w.DbsIssuedOn is { } issued ? DateOnly.FromDateTime(issued) : (DateOnly?)null,
            nextReviewOn = w.DbsNextReviewOn is { } review ? DateOnly.FromDateTime(review) : (DateOnly?)null,
            updateService = w.DbsUpdateService,
        },
        areas = w.AreaIds.Zip(w.AreaNames, (areaId, name) => new { id = areaId, name }),
        skills = w.SkillIds.Zip(w.SkillNames, (skillId, name) => new { id = skillId, name }),
    };

    private static string ETag(DateTime updatedAt) => $"\"{updatedAt.Ticks.ToString(CultureInfo.InvariantCulture)}\"";

    private static IResult ChangedMeanwhile(string what) =>
        Results.Problem(statusCode: StatusCodes.Status412PreconditionFailed, title: $"The {what} changed since you read it",
            detail: $"Someone else changed this {what} after the version you sent in If-Match. Read it again and reapply your change.");
}
