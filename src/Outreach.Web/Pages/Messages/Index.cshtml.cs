using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using Outreach.Data.Messages;
using Outreach.Jobs.Sms;

namespace Outreach.Web.Pages.Messages;

/// <summary>
/// Every text message Outreach has queued, with its state; and, when no Twilio account is configured,
/// what the development gateway "delivered".
/// </summary>
public class IndexModel(OutboxData outbox, IOptions<TwilioOptions> twilio) : PageModel
{
    public IReadOnlyList<OutboxRow> Outbox { get; private set; } = [];

    public IReadOnlyList<DevSmsRow> Delivered { get; private set; } = [];

    public bool DevelopmentGateway { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        DevelopmentGateway = !twilio.Value.IsConfigured;
        Outbox = await outbox.RecentAsync(200, cancellationToken);
        if (DevelopmentGateway)
        {
            Delivered = await outbox.DevelopmentMessagesAsync(200, cancellationToken);
        }
    }
}
