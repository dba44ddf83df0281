using System.Globalization;

namespace Outreach.Jobs.Messages;

/// <summary>Configuration section <c>Sms</c>: what is sent when, and who is called when cover cannot be found.</summary>
public sealed class MessagingOptions
{
    public const string Section = "Sms";

    /// <summary>The on-call coordinator's mobile (E.164) for cover escalations; none when empty.</summary>
    public string OnCallCoordinatorMobile { get; set; } = "";

    /// <summary>A booking not confirmed this long before the session is chased: alert and cover offer.</summary>
    public int ConfirmationDeadlineHours { get; set; } = 24;

    /// <summary>However close the session, a worker gets at least this long to answer before the deadline passes.</summary>
    public int ConfirmationMinimumReplyMinutes { get; set; } = 60;

    /// <summary>How many of the best-ranked eligible workers a cover offer goes to.</summary>
    public int CoverOfferRecipients { get; set; } = 5;

    /// <summary>A cover offer nobody takes is escalated this long after it opened ...</summary>
    public int CoverEscalateAfterMinutes { get; set; } = 120;

    /// <summary>... or this long before the session starts, whichever comes first.</summary>
    public int CoverEscalateBeforeStartMinutes { get; set; } = 60;

    /// <summary>When the weekly roster goes out (UK time): day of the week and hh:mm.</summary>
    public DayOfWeek RosterDay { get; set; } = DayOfWeek.Sunday;

    public string RosterTime { get; set; } = "18:00";

    /// <summary>Messages about sessions this close are urgent (sent through quiet hours).</summary>
    public static readonly TimeSpan UrgentWithin = TimeSpan.FromHours(12);

    public string RosterCron()
    {
        var time = TimeOnly.TryParseExact(RosterTime, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var t) ? t : new TimeOnly(18, 0);
        return $"{time.Minute} {time.Hour} * * {(int)RosterDay}";
    }
}
