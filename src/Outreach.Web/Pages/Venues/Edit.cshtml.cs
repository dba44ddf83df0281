using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc.Rendering;
using Outreach.Data.Venues;
using Outreach.Web.Infrastructure;

namespace Outreach.Web.Pages.Venues;

public class EditModel(VenueDetailsData details, VenueData venues) : PageModel
{
    [BindProperty]
    public InputModel Input { get; set; } = new();

    public VenueDetails Venue { get; private set; } = null!;

    public IReadOnlyList<SelectListItem> Areas { get; private set; } = [];

    public sealed class InputModel
    {
        [Required(ErrorMessage = "Enter the venue's name.")]
        [StringLength(200, ErrorMessage = "Keep the name under 200 characters.")]
        [Display(Name = "Name")]
        public string Name { get; set; } = "";

        [Required(ErrorMessage = "Choose the local authority area.")]
        [Display(Name = "Area (local authority)")]
        public long? AreaId { get; set; }

        [StringLength(300, ErrorMessage = "Keep the address under 300 characters.")]
        [Display(Name = "Address")]
        public string? Address { get; set; }

        [Required(ErrorMessage = "Enter the postcode.")]
        [RegularExpression(@"^\s*[A-Za-z]{1,2}[0-9][A-Za-z0-9]?\s*[0-9][A-Za-z]{2}\s*$", ErrorMessage = "Enter a UK postcode like B8 2AA.")]
        [Display(Name = "Postcode")]
        public string Postcode { get; set; } = "";

        [RegularExpression(@"^\s*\+?[0-9][0-9 ()-]{8,18}\s*$", ErrorMessage = "Enter a phone number like 0121 464 2000.")]
        [Display(Name = "Main phone number")]
        public string? Phone { get; set; }

        [StringLength(2000, ErrorMessage = "Keep the access notes under 2,000 characters.")]
        [Display(Name = "Access notes")]
        public string? AccessNotes { get; set; }

        [Required(ErrorMessage = "Say whether the venue is open or closed.")]
        [RegularExpression("^(open|closed)$", ErrorMessage = "Say whether the venue is open or closed.")]
        [Display(Name = "Status")]
        public string Status { get; set; } = "open";

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
            return await LoadAsync(id, cancellationToken) ? Page() : NotFound();
        }
        var postcode = ImportFile.NormalisePostcode(Input.Postcode);
        if (postcode is null)
        {
            ModelState.AddModelError("Input.Postcode", "Enter a UK postcode like B8 2AA.");
            return await LoadAsync(id, cancellationToken) ? Page() : NotFound();
        }
        var outcome = await details.UpdateAsync(id, new VenueEdit(
            ImportFile.Tidy(Input.Name), Input.AreaId!.Value, ImportFile.Tidy(Input.Address), postcode,
            ImportFile.Tidy(Input.Phone), (Input.AccessNotes ?? "").Trim(), Input.Status,
            new DateTime(Input.Version, DateTimeKind.Utc)), HttpContext.Actor(), cancellationToken);
        if (!outcome.Succeeded)
        {
            ModelState.AddErrors(outcome);
            return await LoadAsync(id, cancellationToken) ? Page() : NotFound();
        }
        TempData["StatusMessage"] = $"{ImportFile.Tidy(Input.Name)} was saved.";
        return RedirectToPage("Details", new { id });
    }

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
