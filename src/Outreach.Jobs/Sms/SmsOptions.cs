using Outreach.Data.Messages;

namespace Outreach.Jobs.Sms;

public sealed class SmsOptions
{
    public const string Section = "Sms";

    /// <summary>UK time from which non-urgent messages wait until <see cref="QuietHoursEnd"/>.</summary>
    public TimeOnly QuietHoursStart { get; set; } = new(21, 0);

    public TimeOnly QuietHoursEnd { get; set; } = new(8, 0);

    /// <summary>Most messages one worker gets in a UK day; urgent ones are exempt. 0 means no cap.</summary>
    public int DailyCap { get; set; } = 20;

    /// <summary>Sending rate across every job worker together; 0 means as fast as Twilio answers.</summary>
    public double MessagesPerSecond { get; set; } = 10;

    /// <summary>Requests one send job has in flight at once.</summary>
    public int Concurrency { get; set; } = 4;

    /// <summary>
    /// How long a claimed message may stay 'sending' before another worker takes it as abandoned.
    /// Must exceed <see cref="RequestTimeout"/>, so a live sender's request has ended by then.
    /// </summary>
    public TimeSpan SendingLease { get; set; } = TimeSpan.FromMinutes(2);

    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public bool IsValid =>
        DailyCap >= 0 && MessagesPerSecond >= 0 && Concurrency is >= 1 and <= 64
        && RequestTimeout > TimeSpan.Zero && SendingLease > RequestTimeout + TimeSpan.FromSeconds(10);

    public SmsSendPolicy Policy => new(QuietHoursStart, QuietHoursEnd, DailyCap);
}
