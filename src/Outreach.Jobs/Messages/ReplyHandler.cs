using System.Xml.Linq;
using Hangfire;
using Microsoft.Extensions.Logging;
using Outreach.Data.Messages;
using Outreach.Jobs.Reminders;

namespace Outreach.Jobs.Messages;

/// <summary>
/// One way in for replies, from Twilio's webhook and from the development phone alike: acts on the reply once
/// (per message SID), then sets off what follows (cover offers, reminders for a booking taken by SMS).
/// </summary>
public sealed class ReplyHandler(ReplyData replies, IBackgroundJobClient jobs, ReminderScheduler reminders, ILogger<ReplyHandler> logger)
{
    public async Task<ReplyResult> HandleAsync(string messageSid, string from, string to, string body, CancellationToken cancellationToken)
    {
        var result = await replies.HandleAsync(messageSid, from, to, body, cancellationToken);
        if (result.Repeated)
        {
            return result;
        }
        logger.LogInformation("Reply handled: {Outcome}", result.Outcome);
        if (result.NewAssignmentId is { } assignmentId && result.NewAssignmentStartsAt is { } startsAt)
        {
            reminders.ScheduleFor(assignmentId, startsAt);
        }
        if (result.CoverChanged)
        {
            jobs.Enqueue<CoverOfferJob>(job => job.RunAsync(CancellationToken.None));
        }
        return result;
    }

    public static string Twiml(string? message)
    {
        var response = new XElement("Response", message is null ? null : new XElement("Message", message));
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>" + response.ToString(SaveOptions.DisableFormatting);
    }
}
