using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Outreach.Data.Settings;

namespace Outreach.Data.Messages;

/// <summary>
/// The Sms section: when texts may go and how fast, what is sent when, and who is texted when cover cannot be
/// found or a safeguarding concern is raised.
/// </summary>
public sealed class SmsOptions : IValidatableObject
{
    public const string Section = "Sms";

    /// <summary>UK time from which non-urgent messages wait until <see cref="QuietHoursEnd"/>; equal times mean no quiet hours.</summary>
    [ClockTime(ErrorMessage = "Sms:QuietHoursStart must be a time like 21:00.")]
    public string QuietHoursStart { get; set; } = "21:00";

    [ClockTime(ErrorMessage = "Sms:QuietHoursEnd must be a time like 08:00.")]
    public string QuietHoursEnd { get; set; } = "08:00";

    /// <summary>Most messages one worker gets in a UK day; urgent ones are exempt. 0 means no cap.</summary>
    [Range(0, 10_000, ErrorMessage = "Sms:DailyCap must be a whole number from 0 (no cap) to 10000.")]
    public int DailyCap { get; set; } = 20;

    /// <summary>Sending rate across every job worker together; 0 means as fast as Twilio answers.</summary>
    [Range(0d, 10_000d, ErrorMessage = "Sms:MessagesPerSecond must be from 0 (unlimited) to 10000.")]
    public double MessagesPerSecond { get; set; } = 10;

    /// <summary>Requests one send job has in flight at once.</summary>
    [Range(1, 64, ErrorMessage = "Sms:Concurrency must be from 1 to 64.")]
    public int Concurrency { get; set; } = 4;

    /// <summary>
    /// How long a claimed message may stay 'sending' before another worker takes it as abandoned.
    /// Must exceed <see cref="RequestTimeout"/>, so a live sender's request has ended by then.
    /// </summary>
    public TimeSpan SendingLease { get; set; } = TimeSpan.FromMinutes(2);

    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The on-call coordinator's mobile for cover escalations and safeguarding alerts; none when empty.</summary>
    [RegularExpression(@"^\s*(\+?[0-9][0-9 ()-]{6,20})?\s*$", ErrorMessage = "Sms:OnCallCoordinatorMobile must be a mobile number like +447700900123, or empty.")]
    public string OnCallCoordinatorMobile { get; set; } = "";

    /// <summary>A booking not confirmed this long before the session is chased: alert and cover offer.</summary>
    [Range(1, 24 * 14, ErrorMessage = "Sms:ConfirmationDeadlineHours must be whole hours from 1 to 336.")]
    public int ConfirmationDeadlineHours { get; set; } = 24;

    /// <summary>However close the session, a worker gets at least this long to answer before the deadline passes.</summary>
    [Range(0, 24 * 60, ErrorMessage = "Sms:ConfirmationMinimumReplyMinutes must be whole minutes from 0 to 1440.")]
    public int ConfirmationMinimumReplyMinutes { get; set; } = 60;

    /// <summary>How many of the best-ranked eligible workers a cover offer goes to.</summary>
    [Range(1, 100, ErrorMessage = "Sms:CoverOfferRecipients must be from 1 to 100.")]
    public int CoverOfferRecipients { get; set; } = 5;

    /// <summary>A cover offer nobody takes is escalated this long after it opened ...</summary>
    [Range(1, 24 * 60 * 7, ErrorMessage = "Sms:CoverEscalateAfterMinutes must be whole minutes from 1 to 10080.")]
    public int CoverEscalateAfterMinutes { get; set; } = 120;

    /// <summary>... or this long before the session starts, whichever comes first.</summary>
    [Range(0, 24 * 60 * 7, ErrorMessage = "Sms:CoverEscalateBeforeStartMinutes must be whole minutes from 0 to 10080.")]
    public int CoverEscalateBeforeStartMinutes { get; set; } = 60;

    /// <summary>When the weekly roster goes out (UK time): day of the week and hh:mm.</summary>
    [EnumDataType(typeof(DayOfWeek), ErrorMessage = "Sms:RosterDay must be a day of the week, like Sunday.")]
    public DayOfWeek RosterDay { get; set; } = DayOfWeek.Sunday;

    [ClockTime(ErrorMessage = "Sms:RosterTime must be a time like 18:00.")]
    public string RosterTime { get; set; } = "18:00";

    /// <summary>Messages about sessions this close are urgent (sent through quiet hours).</summary>
    public static readonly TimeSpan UrgentWithin = TimeSpan.FromHours(12);

    // A property the validator reads too, before it has checked the times: so it must not throw on a bad one.
    public SmsSendPolicy Policy => new(
        ClockTimeAttribute.TryParse(QuietHoursStart, out var start) ? start : SmsSendPolicy.Default.QuietStart,
        ClockTimeAttribute.TryParse(QuietHoursEnd, out var end) ? end : SmsSendPolicy.Default.QuietEnd,
        DailyCap);

    public string RosterCron()
    {
        var time = ClockTimeAttribute.Parse(RosterTime);
        return string.Create(CultureInfo.InvariantCulture, $"{time.Minute} {time.Hour} * * {(int)RosterDay}");
    }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (RequestTimeout <= TimeSpan.Zero)
        {
            yield return new ValidationResult("Sms:RequestTimeout must be longer than zero, like 00:00:30.", [nameof(RequestTimeout)]);
        }
        else if (SendingLease <= RequestTimeout + TimeSpan.FromSeconds(10))
        {
            yield return new ValidationResult(
                "Sms:SendingLease must exceed Sms:RequestTimeout by more than 10 seconds, so a live sender's request has ended before another worker takes its message.",
                [nameof(SendingLease)]);
        }
    }
}
