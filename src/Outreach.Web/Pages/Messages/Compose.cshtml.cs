using System.ComponentModel.DataAnnotations;
using Hangfire;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Outreach.Data.Messages;
using Outreach.Jobs.Sms;
using Outreach.Web.Infrastructure;

namespace Outreach.Web.Pages.Messages;

/// <summary>
/// An ad-hoc text to chosen workers, or to everyone booked on a session: write, preview (the text as it will be
/// sent, with its segment count), send. The preview carries one key for the whole action, and each worker's row
/// is keyed by it, so sending twice (a double click, a resubmitted form) sends once.
/// </summary>
public class ComposeModel(ComposeData compose, OutboxData outbox, IBackgroundJobClient jobs, TimeProvider clock) : PageModel
{
    public IReadOnlyList<ComposeWorker> Workers { get; private set; } = [];

    public IReadOnlyList<ComposeSession> Sessions { get; private set; } = [];

    /// <summary>Set once the input is valid: what will be sent, to whom.</summary>
    public Preview? Shown { get; private set; }

    public sealed record Preview(string Text, SmsSize Size, IReadOnlyList<ComposeWorker> Recipients, bool Changed);

    [BindProperty]
    public InputModel Input { get; set; } = new();

    public sealed class InputModel
    {
        [Display(Name = "Youth workers")]
        public List<long> WorkerIds { get; set; } = [];

        [Display(Name = "Or everyone booked on a session")]
        public long? SessionId { get; set; }

        [Required(ErrorMessage = "Write the message.")]
        [StringLength(612, ErrorMessage = "Keep the message to 612 characters (four texts).")]
        [Display(Name = "Message")]
        public string? Body { get; set; }

        /// <summary>Made by the preview; the same key on a second send adds nothing.</summary>
        public string? ComposeKey { get; set; }
    }

    public async Task OnGetAsync(long? sessionId, CancellationToken cancellationToken)
    {
        Input.SessionId = sessionId;
        await LoadAsync(cancellationToken);
    }

    public async Task<IActionResult> OnPostPreviewAsync(CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken);
        Input.ComposeKey = Guid.NewGuid().ToString("N");
        ModelState.Remove("Input.ComposeKey");
        await PreviewAsync(cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostSendAsync(CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken);
        if (!Guid.TryParseExact(Input.ComposeKey, "N", out _))
        {
            ModelState.AddModelError("", "Preview the message before sending it.");
        }
        await PreviewAsync(cancellationToken);
        if (!ModelState.IsValid || Shown is null)
        {
            return Page();
        }
        var now = clock.GetUtcNow().UtcDateTime;
        var added = 0;
        var reachable = Shown.Recipients.Where(r => !r.SmsOptedOut).ToList();
        foreach (var worker in reachable)
        {
            if (await outbox.AddAsync(new OutgoingSms($"compose:{Input.ComposeKey}:worker:{worker.Id}", "adhoc", worker.Id, Input.SessionId,
                    worker.MobileE164, Shown.Text, now, now.AddDays(1)), cancellationToken) is not null)
            {
                added++;
            }
        }
        if (added > 0)
        {
            await compose.AuditAsync(HttpContext.Actor(), Input.ComposeKey!, added, Shown.Text, Input.SessionId, cancellationToken);
            jobs.Enqueue<SendOutboxJob>(job => job.RunAsync(CancellationToken.None));
        }
        TempData["StatusMessage"] = added > 0
            ? $"Message queued for {added} worker{(added == 1 ? "" : "s")} ({Shown.Size.Segments} segment{(Shown.Size.Segments == 1 ? "" : "s")} each)."
            : "This message was already sent; nothing was sent again.";
        return RedirectToPage();
    }

    private async Task PreviewAsync(CancellationToken cancellationToken)
    {
        if (Input.WorkerIds.Count == 0 && Input.SessionId is null)
        {
            ModelState.AddModelError("Input.WorkerIds", "Choose at least one youth worker, or a session.");
        }
        if (!ModelState.IsValid)
        {
            return;
        }
        var recipients = await compose.RecipientsAsync(Input.WorkerIds, Input.SessionId, cancellationToken);
        if (recipients.Count == 0)
        {
            ModelState.AddModelError("Input.WorkerIds", "Nobody is booked on that session; choose youth workers.");
            return;
        }
        var body = Input.Body!.Trim();
        var text = SmsText.ToGsm(body);
        Shown = new Preview(text, SmsText.Size(text), recipients, text != body);
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        Workers = await compose.WorkersAsync(cancellationToken);
        Sessions = await compose.UpcomingSessionsAsync(now.AddHours(-12), now.AddDays(28), cancellationToken);
    }
}
