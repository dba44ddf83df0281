using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc.Rendering;
using Outreach.Data;
using Outreach.Data.Sessions;
using Outreach.Data.Venues;
using Outreach.Jobs;
using Outreach.Web.Infrastructure;

namespace Outreach.Web.Pages.Sessions;

/// <summary>Changes one session, or this one and the later occurrences of its series.</summary>
public class EditModel(SessionEditData edits, VenueData venues, FollowUpJobs followUps) : PageModel
{
    public SessionForEdit Session { get; private set; } = null!;

    public IReadOnlyList<SelectListItem> Venues { get; private set; } = [];

    [BindProperty]
    public InputModel Input { get; set; } = new();

    public sealed class InputModel
    {
        [Display(Name = "Change")]
        public ChangeScope Scope { get; set; } = ChangeScope.This;

        [Required(ErrorMessage = "Enter the date.")]
        [Display(Name = "Date")]
        public DateOnly? Date { get; set; }

        [Required(ErrorMessage = "Enter the start time.")]
        [Display(Name = "Starts at (UK time)")]
        public TimeOnly? StartTime { get; set; }

        [Required(ErrorMessage = "Enter the end time.")]
        [Display(Name = "Ends at (UK time)")]
        public TimeOnly? EndTime { get; set; }

        [Required(ErrorMessage = "Choose a venue.")]
        [Display(Name = "Venue")]
        public long? VenueId { get; set; }

        [Required(ErrorMessage = "Choose the kind of session.")]
        [Display(Name = "Kind")]
        public string Kind { get; set; } = "";

        [Required(ErrorMessage = "Give the session a title.")]
        [StringLength(200, ErrorMessage = "Keep the title under 200 characters.")]
        [Display(Name = "Title")]
        public string Title { get; set; } = "";

        [Range(1, 50, ErrorMessage = "A session needs between 1 and 50 workers.")]
        [Display(Name = "Workers needed")]
        public int RequiredWorkers { get; set; } = 1;

        [StringLength(2000, ErrorMessage = "Keep the notes under 2000 characters.")]
        [Display(Name = "Notes")]
        public string? Notes { get; set; }

        [Display(Name = "Plan it anyway: the school is closed that day")]
        public bool PlanOnClosedDays { get; set; }
    }

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, cancellationToken))
        {
            return NotFound();
        }
        var start = UkTime.ToLocal(Session.StartsAt);
        Input = new InputModel
        {
            Date = DateOnly.FromDateTime(start),
            StartTime = TimeOnly.FromDateTime(start),
            EndTime = TimeOnly.FromDateTime(UkTime.ToLocal(Session.EndsAt)),
            VenueId = Session.VenueId,
            Kind = Session.Kind,
            Title = Session.Title,
            RequiredWorkers = Session.RequiredWorkers,
            Notes = Session.Notes,
        };
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(long id, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, cancellationToken))
        {
            return NotFound();
        }
        if (!Enum.IsDefined(Input.Scope))
        {
            ModelState.AddModelError("Input.Scope", "Choose which sessions to change.");
        }
        if (!ModelState.IsValid)
        {
            return Page();
        }

        var outcome = await edits.ChangeAsync(new SessionChange(
            id, Input.Scope, Input.Date!.Value, Input.StartTime!.Value, Input.EndTime!.Value, Input.VenueId!.Value,
            Input.Kind!, Input.Title.Trim(), Input.RequiredWorkers, Input.Notes?.Trim() ?? "", Input.PlanOnClosedDays),
            HttpContext.Actor(), cancellationToken);
        if (!outcome.Succeeded)
        {
            ModelState.AddErrors(outcome);
            return Page();
        }
        followUps.Enqueue(outcome);
        var count = outcome.Value!.SessionIds.Count;
        TempData["StatusMessage"] = count switch
        {
            0 => "Nothing was changed.",
            1 => "The session is changed.",
            _ => $"{count} sessions are changed.",
        };
        return RedirectToPage("Details", new { id });
    }

    private async Task<bool> LoadAsync(long id, CancellationToken cancellationToken)
    {
        var session = await edits.FindAsync(id, cancellationToken);
        if (session is null)
        {
            return false;
        }
        Session = session;
        var open = await venues.OpenVenuesAsync(cancellationToken);
        Venues = open
            .Select(v => new SelectListItem($"{v.Name} ({v.AreaName})", v.Id.ToString(CultureInfo.InvariantCulture)))
            .Prepend(open.Any(v => v.Id == session.VenueId)
                ? null
                : new SelectListItem(session.VenueName, session.VenueId.ToString(CultureInfo.InvariantCulture)))
            .OfType<SelectListItem>()
            .ToList();
        return true;
    }
}
