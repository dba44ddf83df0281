using Hangfire;

namespace Outreach.Jobs.Messages;

/// <summary>What pages and the API call after a change, so its messages go at once rather than at the next sweep.</summary>
public sealed class SmsFollowUp(IBackgroundJobClient jobs)
{
    public void AfterBooking() => jobs.Enqueue<ConfirmationJob>(job => job.RunAsync(CancellationToken.None));

    public void AfterSessionChange()
    {
        jobs.Enqueue<SessionNoticeJob>(job => job.RunAsync(CancellationToken.None));
        jobs.Enqueue<CoverOfferJob>(job => job.RunAsync(CancellationToken.None));
    }

    public void AfterWithdrawal() => jobs.Enqueue<CoverOfferJob>(job => job.RunAsync(CancellationToken.None));
}
