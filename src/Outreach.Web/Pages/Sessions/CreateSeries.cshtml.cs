using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc.Rendering;
using Outreach.Data;
using Outreach.Data.Sessions;
using Outreach.Data.Venues;
using Outreach.Data.Workers;
using Outreach.Web.Infrastructure;

namespace Outreach.Web.Pages.Sessions;

/// <summary>
/// A weekly series (e.g. A&amp;E every Friday and Saturday 18:00 to 02:00): the coordinator previews every
/// occurrence with its UK times and length, then creates them all at once.
/// </summary>
public class CreateSeriesModel(SeriesData series, VenueData venues, SkillData skills, TimeProvider clock) : PageModel
{
    public const string EndsOnDate = "until";
    public const string EndsAfterCount = "count";

    private static readonly CultureInfo EnGb = CultureInfo.GetCultureInfo("en-GB");

    /// <summary>Monday first, as a UK calendar shows the week.</summary>
    public static readonly IReadOnlyList<DayOfWeek> Week =
        [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday, DayOfWeek.Saturday, DayOfWeek.Sunday];

    [BindProperty]
    public InputModel Input { get; set; } = new();

    public IReadOnlyList<SelectListItem> Venues { get; private set; } = [];

    public IReadOnlyList<Skill> Skills { get; private set; } = [];

    /// <summary>Set once the form is valid enough to list the occurrences.</summary>
    public SeriesPreview? Preview { get; private set; }

    public sealed class InputModel
    {
        [Required(ErrorMessage = "Choose a venue.")]
        [Display(Name = "Venue")]
        public long? VenueId { get; set; }

        [Required(ErrorMessage = "Choose the kind of session.")]
        [Display(Name = "Kind")]
        public string Kind { get; set; } = "ae_shift";

        [Required(ErrorMessage = "Give the series a title.")]
        [StringLength(200, ErrorMessage = "Keep the title under 200 characters.")]
        [Display(Name = "Title")]
        public string Title { get; set; } = "";

        [Display(Name = "Days of the week")]
        public List<DayOfWeek> Weekdays { get; set; } = [];

        [Required(ErrorMessage = "Enter the start time.")]
        [Display(Name = "Starts at (UK time)")]
        public TimeOnly? StartTime { get; set; }

        [Required(ErrorMessage = "Enter the end time.")]
        [Display(Name = "Ends at (UK time)")]
        public TimeOnly? EndTime { get; set; }

        [Required(ErrorMessage = "Enter the date of the first occurrence.")]
        [Display(Name = "From")]
        public DateOnly? FirstDate { get; set; }

        [Display(Name = "Ends")]
        public string Ends { get; set; } = EndsOnDate;

        [Display(Name = "Until (inclusive)")]
        public DateOnly? UntilDate { get; set; }

        [Range(1, SeriesPattern.MaxOccurrences, ErrorMessage = "Enter between 1 and 200 occurrences.")]
        [Display(Name = "Number of occurrences")]
        public int? Count { get; set; }

        [Range(1, 50, ErrorMessage = "A session needs between 1 and 50 workers.")]
        [Display(Name = "Workers needed")]
        public int RequiredWorkers { get; set; } = 1;

        [Display(Name = "Skills needed")]
        public List<long> SkillIds { get; set; } = [];

        [StringLength(2000, ErrorMessage = "Keep the notes under 2000 characters.")]
        [Display(Name = "Notes")]
        public string? Notes { get; set; }

        [Display(Name = "Leave out the occurrences whose time does not exist because the clocks go forward")]
        public bool LeaveOutNonexistent { get; set; }

        [Display(Name = "Plan it anyway: the school is closed on some of these days")]
        public bool PlanOnClosedDays { get; set; }
    }

    public async Task OnGetAsync(long? venueId, CancellationToken cancellationToken)
    {
        Input.VenueId = venueId;
        await LoadAsync(cancellationToken);
    }

