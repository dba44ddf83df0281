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

    /// <summary>Puts a message beside each field that is wrong.</summary>
    /// <returns>The check when every field is filled in and valid; null when none is (or when some are wrong).</returns>
    public DbsCheck? Validate(ModelStateDictionary modelState, string prefix, DateOnly today)
    {
        var certificate = new string((CertificateNumber ?? "").Where(c => !char.IsWhiteSpace(c) && c != '-').ToArray());
        // A date the browser could not parse is already refused by model binding.
        var badIssued = modelState.GetFieldValidationState(prefix + nameof(IssuedOn)) == ModelValidationState.Invalid;
        var badReview = modelState.GetFieldValidationState(prefix + nameof(NextReviewOn)) == ModelValidationState.Invalid;
        if (string.IsNullOrWhiteSpace(CheckType) && certificate.Length == 0 && IssuedOn is null && NextReviewOn is null
            && !UpdateService && !badIssued && !badReview)
        {
            return null;
        }

        var valid = true;
        void Refuse(string field, string message)
        {
            modelState.AddModelError(prefix + field, message);
            valid = false;
        }

        if (string.IsNullOrWhiteSpace(CheckType) || !Dbs.CheckTypes.ContainsKey(CheckType))
        {
            Refuse(nameof(CheckType), "Choose the type of DBS check.");
        }
        if (certificate.Length == 0)
        {
            Refuse(nameof(CertificateNumber), "Enter the certificate number from the DBS certificate.");
        }
        else if (certificate.Length != 12 || !certificate.All(char.IsAsciiDigit))
        {
            Refuse(nameof(CertificateNumber), "A DBS certificate number is 12 digits, like 001234567890.");
        }
        if (badIssued)
        {
            valid = false;
        }
        else if (IssuedOn is null)
        {
            Refuse(nameof(IssuedOn), "Enter the date on the certificate.");
        }
        else if (DateOnly.FromDateTime(IssuedOn.Value) > today)
        {
            Refuse(nameof(IssuedOn), "The issue date cannot be in the future.");
        }
        if (badReview)
        {
            valid = false;
        }
        else if (NextReviewOn is null)
        {
            Refuse(nameof(NextReviewOn), "Enter when the check is next due for review.");
        }
        else if (IssuedOn is not null && NextReviewOn.Value.Date <= IssuedOn.Value.Date)
        {
            Refuse(nameof(NextReviewOn), "The next review must be after the issue date.");
        }

        return valid
            ? new DbsCheck(CheckType!, certificate, DateOnly.FromDateTime(IssuedOn!.Value), UpdateService,
                DateOnly.FromDateTime(NextReviewOn!.Value))
            : null;
    }
}
