using System.Globalization;
using Dapper;
using Npgsql;

namespace Outreach.Data.Workers;

/// <summary>A worker's Disclosure and Barring Service check, as the certificate and the review policy give it.</summary>
public sealed record DbsCheck(string CheckType, string CertificateNumber, DateOnly IssuedOn, bool UpdateService, DateOnly NextReviewOn);

/// <summary>A DBS check as a coordinator or an API client gives it, before <see cref="Dbs.Check"/> reads it.</summary>
public sealed record DbsInput(string? CheckType, string? CertificateNumber, DateOnly? IssuedOn, bool UpdateService, DateOnly? NextReviewOn)
{
    public bool IsEmpty => string.IsNullOrWhiteSpace(CheckType) && string.IsNullOrWhiteSpace(CertificateNumber) && IssuedOn is null
        && NextReviewOn is null && !UpdateService;
}

public static class Dbs
{
    public const string EnhancedBarred = "enhanced_barred";

    /// <summary>How far ahead a coming review is shown to coordinators.</summary>
    public const int DueWithinDays = 60;

    /// <summary>The name the database's trigger raises under, so a refusal in a race reads like the friendly check.</summary>
    public const string ConstraintName = "assignments_worker_dbs_valid";

    public static readonly IReadOnlyDictionary<string, string> CheckTypes = new Dictionary<string, string>
    {
        [EnhancedBarred] = "Enhanced with children's barred list",
        ["enhanced"] = "Enhanced",
        ["standard"] = "Standard",
        ["basic"] = "Basic",
    };

    /// <summary>
    /// The one reading of a DBS check, for the worker forms and the API alike. Wholly empty means "no check recorded"
    /// (the worker can be added but not booked); partly filled, each wrong field says what it needs, keyed by the
    /// <see cref="DbsInput"/> property it concerns.
    /// </summary>
    /// <returns>The check (null for none) or the errors.</returns>
    public static Outcome<DbsCheck?> Check(DbsInput input, DateOnly today)
    {
        if (input.IsEmpty)
        {
            return Outcome<DbsCheck?>.Ok(null);
        }
        var errors = new List<FieldError>();
        var certificate = new string((input.CertificateNumber ?? "").Where(c => !char.IsWhiteSpace(c) && c != '-').ToArray());
        if (string.IsNullOrWhiteSpace(input.CheckType) || !CheckTypes.ContainsKey(input.CheckType))
        {
            errors.Add(new(nameof(DbsInput.CheckType), "Choose the type of DBS check."));
        }
        if (certificate.Length == 0)
        {
            errors.Add(new(nameof(DbsInput.CertificateNumber), "Enter the certificate number from the DBS certificate."));
        }
        else if (certificate.Length != 12 || !certificate.All(char.IsAsciiDigit))
        {
            errors.Add(new(nameof(DbsInput.CertificateNumber), "A DBS certificate number is 12 digits, like 001234567890."));
        }
        if (input.IssuedOn is null)
        {
            errors.Add(new(nameof(DbsInput.IssuedOn), "Enter the date on the certificate."));
        }
        else if (input.IssuedOn > today)
        {
            errors.Add(new(nameof(DbsInput.IssuedOn), "The issue date cannot be in the future."));
        }
        if (input.NextReviewOn is null)
        {
            errors.Add(new(nameof(DbsInput.NextReviewOn), "Enter when the check is next due for review."));
        }
        else if (input.IssuedOn is not null && input.NextReviewOn <= input.IssuedOn)
        {
            errors.Add(new(nameof(DbsInput.NextReviewOn), "The next review must be after the issue date."));
        }
        return errors.Count > 0
            ? new Outcome<DbsCheck?>(null, errors)
            : Outcome<DbsCheck?>.Ok(new DbsCheck(input.CheckType!, certificate, input.IssuedOn!.Value, input.UpdateService, input.NextReviewOn!.Value));
    }

    private static readonly CultureInfo EnGb = CultureInfo.GetCultureInfo("en-GB");

    public static string TypeLabel(string? type) =>
        type is null ? "None recorded" : CheckTypes.GetValueOrDefault(type, type);

    public static string Date(DateTime date) => date.ToString("d MMMM yyyy", EnGb);

    public static string Date(DateOnly date) => date.ToString("d MMMM yyyy", EnGb);

    /// <summary>"Valid", "Due for review in 12 days", "Expired on ...", "No DBS check recorded": what a coordinator reads.</summary>
    public static string Status(DateTime? nextReviewOn, DateOnly today)
    {
        if (nextReviewOn is not { } review)
        {
            return "No DBS check recorded";
        }
        var reviewDay = DateOnly.FromDateTime(review);
        var days = reviewDay.DayNumber - today.DayNumber;
        return days switch
        {
            <= 0 => $"Expired: review was due on {Date(reviewDay)}",
            1 => $"Due for review tomorrow ({Date(reviewDay)})",
            <= DueWithinDays => $"Due for review in {days} days ({Date(reviewDay)})",
            _ => $"Valid: next review {Date(reviewDay)}",
        };
    }

    /// <summary>
    /// Why this worker cannot be booked onto a session ending at <paramref name="sessionEndsUtc"/>, or null
    /// when their check covers it. Runs inside the booking's transaction and holds the worker's row, so a DBS
    /// change cannot slip in between this check and the insert (the trigger would refuse it anyway).
    /// </summary>
    public static async Task<string?> AssignmentRefusalAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, long workerId, DateTime sessionEndsUtc,
        CancellationToken cancellationToken)
    {
        var worker = await connection.QuerySingleOrDefaultAsync<DbsState>(new CommandDefinition("""
            SELECT full_name, dbs_next_review_on::timestamp AS dbs_next_review_on,
                   dbs_next_review_on IS NOT NULL AND outreach.dbs_expires_at(dbs_next_review_on) >= @sessionEndsUtc AS covers,
                   (now() AT TIME ZONE 'Europe/London')::date::timestamp AS today
            FROM outreach.youth_workers WHERE id = @workerId
            FOR SHARE
            """, new { workerId, sessionEndsUtc }, transaction, cancellationToken: cancellationToken));
        if (worker is null || worker.Covers)
        {
            return null;
        }
        if (worker.DbsNextReviewOn is not { } review)
        {
            return $"{worker.FullName} has no DBS check recorded, so they cannot be assigned. Record their DBS check on their profile first.";
        }
        return review <= worker.Today
            ? $"{worker.FullName}'s DBS check expired on {Date(review)}: they cannot be assigned until it is renewed."
            : $"{worker.FullName}'s DBS check is due for review on {Date(review)}, before this session ends: they cannot be assigned to it until the check is renewed.";
    }

    private sealed record DbsState(string FullName, DateTime? DbsNextReviewOn, bool Covers, DateTime Today);
}
