using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc.Rendering;
using Outreach.Data;
using Outreach.Data.Sessions;
using Outreach.Data.Venues;
using Outreach.Data.Workers;
using Outreach.Web.Infrastructure;

namespace Outreach.Web.Pages.Sessions;

public class CreateModel(SessionData sessions, VenueData venues, SkillData skills) : PageModel
{
    [BindProperty]
    public InputModel Input { get; set; } = new();

    public IReadOnlyList<SelectListItem> Venues { get; private set; } = [];

    public sealed class InputModel
    {
        [Required(ErrorMessage = "Choose a venue.")]
        [Display(Name = "Venue")]
        public long? VenueId { get; set; }

        [Required(ErrorMessage = "Choose the kind of session.")]
        [Display(Name = "Kind")]
        public string Kind { get; set; } = "assembly";

        [Required(ErrorMessage = "Give the session a title.")]
        [StringLength(200, ErrorMessage = "Keep the title under 200 characters.")]
        [Display(Name = "Title")]
        public string Title { get; set; } = "";

        [Required(ErrorMessage = "Enter when the session starts.")]
        [Display(Name = "Starts (UK time)")]
        public DateTime? Start { get; set; }

        [Required(ErrorMessage = "Enter when the session ends.")]
        [Display(Name = "Ends (UK time)")]
        public DateTime? End { get; set; }

        [Range(1, 50, ErrorMessage = "A session needs between 1 and 50 workers.")]
        [Display(Name = "Workers needed")]
        public int RequiredWorkers { get; set; } = 1;

        [Range(0, 5000, ErrorMessage = "Enter an expected audience between 0 and 5000.")]
        [Display(Name = "Expected audience")]
        public int? ExpectedSize { get; set; }

        [StringLength(2000, ErrorMessage = "Keep the notes under 2000 characters.")]
        [Display(Name = "Notes")]
        public string? Notes { get; set; }

        public List<long> SkillIds { get; set; } = [];

        public List<long> YearGroups { get; set; } = [];

        [Display(Name = "Plan it anyway: the school is closed that day")]
        public bool PlanOnClosedDays { get; set; }
    }

    public async Task OnGetAsync(long? venueId, CancellationToken cancellationToken)
    {
        Input.VenueId = venueId;
        await LoadAsync(cancellationToken);
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        DateTime startUtc = default, endUtc = default;
        if (Input.Start is { } start && !UkTime.TryToUtc(start, out startUtc))
        {
            ModelState.AddModelError("Input.Start", "That time does not exist in the UK (the clocks go forward then). Choose another.");
        }
        if (Input.End is { } end && !UkTime.TryToUtc(end, out endUtc))
        {
            ModelState.AddModelError("Input.End", "That time does not exist in the UK (the clocks go forward then). Choose another.");
        }
        if (!ModelState.IsValid)
        {
            await LoadAsync(cancellationToken);
            return Page();
        }

        var outcome = await sessions.CreateAsync(new NewSession(
            Input.VenueId!.Value, Input.Kind!, Input.Title.Trim(), startUtc, endUtc, Input.RequiredWorkers,
            Input.ExpectedSize, Input.Notes?.Trim() ?? "", Input.SkillIds, Input.YearGroups.Select(y => (int)Math.Clamp(y, -1, 99)).ToList(),
            Input.PlanOnClosedDays),
            HttpContext.Actor(), cancellationToken);
        if (!outcome.Succeeded)
        {
            ModelState.AddErrors(outcome);
            await LoadAsync(cancellationToken);
            return Page();
        }
        TempData["StatusMessage"] = "The session is planned. Now assign youth workers to it.";
        return RedirectToPage("Details", new { id = outcome.Value });
    }

    public IReadOnlyList<Skill> Skills { get; private set; } = [];

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Skills = await skills.ListAsync(includeRetired: false, cancellationToken);
        Venues = (await venues.OpenVenuesAsync(cancellationToken))
            .Select(v => new SelectListItem($"{v.Name} ({v.AreaName})", v.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)))
            .ToList();
    }
}
