using Hangfire;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Outreach.Data.Messages;
using Outreach.Jobs.Sms;

namespace Outreach.Jobs.Messages;

/// <summary>
/// Sends "reply YES or NO" for new bookings (with a code when the worker has other questions open), then chases
/// the ones past their deadline: an alert for the coordinators and the place offered as cover.
/// </summary>
public sealed class ConfirmationJob(
    ConfirmationData confirmations, IBackgroundJobClient jobs, IOptions<SmsOptions> options,
    TimeProvider clock, ILogger<ConfirmationJob> logger)
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var queued = 0;
        foreach (var request in await confirmations.UnsentAsync(now, cancellationToken))
        {
            var body = SmsText.ConfirmationRequest(request.Title, request.VenueName, request.StartsAt, request.EndsAt,
                request.OtherOpenQuestions > 0 ? request.Code : null);
            if (await confirmations.QueueAsync(request.RequestId, new OutgoingSms(request.DedupeKey, "confirmation", request.WorkerId, request.SessionId,
                    request.MobileE164, body, now, request.StartsAt, request.StartsAt - now <= SmsOptions.UrgentWithin), cancellationToken) is not null)
            {
                queued++;
            }
        }

        var o = options.Value;
        var expired = await confirmations.ExpireDueAsync(now, TimeSpan.FromHours(o.ConfirmationDeadlineHours),
            TimeSpan.FromMinutes(o.ConfirmationMinimumReplyMinutes), cancellationToken);
        if (expired.Count > 0)
        {
            logger.LogInformation("{Count} confirmation requests passed their deadline unanswered", expired.Count);
            jobs.Enqueue<CoverOfferJob>(job => job.RunAsync(CancellationToken.None));
        }
        if (queued > 0)
        {
            jobs.Enqueue<SendOutboxJob>(job => job.RunAsync(CancellationToken.None));
        }
    }
}
