using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using Outreach.Data.Messages;
using Outreach.Jobs.Messages;
using Outreach.Jobs.Sms;

namespace Outreach.Web.Pages.Messages;

/// <summary>
/// With the development gateway: what each worker's phone received, and replying as that worker. A reply goes
/// through the same handling as Twilio's webhook (with a generated message SID), so the whole flow works offline.
/// </summary>
public class PhoneModel(ComposeData compose, ReplyData replies, ReplyHandler handler, OutboxData outbox, IOptions<TwilioOptions> twilio) : PageModel
{
    public bool DevelopmentGateway => !twilio.Value.IsConfigured;

    public IReadOnlyList<ComposeWorker> Workers { get; private set; } = [];

    public ComposeWorker? Worker { get; private set; }

    public IReadOnlyList<PhoneMessage> Conversation { get; private set; } = [];

    [BindProperty(SupportsGet = true)]
    [Display(Name = "Youth worker")]
    public long? WorkerId { get; set; }

    [BindProperty]
    public InputModel Input { get; set; } = new();

    public sealed class InputModel
    {
        [Required(ErrorMessage = "Type the reply.")]
        [StringLength(480, ErrorMessage = "A reply can be up to 480 characters.")]
        [Display(Name = "Reply as this worker")]
        public string? Body { get; set; }
    }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        ModelState.Clear();
        await LoadAsync(cancellationToken);
    }

    public async Task<IActionResult> OnPostReplyAsync(CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken);
        if (!DevelopmentGateway)
        {
            ModelState.AddModelError("", "Replies can only be made up here with the development gateway; Twilio is configured.");
        }
        if (Worker is null)
        {
            ModelState.AddModelError(nameof(WorkerId), "Choose a youth worker.");
        }
        if (!ModelState.IsValid)
        {
            return Page();
        }
        var result = await handler.HandleAsync("DEV" + Guid.NewGuid().ToString("N"), Worker!.MobileE164, "development",
            Input.Body!.Trim(), cancellationToken);
        // Twilio would deliver the TwiML answer to the phone; here the development gateway keeps it.
        if (result.Response is not null)
        {
            await outbox.StoreDevelopmentMessageAsync(Worker.MobileE164, "Outreach (reply)", result.Response, cancellationToken);
        }
        TempData["StatusMessage"] = $"Replied as {Worker.FullName}.";
        return RedirectToPage(new { workerId = Worker.Id });
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Workers = await compose.WorkersAsync(cancellationToken);
        Worker = Workers.FirstOrDefault(w => w.Id == WorkerId);
        if (Worker is not null && DevelopmentGateway)
        {
            Conversation = await replies.ConversationAsync(Worker.MobileE164, 100, cancellationToken);
        }
    }
}
