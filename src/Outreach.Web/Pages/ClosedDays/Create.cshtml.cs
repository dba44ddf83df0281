using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc.Rendering;
using Outreach.Data.ClosedDays;
using Outreach.Data.Venues;
using Outreach.Web.Infrastructure;

namespace Outreach.Web.Pages.ClosedDays;

/// <summary>A term holiday, INSET day or other closure, for a whole local authority or for one school.</summary>
public class CreateModel(ClosedDayData closedDays, VenueData venues) : PageModel
{
    public const string Area = "area";
    public const string School = "venue";

    [BindProperty]
    public InputModel Input { get; set; } = new();

    public IReadOnlyList<SelectListItem> Areas { get; private set; } = [];

    public IReadOnlyList<SelectListItem> Schools { get; private set; } = [];

    public sealed class InputModel
    {
        [Required(ErrorMessage = "Choose what kind of closure this is.")]
        [Display(Name = "What")]
        public string Kind { get; set; } = "inset_day";

        [Display(Name = "Applies to")]
        public string AppliesTo { get; set; } = Area;

        [Display(Name = "Local authority")]
        public long? AreaId { get; set; }

        [Display(Name = "School")]
        public long? VenueId { get; set; }

        [Required(ErrorMessage = "Enter the first day.")]
        [Display(Name = "First day")]
        public DateOnly? FirstDay { get; set; }

        [Display(Name = "Last day (leave empty for one day)")]
        public DateOnly? LastDay { get; set; }

        [Required(ErrorMessage = "Give the reason, e.g. Autumn half term.")]
        [StringLength(200, ErrorMessage = "Keep the reason under 200 characters.")]
        [Display(Name = "Reason")]
        public string Reason { get; set; } = "";
    }

    public async Task OnGetAsync(long? venueId, long? areaId, CancellationToken cancellationToken)
    {
        if (venueId is not null)
        {
            Input.AppliesTo = School;
            Input.VenueId = venueId;
        }
        Input.AreaId = areaId;
        await LoadAsync(cancellationToken);
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (!ClosedDayKinds.Entered.Contains(Input.Kind ?? ""))
        {
            ModelState.AddModelError("Input.Kind", "Choose what kind of closure this is.");
        }
        if (Input.AppliesTo == Area && Input.AreaId is null)
        {
            ModelState.AddModelError("Input.AreaId", "Choose the local authority.");
        }
        else if (Input.AppliesTo == School && Input.VenueId is null)
        {
            ModelState.AddModelError("Input.VenueId", "Choose the school.");
        }
        else if (Input.AppliesTo is not (Area or School))
        {
            ModelState.AddModelError("Input.AppliesTo", "Choose a local authority or one school.");
        }
        if (Input.FirstDay is { } first && Input.LastDay is { } last && last < first)
        {
            ModelState.AddModelError("Input.LastDay", "The last day must be on or after the first day.");
        }
        if (!ModelState.IsValid)
        {
            await LoadAsync(cancellationToken);
            return Page();
        }

        var outcome = await closedDays.CreateAsync(new NewClosedDay(
            Input.Kind!, Input.AppliesTo == Area ? Input.AreaId : null, Input.AppliesTo == School ? Input.VenueId : null,
            Input.FirstDay!.Value, Input.LastDay ?? Input.FirstDay!.Value, Input.Reason.Trim()), HttpContext.Actor(), cancellationToken);
        if (!outcome.Succeeded)
        {
            ModelState.AddErrors(outcome);
            await LoadAsync(cancellationToken);
            return Page();
        }
        TempData["StatusMessage"] = $"{ClosedDayKinds.Label(Input.Kind!)} added: {Input.Reason.Trim()}.";
        return RedirectToPage("Index");
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Areas = (await venues.AreasAsync(cancellationToken))
            .Select(a => new SelectListItem(a.Name, a.Id.ToString(CultureInfo.InvariantCulture)))
            .ToList();
        Schools = (await venues.OpenVenuesAsync(cancellationToken))
            .Where(v => v.Kind == VenueKinds.School)
            .Select(v => new SelectListItem($"{v.Name} ({v.AreaName})", v.Id.ToString(CultureInfo.InvariantCulture)))
            .ToList();
    }
}
