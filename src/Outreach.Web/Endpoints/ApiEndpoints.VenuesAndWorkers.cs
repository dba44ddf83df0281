using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
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
/// A worker's hourly rate is dated by the same rules as the Workers/Edit page (decision 0014), checked in one place,
/// <see cref="WorkerData.UpdateAsync"/>.
/// </summary>
public static partial class ApiEndpoints
{
    public sealed record VenueChangeRequest(
        string? Name, long? AreaId, string? Address, string? Postcode, string? Phone, string? AccessNotes, string? Status);

    // HourlyCostFrom is text rather than DateOnly so a malformed date is refused naming the field, not as an unreadable body.
    public sealed record WorkerRequest(
        string? FullName, string? Mobile, string? Email,
        [property: Description("""
            Hourly rate in pounds. A value other than the worker's latest rate (the first entry of rates) adds a rate from
            hourlyCostFrom; a worker's first rate covers all their sessions, past and future.
            """)]
        decimal? HourlyCost,
        [property: Description("""
            The UK calendar date (yyyy-MM-dd) a changed hourlyCost applies from; today when left out. Used only when the
            rate changes and the worker has had a rate before. It may be the latest rate's own date (replacing that rate)
            or later, and at most 2 years back and 1 year ahead.
            """)]
        [property: DataType(DataType.Date), RegularExpression(@"^\d{4}-\d{2}-\d{2}$")]
        string? HourlyCostFrom,
        decimal? ContractedHours, bool? Active, long[]? AreaIds, long[]? SkillIds);

    public sealed record WorkerResponse(
        long Id, string FullName, string MobileE164, string? Email, bool Active, bool HasSignIn, bool SmsOptedOut,
        [property: Description("The hourly rate in force today (UK date), in pounds; null for none. A rate still to come is only in rates.")]
        decimal? HourlyCost,
        [property: Description("The UK date hourlyCost took effect; null when it is their first rate, which covers all their sessions before the next.")]
        DateOnly? HourlyCostFrom,
        decimal? ContractedHours, WorkerDbs? Dbs, IReadOnlyList<IdAndName> Areas, IReadOnlyList<IdAndName> Skills,
        [property: Description("Every hourly rate, latest first, including one still to come. Staff cost uses the rate in force on each session's UK date.")]
        IReadOnlyList<WorkerRateEntry> Rates);

    // The certificate number stays on the site: a client plans with the check's type and dates.
    public sealed record WorkerDbs(string CheckType, DateOnly? IssuedOn, DateOnly? NextReviewOn, bool UpdateService);

    public sealed record IdAndName(long Id, string Name);

    public sealed record WorkerRateEntry(
        [property: Description("In pounds; null for no rate from this date.")] decimal? HourlyCost,
        [property: Description("The UK date this rate took effect; null for their first rate, which covers all their sessions before the next.")]
        DateOnly? From);

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

        planning.MapPost("/workers", async (WorkerRequest request, WorkerData workers, TimeProvider clock, HttpContext http, CancellationToken ct) =>
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
            return Results.Created($"/api/v1/workers/{outcome.Value}", await WorkerViewAsync(workers, clock, outcome.Value, ct));
        })
        .Produces<WorkerResponse>(StatusCodes.Status201Created)
        .ProducesValidationProblem()
        .ProducesProblem(StatusCodes.Status422UnprocessableEntity);

        planning.MapPatch("/workers/{id:long}", async (long id, WorkerRequest request, WorkerData workers, TimeProvider clock, HttpContext http,
            CancellationToken ct) =>
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
                request.AreaIds ?? current.AreaIds, request.SkillIds ?? current.SkillIds, fields.HourlyCostFrom), http.Actor(), ct);
            if (!outcome.Succeeded)
            {
                return Problem(new Outcome<long>(0, outcome.Errors.Select(e => e with { Field = e.Field == "Mobile" ? "mobile" : e.Field }).ToList()),
                    outcome.Errors.All(e => e.Field.Length == 0) ? StatusCodes.Status409Conflict : StatusCodes.Status422UnprocessableEntity);
            }
            return Results.Ok(await WorkerViewAsync(workers, clock, id, ct));
        })
        .Produces<WorkerResponse>()
        .ProducesValidationProblem()
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status409Conflict)
        .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
    }

    private static (string? FullName, string? Mobile, string? Email, DateOnly? HourlyCostFrom) CheckWorker(
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
        DateOnly? hourlyCostFrom = null;
        if (request.HourlyCostFrom is not null)
        {
            if (!DateOnly.TryParseExact(request.HourlyCostFrom, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var from))
            {
                errors["hourlyCostFrom"] = ["Give the UK date the new rate applies from as yyyy-MM-dd, such as 2026-04-01."];
            }
            else if (request.HourlyCost is null)
            {
                // Alone it would change nothing (the date is used only when the rate changes), which a client would not expect.
                errors["hourlyCostFrom"] = ["Send hourlyCostFrom with the hourlyCost it dates."];
            }
            else
            {
                hourlyCostFrom = from;
            }
        }
        if (request.ContractedHours is < 0 or > 60)
        {
            errors["contractedHours"] = ["Give contracted hours between 0 and 60 a week."];
        }
        return (fullName, mobile, email, hourlyCostFrom);
    }

    /// <summary>The worker as the API shows them, with the rate in force today (UK date) and the whole history.</summary>
    private static async Task<WorkerResponse?> WorkerViewAsync(WorkerData workers, TimeProvider clock, long id, CancellationToken ct)
    {
        if (await workers.ProfileAsync(id, ct) is not { } w)
        {
            return null;
        }
        var rates = await workers.RatesAsync(id, ct);
        var current = WorkerRate.InForceOn(rates, DateOnly.FromDateTime(UkTime.ToLocal(clock.GetUtcNow().UtcDateTime)));
        return new WorkerResponse(w.Id, w.FullName, w.MobileE164, w.Email, w.Active, w.HasSignIn, w.SmsOptedOut,
            current?.HourlyCost, Day(current?.EffectiveFrom), w.ContractedHours,
            w.DbsCheckType is null ? null : new WorkerDbs(w.DbsCheckType, Day(w.DbsIssuedOn), Day(w.DbsNextReviewOn), w.DbsUpdateService),
            [.. w.AreaIds.Zip(w.AreaNames, (areaId, name) => new IdAndName(areaId, name))],
            [.. w.SkillIds.Zip(w.SkillNames, (skillId, name) => new IdAndName(skillId, name))],
            [.. rates.Select(r => new WorkerRateEntry(r.HourlyCost, Day(r.EffectiveFrom)))]);
    }

    private static DateOnly? Day(DateTime? day) => day is { } d ? DateOnly.FromDateTime(d) : null;

    private static string ETag(DateTime updatedAt) => $"\"{updatedAt.Ticks.ToString(CultureInfo.InvariantCulture)}\"";

    private static IResult ChangedMeanwhile(string what) =>
        Results.Problem(statusCode: StatusCodes.Status412PreconditionFailed, title: $"The {what} changed since you read it",
            detail: $"Someone else changed this {what} after the version you sent in If-Match. Read it again and reapply your change.");
}