    public async Task<IActionResult> OnPostPreviewAsync(CancellationToken cancellationToken)
    {
        if (Validate() is { } pattern)
        {
            Preview = await series.PreviewAsync(ToNewSeries(pattern), cancellationToken);
        }
        await LoadAsync(cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        var pattern = Validate();
        if (pattern is null)
        {
            await LoadAsync(cancellationToken);
            return Page();
        }
        var request = ToNewSeries(pattern);
        var outcome = await series.CreateAsync(request, HttpContext.Actor(), cancellationToken);
        if (!outcome.Succeeded)
        {
            ModelState.AddErrors(outcome);
            Preview = await series.PreviewAsync(request, cancellationToken);
            await LoadAsync(cancellationToken);
            return Page();
        }
        var created = outcome.Value!;
        var left = created.LeftOut > 0 ? $" {created.LeftOut} left out because the clocks go forward." : "";
        TempData["StatusMessage"] = $"The series is planned: {created.SessionIds.Count} sessions.{left} Now assign youth workers to them.";
        return RedirectToPage("Details", new { id = created.SessionIds[0] });
    }

    public static string Length(TimeSpan? duration) => duration is not { } d
        ? ""
        : d.Minutes == 0 ? $"{(int)d.TotalHours} h" : $"{(int)d.TotalHours} h {d.Minutes} min";

    public static string DayName(DayOfWeek day) => EnGb.DateTimeFormat.GetDayName(day);

    private SeriesPattern? Validate()
    {
        if (!SessionKinds.Labels.ContainsKey(Input.Kind ?? ""))
        {
            ModelState.AddModelError("Input.Kind", "Choose the kind of session.");
        }
        if (Input.Weekdays.Count == 0)
        {
            ModelState.AddModelError("Input.Weekdays", "Choose at least one day of the week.");
        }
        if (Input.StartTime is { } start && Input.EndTime is { } end && start == end)
        {
            ModelState.AddModelError("Input.EndTime", "The end time must differ from the start time.");
        }
        var today = DateOnly.FromDateTime(UkTime.ToLocal(clock.GetUtcNow()).DateTime);
        if (Input.FirstDate is { } first && first < today)
        {
            ModelState.AddModelError("Input.FirstDate", "The first date is in the past. Choose today or later.");
        }
        if (Input.Ends == EndsAfterCount)
        {
            if (Input.Count is null)
            {
                ModelState.AddModelError("Input.Count", "Enter how many occurrences to plan.");
            }
        }
        else if (Input.Ends == EndsOnDate)
        {
            if (Input.UntilDate is not { } until)
            {
                ModelState.AddModelError("Input.UntilDate", "Enter the date of the last occurrence.");
            }
            else if (Input.FirstDate is { } from && until < from)
            {
                ModelState.AddModelError("Input.UntilDate", "The end date must be on or after the first date.");
            }
        }
        else
        {
            ModelState.AddModelError("Input.Ends", "Choose whether the series ends on a date or after a number of occurrences.");
        }
        if (!ModelState.IsValid)
        {
            return null;
        }
        return new SeriesPattern(
            Input.Weekdays.ToHashSet(), Input.StartTime!.Value, Input.EndTime!.Value, Input.FirstDate!.Value,
            Input.Ends == EndsOnDate ? Input.UntilDate : null, Input.Ends == EndsAfterCount ? Input.Count : null);
    }

    private NewSeries ToNewSeries(SeriesPattern pattern) => new(
        Input.VenueId!.Value, Input.Kind, Input.Title.Trim(), pattern, Input.RequiredWorkers, Input.Notes?.Trim() ?? "",
        Input.LeaveOutNonexistent, Input.PlanOnClosedDays, Input.SkillIds);

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Venues = (await venues.OpenVenuesAsync(cancellationToken))
            .Select(v => new SelectListItem($"{v.Name} ({v.AreaName})", v.Id.ToString(CultureInfo.InvariantCulture)))
            .ToList();
        Skills = await skills.ListAsync(includeRetired: false, cancellationToken);
    }
}
