using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Outreach.Data.Messages;
using Outreach.Web.Infrastructure;

namespace Outreach.Web.Pages.Messages;

/// <summary>Replies that nothing could act on (free text, unknown numbers, unclear codes), for a coordinator to deal with.</summary>
public class InboxModel(ReplyData replies) : PageModel
{
    public IReadOnlyList<InboxRow> Messages { get; private set; } = [];

    [BindProperty(SupportsGet = true)]
    public bool ShowHandled { get; set; }

    public async Task OnGetAsync(CancellationToken cancellationToken) =>
        Messages = await replies.InboxAsync(ShowHandled, 200, cancellationToken);

    public async Task<IActionResult> OnPostHandledAsync(long id, CancellationToken cancellationToken)
    {
        TempData["StatusMessage"] = await replies.MarkHandledAsync(id, HttpContext.Actor(), cancellationToken)
            ? "Marked as handled."
            : "That message was already handled.";
        return RedirectToPage();
    }
}
