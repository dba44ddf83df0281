namespace Outreach.Jobs.Reminders;

public sealed class ReminderOptions
{
    public const string Section = "Reminders";

    private static readonly int[] Defaults = [1440, 120];

    /// <summary>
    /// How long before a session its workers are reminded, in minutes. Left empty here because the
    /// configuration binder appends to a pre-filled list; <see cref="Leads"/> applies the default.
    /// </summary>
    public int[] LeadMinutes { get; set; } = [];

    /// <summary>The lead times in force: the configured ones, or 24 h and 2 h.</summary>
    public IReadOnlyList<int> Leads => LeadMinutes.Length > 0 ? LeadMinutes.Where(m => m > 0).Distinct().ToArray() : Defaults;
}
