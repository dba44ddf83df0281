using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc.Rendering;
using Outreach.Data;
using Outreach.Data.Venues;
using Outreach.Web.Infrastructure;

namespace Outreach.Web.Pages.Venues;

public class EditModel(VenueDetailsData details, VenueData venues) : PageModel
{
    [BindProperty]
    public InputModel Input { get; set; } = new();

    public VenueDetails Venue { get; private set; } = null!;

    public IReadOnlyList<SelectListItem> Areas { get; private set; } = [];

    // The rules (and their messages) are the operation's, VenueRules; the form only binds.
    public sealed class InputModel
    {
        [Display(Name = "Name")]
        public string? Name { get; set; }

        [Required(ErrorMessage = "Choose the local authority area.")]
        [Display(Name = "Area (local authority)")]
        public long? AreaId { get; set; }

        [Display(Name = "Address")]
        public string? Address { get; set; }

        [Display(Name = "Postcode")]
        public string? Postcode { get; set; }

        [Display(Name = "Main phone number")]
        public string? Phone { get; set; }

        [Display(Name = "Access notes")]
        public string? AccessNotes { get; set; }

        [Display(Name = "Status")]
        public string? Status { get; set; } = "open";

        /// <summary>When the venue was last changed as the form was loaded, to catch a change made meanwhile.</summary>
        public long Version { get; set; }
    }

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, cancellationToken))
        {
            return NotFound();
        }
        Input = new InputModel
        {
            Name = Venue.Name, AreaId = Venue.AreaId, Address = Venue.Address, Postcode = Venue.Postcode,
            Phone = Venue.Phone, AccessNotes = Venue.AccessNotes, Status = Venue.Status, Version = Venue.UpdatedAt.Ticks,
        };
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(long id, CancellationToken cancellationToken)
    {
        if (!ModelState.IsValid)
        {
            ModelState.AddErrors(new Outcome<bool>(false,
                VenueRules.CheckEdit(Input.Name, Input.Address, Input.Postcode, Input.Phone, Input.AccessNotes, Input.Status)));
            return await LoadAsync(id, cancellationToken) ? Page() : NotFound();
        }
        var outcome = await details.UpdateAsync(id, new VenueEdit(
            Input.Name ?? "", Input.AreaId!.Value, Input.Address ?? "", Input.Postcode ?? "", Input.Phone ?? "", Input.AccessNotes ?? "",
            Input.Status ?? "", Loaded(Input.Version)), HttpContext.Actor(), cancellationToken);
        if (!outcome.Succeeded)
        {
            ModelState.AddErrors(outcome);
            return await LoadAsync(id, cancellationToken) ? Page() : NotFound();
        }
        TempData["StatusMessage"] = $"{ImportFile.Tidy(Input.Name)} was saved.";
        return RedirectToPage("Details", new { id });
    }

    // A version no form was given reads as a change made meanwhile, not as a fault.
    private static DateTime Loaded(long version) =>
        version >= 0 && version <= DateTime.MaxValue.Ticks ? new DateTime(version, DateTimeKind.Utc) : DateTime.MinValue;

    private async Task<bool> LoadAsync(long id, CancellationToken cancellationToken)
    {
        var venue = await details.GetAsync(id, cancellationToken);
        if (venue is null)
        {
            return false;
        }
        Venue = venue;
        Areas = (await venues.AreasAsync(cancellationToken))
            .Select(a => new SelectListItem(a.Name, a.Id.ToString(CultureInfo.InvariantCulture)))
            .ToList();
        return true;
    }
}
