using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Outreach.Data;
using Outreach.Data.Workers;
using Outreach.Web.Infrastructure;

namespace Outreach.Web.Pages.Workers;

/// <summary>A worker's weekly pattern and dated leave, as the ranking of workers for a session reads them.</summary>
public class AvailabilityModel(WorkerData workers, AvailabilityData availability, TimeProvider clock) : PageModel
{
    public WorkerProfile Worker { get; private set; } = null!;

    public IReadOnlyList<LeaveEntry> Leave { get; private set; } = [];

    public PatternInput Pattern { get; set; } = new();

    public LeaveInput NewLeave { get; set; } = new();

    public sealed class PatternInput
    {
        [Display(Name = "Monday")] public string? Day1 { get; set; }
        [Display(Name = "Tuesday")] public string? Day2 { get; set; }
        [Display(Name = "Wednesday")] public string? Day3 { get; set; }
        [Display(Name = "Thursday")] public string? Day4 { get; set; }
        [Display(Name = "Friday")] public string? Day5 { get; set; }
        [Display(Name = "Saturday")] public string? Day6 { get; set; }
        [Display(Name = "Sunday")] public string? Day7 { get; set; }

        public string? this[int weekday]
        {
            get => weekday switch { 1 => Day1, 2 => Day2, 3 => Day3, 4 => Day4, 5 => Day5, 6 => Day6, _ => Day7 };
            set
            {
                switch (weekday)
                {
                    case 1: Day1 = value; break;
                    case 2: Day2 = value; break;
                    case 3: Day3 = value; break;
                    case 4: Day4 = value; break;
                    case 5: Day5 = value; break;
                    case 6: Day6 = value; break;
                    default: Day7 = value; break;
                }
            }
        }
    }

    public sealed class LeaveInput
    {
        [Required(ErrorMessage = "Enter the first day away.")]
        [Display(Name = "First day")]
        public DateTime? FirstDay { get; set; }

        [Required(ErrorMessage = "Enter the last day away.")]
        [Display(Name = "Last day")]
        public DateTime? LastDay { get; set; }

        [Required(ErrorMessage = "Say why, for example annual leave or training.")]
        [StringLength(200, ErrorMessage = "Keep the reason under 200 characters.")]
        [Display(Name = "Reason")]
        public string Reason { get; set; } = "";
    }

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, cancellationToken))
        {
            return NotFound();
        }
        var ranges = await availability.PatternAsync(id, cancellationToken);
        foreach (var (day, _) in WeeklyPattern.Days)
        {
            Pattern[day] = WeeklyPattern.Format(ranges.Where(r => r.Weekday == day));
        }
        return Page();
    }

    public async Task<IActionResult> OnPostPatternAsync(long id, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, cancellationToken))
        {
            return NotFound();
        }
        await TryUpdateModelAsync(Pattern, nameof(Pattern));
        var ranges = new List<AvailabilityRange>();
        foreach (var (day, _) in WeeklyPattern.Days)
        {
            if (WeeklyPattern.TryParseDay(day, Pattern[day], out var parsed, out var error))
            {
                ranges.AddRange(parsed);
            }
            else
            {
                ModelState.AddModelError($"{nameof(Pattern)}.Day{day}", error);
            }
        }
        if (!ModelState.IsValid)
        {
            return Page();
        }
        if (!await availability.SetPatternAsync(id, ranges, HttpContext.Actor(), cancellationToken))
        {
            return NotFound();
        }
        TempData["StatusMessage"] = ranges.Count == 0
            ? $"{Worker.FullName} has no weekly pattern now: they are treated as available at any time."
            : $"{Worker.FullName}'s weekly availability is saved.";
        return RedirectToPage(new { id });
    }

    public async Task<IActionResult> OnPostAddLeaveAsync(long id, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, cancellationToken))
        {
            return NotFound();
        }
        await TryUpdateModelAsync(NewLeave, nameof(NewLeave));
        var today = DateOnly.FromDateTime(UkTime.ToLocal(clock.GetUtcNow().UtcDateTime));
        if (NewLeave.FirstDay is { } first && NewLeave.LastDay is { } last)
        {
            var firstDay = DateOnly.FromDateTime(first);
            var lastDay = DateOnly.FromDateTime(last);
            if (lastDay < firstDay)
            {
                ModelState.AddModelError("NewLeave.LastDay", "The last day must be on or after the first day.");
            }
            else if (lastDay.DayNumber - firstDay.DayNumber > 366)
            {
                ModelState.AddModelError("NewLeave.LastDay", "Enter at most a year at a time.");
            }
            else if (lastDay < today)
            {
                ModelState.AddModelError("NewLeave.LastDay", "That leave has already ended.");
            }
        }
        if (!ModelState.IsValid)
        {
            await FillPatternAsync(id, cancellationToken);
            return Page();
        }
        var outcome = await availability.AddLeaveAsync(id, DateOnly.FromDateTime(NewLeave.FirstDay!.Value),
            DateOnly.FromDateTime(NewLeave.LastDay!.Value), NewLeave.Reason, HttpContext.Actor(), cancellationToken);
        if (!outcome.Succeeded)
        {
            ModelState.AddErrors(outcome, prefix: "NewLeave.");
            await FillPatternAsync(id, cancellationToken);
            return Page();
        }
        TempData["StatusMessage"] = $"Leave from {Dbs.Date(NewLeave.FirstDay.Value)} to {Dbs.Date(NewLeave.LastDay.Value)} is recorded.";
        return RedirectToPage(new { id });
    }

    public async Task<IActionResult> OnPostRemoveLeaveAsync(long id, long leaveId, CancellationToken cancellationToken)
    {
        if (!await availability.RemoveLeaveAsync(id, leaveId, HttpContext.Actor(), cancellationToken))
        {
            return NotFound();
        }
        TempData["StatusMessage"] = "The leave is removed.";
        return RedirectToPage(new { id });
    }

    private async Task<bool> LoadAsync(long id, CancellationToken cancellationToken)
    {
        var worker = await workers.ProfileAsync(id, cancellationToken);
        if (worker is null)
        {
            return false;
        }
        Worker = worker;
        var today = DateOnly.FromDateTime(UkTime.ToLocal(clock.GetUtcNow().UtcDateTime));
        Leave = await availability.LeaveAsync(id, today, cancellationToken);
        return true;
    }

    private async Task FillPatternAsync(long id, CancellationToken cancellationToken)
    {
        var ranges = await availability.PatternAsync(id, cancellationToken);
        foreach (var (day, _) in WeeklyPattern.Days)
        {
            Pattern[day] = WeeklyPattern.Format(ranges.Where(r => r.Weekday == day));
        }
    }
}
