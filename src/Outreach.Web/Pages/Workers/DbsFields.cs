using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Outreach.Data.Workers;

namespace Outreach.Web.Pages.Workers;

/// <summary>
/// The DBS part of the add and edit forms. Left wholly empty it means "no check recorded yet" (the worker
/// can be added but not booked); partly filled, each missing field says what it needs.
/// </summary>
public sealed class DbsFields
{
    [Display(Name = "Type of check")]
    public string? CheckType { get; set; }

    [Display(Name = "Certificate number")]
    public string? CertificateNumber { get; set; }

    [Display(Name = "Issue date")]
    public DateTime? IssuedOn { get; set; }

    [Display(Name = "Subscribed to the DBS Update Service")]
    public bool UpdateService { get; set; }

    [Display(Name = "Next review date")]
    public DateTime? NextReviewOn { get; set; }

    public static DbsFields From(WorkerProfile p) => new()
    {
        CheckType = p.DbsCheckType,
        CertificateNumber = p.DbsCertificateNumber,
        IssuedOn = p.DbsIssuedOn,
        UpdateService = p.DbsUpdateService,
        NextReviewOn = p.DbsNextReviewOn,
    };

    /// <summary>Puts a message beside each field that is wrong; the rules are <see cref="Dbs.Check"/>'s.</summary>
    /// <returns>The check when every field is filled in and valid; null when none is (or when some are wrong).</returns>
    public DbsCheck? Validate(ModelStateDictionary modelState, string prefix, DateOnly today)
    {
        // A date the browser could not parse is already refused by model binding, with its own message.
        var badIssued = modelState.GetFieldValidationState(prefix + nameof(IssuedOn)) == ModelValidationState.Invalid;
        var badReview = modelState.GetFieldValidationState(prefix + nameof(NextReviewOn)) == ModelValidationState.Invalid;
        var input = new DbsInput(CheckType, CertificateNumber, IssuedOn is { } issued ? DateOnly.FromDateTime(issued) : null, UpdateService,
            NextReviewOn is { } review ? DateOnly.FromDateTime(review) : null);
        if (input.IsEmpty && !badIssued && !badReview)
        {
            return null;
        }
        var outcome = Dbs.Check(input, today);
        foreach (var error in outcome.Errors)
        {
            if ((error.Field == nameof(IssuedOn) && badIssued) || (error.Field == nameof(NextReviewOn) && badReview))
            {
                continue;
            }
            modelState.AddModelError(prefix + error.Field, error.Message);
        }
        return badIssued || badReview ? null : outcome.Value;
    }
}
