using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc.Rendering;
using Outreach.Data.Venues;
using Outreach.Web.Infrastructure;

namespace Outreach.Web.Pages.Venues;

public class CreateModel(VenueData venues) : PageModel
{
    [BindProperty]
    public InputModel Input { get; set; } = new();

    public IReadOnlyList<SelectListItem> Areas { get; private set; } = [];

    public sealed class InputModel
    {
        [Required(ErrorMessage = "Choose what kind of venue this is.")]
        [Display(Name = "Kind")]
        public string Kind { get; set; } = VenueKinds.School;

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

        [RegularExpression(@"^\d{6}$", ErrorMessage = "A school's URN is 6 digits.")]
        [Display(Name = "URN (schools)")]
        public string? Urn { get; set; }
    }

    public async Task OnGetAsync(CancellationToken cancellationToken) => await LoadAsync(cancellationToken);

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (!VenueKinds.Labels.ContainsKey(Input.Kind ?? ""))
        {
            ModelState.AddModelError("Input.Kind", "Choose what kind of venue this is.");
        }
        if (!ModelState.IsValid)
        {
            await LoadAsync(cancellationToken);
            return Page();
        }

        var outcome = await venues.CreateAsync(new NewVenue(
            Input.Kind!, Input.Name.Trim(), Input.AreaId!.Value, Input.Address?.Trim() ?? "",
            NormalisePostcode(Input.Postcode), string.IsNullOrWhiteSpace(Input.Urn) ? null : Input.Urn.Trim()),
            HttpContext.Actor(), cancellationToken);
        if (!outcome.Succeeded)
        {
            ModelState.AddErrors(outcome);
            await LoadAsync(cancellationToken);
            return Page();
        }
        TempData["StatusMessage"] = $"{Input.Name.Trim()} was added.";
        return RedirectToPage("Index");
    }

    private static string NormalisePostcode(string postcode)
    {
        var compact = string.Concat(postcode.Where(c => !char.IsWhiteSpace(c))).ToUpperInvariant();
        return compact.Length > 3 ? compact[..^3] + " " + compact[^3..] : compact;
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Areas = (await venues.AreasAsync(cancellationToken))
            .Select(a => new SelectListItem(a.Name, a.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)))
            .ToList();
    }
}
