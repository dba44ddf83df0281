using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc.Rendering;
using Outreach.Data;
using Outreach.Data.Venues;
using Outreach.Web.Infrastructure;

namespace Outreach.Web.Pages.Venues;

public class CreateModel(VenueData venues) : PageModel
{
    [BindProperty]
    public InputModel Input { get; set; } = new();

    public IReadOnlyList<SelectListItem> Areas { get; private set; } = [];

    // The rules (and their messages) are the operation's, VenueRules; the form only binds.
    public sealed class InputModel
    {
        [Display(Name = "Kind")]
        public string? Kind { get; set; } = VenueKinds.School;

        [Display(Name = "Name")]
        public string? Name { get; set; }

        [Required(ErrorMessage = "Choose the local authority area.")]
        [Display(Name = "Area (local authority)")]
        public long? AreaId { get; set; }

        [Display(Name = "Address")]
        public string? Address { get; set; }

        [Display(Name = "Postcode")]
        public string? Postcode { get; set; }

        [Display(Name = "URN (schools)")]
        public string? Urn { get; set; }
    }

    public async Task OnGetAsync(CancellationToken cancellationToken) => await LoadAsync(cancellationToken);

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (!ModelState.IsValid)
        {
            // Every message at once, though the operation is not asked without an area.
            ModelState.AddErrors(new Outcome<long>(0, VenueRules.CheckNew(Input.Kind, Input.Name, Input.Address, Input.Postcode, Input.Urn)));
            await LoadAsync(cancellationToken);
            return Page();
        }

        var outcome = await venues.CreateAsync(new NewVenue(
            Input.Kind ?? "", Input.Name ?? "", Input.AreaId!.Value, Input.Address ?? "", Input.Postcode ?? "", Input.Urn),
            HttpContext.Actor(), cancellationToken);
        if (!outcome.Succeeded)
        {
            ModelState.AddErrors(outcome);
            await LoadAsync(cancellationToken);
            return Page();
        }
        TempData["StatusMessage"] = $"{ImportFile.Tidy(Input.Name)} was added.";
        return RedirectToPage("Index");
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Areas = (await venues.AreasAsync(cancellationToken))
            .Select(a => new SelectListItem(a.Name, a.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)))
            .ToList();
    }
}
