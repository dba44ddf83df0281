using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Outreach.Data.Venues;
using Outreach.Web.Infrastructure;

namespace Outreach.Web.Pages.Venues;

public class DetailsModel(VenueDetailsData details) : PageModel
{
    public VenueDetails Venue { get; private set; } = null!;

    public IReadOnlyList<VenueContact> Contacts { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken cancellationToken)
    {
        var venue = await details.GetAsync(id, cancellationToken);
        if (venue is null)
        {
            return NotFound();
        }
        Venue = venue;
        Contacts = await details.ContactsAsync(id, cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostRemoveContactAsync(long id, long contactId, CancellationToken cancellationToken)
    {
        TempData["StatusMessage"] = await details.RemoveContactAsync(id, contactId, HttpContext.Actor(), cancellationToken)
            ? "The contact was removed."
            : "That contact had already been removed.";
        return RedirectToPage(new { id });
    }
}
