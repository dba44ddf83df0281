using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Outreach.Data;
using Outreach.Data.Workers;
using Outreach.Web.Infrastructure;

namespace Outreach.Web.Endpoints;

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

/// <summary>A worker's DBS check as the certificate gives it. Every field left out (or null) removes the check.</summary>
public sealed record DbsRequest(
    [property: Description("One of enhanced_barred (enhanced with the children's barred list), enhanced, standard, basic.")]
    string? CheckType,
    [property: Description("The 12-digit certificate number; spaces and dashes are ignored.")]
    string? CertificateNumber,
    [property: Description("The date on the certificate, not in the future.")]
    DateOnly? IssuedOn,
    [property: Description("Whether the worker subscribes to the DBS Update Service.")]
    bool? UpdateService,
    [property: Description("When the check is next due for review, after the issue date. The worker can be booked only onto sessions that end before it.")]
    DateOnly? NextReviewOn);

public sealed record WorkerResponse(
    long Id, string FullName, string MobileE164, string? Email, bool Active, bool HasSignIn, bool SmsOptedOut,
    [property: Description("The hourly rate in force today (UK date), in pounds; null for none. A rate still to come is only in rates.")]
    decimal? HourlyCost,
    [property: Description("The UK date hourlyCost took effect; null when it is their first rate, which covers all their sessions before the next.")]
    DateOnly? HourlyCostFrom,
    decimal? ContractedHours, WorkerDbs? Dbs, IReadOnlyList<IdAndName> Areas, IReadOnlyList<IdAndName> Skills,
    [property: Description("Every hourly rate, latest first, including one still to come. Staff cost uses the rate in force on each session's UK date.")]
    IReadOnlyList<WorkerRateEntry> Rates);

// The certificate number is recorded (PUT .../dbs) but not read back: a client plans with the check's type and dates.
public sealed record WorkerDbs(string CheckType, DateOnly? IssuedOn, DateOnly? NextReviewOn, bool UpdateService);

public sealed record IdAndName(long Id, string Name);

public sealed record WorkerRateEntry(
    [property: Description("In pounds; null for no rate from this date.")] decimal? HourlyCost,
    [property: Description("The UK date this rate took effect; null for their first rate, which covers all their sessions before the next.")]
    DateOnly? From);

/// <summary>
/// Adding and changing youth workers, and recording their DBS checks, through the API. A worker's hourly rate is dated by
/// the same rules as the Workers/Edit page (decision 0014), checked in one place, <see cref="WorkerData.UpdateAsync"/>; a
/// DBS check by the rules of the page's DBS fields, <see cref="Dbs.Check"/>, through <see cref="WorkerData.RecordDbsAsync"/>.
/// </summary>
public static class WorkersApi
{
    public static RouteGroupBuilder MapWorkersApi(this RouteGroupBuilder planning)
    {
        planning.MapPost("/workers", AddAsync)
            .WithName("AddWorker")
            .WithSummary("Add a youth worker")
            .WithDescription("The mobile is stored in E.164. A new worker has no DBS check, so cannot be booked until one is recorded (PUT /workers/{id}/dbs).");
        planning.MapPatch("/workers/{id:long}", ChangeAsync)
            .WithName("ChangeWorker")
            .WithSummary("Change a youth worker")
            .WithDescription("Changes only the fields given; their DBS check is kept (PUT /workers/{id}/dbs changes it).");
        planning.MapPut("/workers/{id:long}/dbs", RecordDbsAsync)
            .WithName("RecordWorkerDbs")
            .WithSummary("Record a youth worker's DBS check")
            .WithDescription("Replaces the worker's DBS check, by the rules of the site's DBS fields; a body with every field left out removes it, "
                + "after which the worker cannot be booked.");
        return planning;
    }

    public static async Task<Results<Created<WorkerResponse>, ValidationProblem, RefusedProblem>> AddAsync(
        WorkerRequest request, WorkerData workers, TimeProvider clock, HttpContext http, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var fields = Check(request, required: true, errors);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var outcome = await workers.CreateAsync(new NewWorker(fields.FullName!, fields.Mobile!, fields.Email, request.HourlyCost,
            null, request.AreaIds, request.ContractedHours), http.Actor(), ct);
        if (!outcome.Succeeded)
        {
            return new RefusedProblem(outcome.Errors, ApiProblem.CamelCase);
        }
        return TypedResults.Created($"{ApiEndpoints.BasePath}/workers/{outcome.Value}", (await ViewAsync(workers, clock, outcome.Value, ct))!);
    }

    public static async Task<Results<Ok<WorkerResponse>, ValidationProblem, NotFoundProblem, ConflictProblem, RefusedProblem>> ChangeAsync(
        long id, WorkerRequest request, WorkerData workers, TimeProvider clock, HttpContext http, CancellationToken ct)
    {
        if (await workers.ProfileAsync(id, ct) is not { } current)
        {
            return new NotFoundProblem("youth worker", id);
        }
        var errors = new Dictionary<string, string[]>();
        var fields = Check(request, required: false, errors);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
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
            // "" is the worker as a whole: removed since the read above.
            return outcome.Errors.All(e => e.Field.Length == 0)
                ? new ConflictProblem(outcome.Errors, ApiProblem.CamelCase)
                : new RefusedProblem(outcome.Errors, ApiProblem.CamelCase);
        }
        return TypedResults.Ok((await ViewAsync(workers, clock, id, ct))!);
    }

    public static async Task<Results<Ok<WorkerResponse>, ValidationProblem, NotFoundProblem>> RecordDbsAsync(
        long id, DbsRequest request, WorkerData workers, TimeProvider clock, HttpContext http, CancellationToken ct)
    {
        if (await workers.FindAsync(id, ct) is null)
        {
            return new NotFoundProblem("youth worker", id);
        }
        var outcome = await workers.RecordDbsAsync(id, new DbsInput(request.CheckType, request.CertificateNumber, request.IssuedOn,
            request.UpdateService ?? false, request.NextReviewOn), http.Actor(), ct);
        if (outcome.Errors.Any(e => e.Field.Length == 0))
        {
            // Removed since the read above.
            return new NotFoundProblem("youth worker", id);
        }
        if (!outcome.Succeeded)
        {
            return TypedResults.ValidationProblem(outcome.Errors.GroupBy(e => ApiProblem.CamelCase(e.Field))
                .ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray()));
        }
        return TypedResults.Ok((await ViewAsync(workers, clock, id, ct))!);
    }

    /// <summary>The worker as the API shows them, with the rate in force today (UK date) and the whole history.</summary>
    public static async Task<WorkerResponse?> ViewAsync(WorkerData workers, TimeProvider clock, long id, CancellationToken ct)
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

    /// <summary>
    /// The request read by the rules of <see cref="WorkerRules"/> (which the data operation applies again) and
    /// <see cref="MobileNumber"/>, so one answer names every wrong field; only the given fields when it is a change.
    /// </summary>
    private static (string? FullName, string? Mobile, string? Email, DateOnly? HourlyCostFrom) Check(
        WorkerRequest request, bool required, Dictionary<string, string[]> errors)
    {
        var fullName = request.FullName?.Trim();
        var email = string.IsNullOrWhiteSpace(request.Email) ? null : request.Email.Trim();
        foreach (var error in WorkerRules.Check(fullName, email, request.HourlyCost, request.ContractedHours))
        {
            if (error.Field == "FullName" && !required && fullName is null)
            {
                continue;
            }
            errors[ApiProblem.CamelCase(error.Field)] = [error.Message];
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
        return (fullName, mobile, email, hourlyCostFrom);
    }
}
