using System.ComponentModel.DataAnnotations;

namespace Outreach.Jobs.Reminders;

/// <summary>The Reminders section.</summary>
public sealed class ReminderOptions : IValidatableObject
{
    public const string Section = "Reminders";

    private static readonly int[] Defaults = [1440, 120];

    /// <summary>
    /// How long before a session its workers are reminded, in minutes. Left empty here because the
    /// configuration binder appends to a pre-filled list; <see cref="Leads"/> applies the default.
    /// </summary>
    public int[] LeadMinutes { get; set; } = [];

    /// <summary>The lead times in force: the configured ones, or 24 h and 2 h.</summary>
    public IReadOnlyList<int> Leads => LeadMinutes.Length > 0 ? LeadMinutes.Distinct().ToArray() : Defaults;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (LeadMinutes.Any(m => m is < 1 or > 60 * 24 * 28))
        {
            yield return new ValidationResult(
                "Reminders:LeadMinutes must be whole minutes from 1 to 40320 before the session, like 1440 and 120.", [nameof(LeadMinutes)]);
        }
    }
}
