using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc.Rendering;
using Outreach.Data;
using Outreach.Data.Sessions;
using Outreach.Data.Venues;
using Outreach.Jobs;
using Outreach.Web.Infrastructure;

namespace Outreach.Web.Pages.Sessions;

/// <summary>
/// Fill a series, or a week's sessions (optionally in one area), with a balanced rota in one action: the
/// coordinator sees who would go where and why some sessions cannot be filled, then accepts the plan.
/// </summary>
public class AutoFillModel(AutoFillData autoFill, VenueData venues, TimeProvider clock, FollowUpJobs followUps) : PageModel
{
    private static readonly CultureInfo EnGb = CultureInfo.GetCultureInfo("en-GB");

    private bool _unknownSeries;

    [BindProperty]
    public InputModel Input { get; set; } = new();

    /// <summary>The plan's bookings the coordinator accepts, each "sessionId:workerId" (ticked boxes only).</summary>
    [BindProperty]
    public List<string> Pairs { get; set; } = [];

    public SeriesSummary? Series { get; private set; }

    public AutoFillPlan? Plan { get; private set; }

    public IReadOnlyList<SelectListItem> Areas { get; private set; } = [];

    public sealed class InputModel
    {
        public long? SeriesId { get; set; }

        [Display(Name = "Week beginning (Monday)")]
        public DateOnly? Week { get; set; }

        [Display(Name = "Area")]
        public long? AreaId { get; set; }
    }

    /// <summary>A series (from a session's page) is planned at once; a week once the form asks for it.</summary>
    public async Task<IActionResult> OnGetAsync(long? seriesId, DateOnly? week, long? areaId, CancellationToken cancellationToken)
    {
        Input = new InputModel { SeriesId = seriesId, Week = week, AreaId = areaId };
        if (!ModelState.IsValid)
        {
            // A link edited by hand: an id that is not a number is no series; a date that is not a date is asked again.
            var badSeries = ModelState.GetFieldValidationState("seriesId") == ModelValidationState.Invalid;
            ModelState.Clear();
            if (badSeries)
            {
                return NotFound();
            }
            ModelState.AddModelError("Input.Week", "Enter the week's Monday as a date.");
            await LoadAsync(cancellationToken);
            return Page();
        }
        if (seriesId is null && week is null)
        {
            Input.Week = AutoFillData.MondayOf(clock.GetUtcNow().UtcDateTime).AddDays(7);
            await LoadAsync(cancellationToken);
            return Page();
        }
        return await PlanAsync(cancellationToken);
    }

    public async Task<IActionResult> OnPostPreviewAsync(CancellationToken cancellationToken) => await PlanAsync(cancellationToken);

    public async Task<IActionResult> OnPostAcceptAsync(CancellationToken cancellationToken)
    {
        if (await ScopeAsync(cancellationToken) is not { } scope)
        {
            return _unknownSeries ? NotFound() : Page();
        }
        var pairs = new List<ProposedPair>(Pairs.Count);
        foreach (var value in Pairs)
        {
            if (!ProposedPair.TryParse(value, out var pair))
            {
                ModelState.AddModelError("", "The plan could not be read. Here it is again: look it over and accept it.");
                Plan = await autoFill.PreviewAsync(scope, cancellationToken);
                return Page();
            }
            pairs.Add(pair);
        }
        var outcome = await autoFill.AcceptAsync(scope, pairs, HttpContext.Actor(), cancellationToken);
        if (!outcome.Succeeded)
        {
            ModelState.AddErrors(outcome, prefix: "");
            if (pairs.Count > 0)
            {
                ModelState.AddModelError("", "Nothing was assigned. The plan below is worked out again from what is booked now.");
            }
            Plan = await autoFill.PreviewAsync(scope, cancellationToken);
            return Page();
        }
        followUps.Enqueue(outcome);
        var booked = outcome.Value!;
        var sessions = booked.Select(a => a.SessionId).Distinct().Count();
        TempData["StatusMessage"] =
            $"{Count(booked.Count, "worker", "workers")} assigned to {Count(sessions, "session", "sessions")}. Reminders will be sent by text before each session.";
        return scope.SeriesId is { } seriesId
            ? RedirectToPage(new { seriesId })
            : RedirectToPage(new { week = scope.WeekOf!.Value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), areaId = scope.AreaId });
    }

    public static string Count(int n, string one, string many) => n == 1 ? $"1 {one}" : $"{n.ToString("N0", EnGb)} {many}";

    public static string Day(DateOnly date) => date.ToString("dddd d MMMM yyyy", EnGb);

    private async Task<IActionResult> PlanAsync(CancellationToken cancellationToken)
    {
        if (await ScopeAsync(cancellationToken) is not { } scope)
        {
            return _unknownSeries ? NotFound() : Page();
        }
        Plan = await autoFill.PreviewAsync(scope, cancellationToken);
        return Page();
    }

    /// <summary>The series, or the checked week and area; null (with messages beside the fields) when there is none.</summary>
    private async Task<AutoFillScope?> ScopeAsync(CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken);
        if (ModelState.GetFieldValidationState("Input.SeriesId") == ModelValidationState.Invalid)
        {
            _unknownSeries = true;
            return null;
        }
        if (Input.SeriesId is { } seriesId)
        {
            Series = await autoFill.FindSeriesAsync(seriesId, cancellationToken);
            _unknownSeries = Series is null;
            return Series is null ? null : AutoFillScope.Series(seriesId);
        }
        if (!ModelState.IsValid)
        {
            return null;
        }
        if (Input.Week is not { } week)
        {
            ModelState.AddModelError("Input.Week", "Choose the week to fill: the Monday it starts on.");
        }
        else if (week.DayOfWeek != DayOfWeek.Monday)
        {
            var monday = week.AddDays(-(((int)week.DayOfWeek + 6) % 7));
            ModelState.AddModelError("Input.Week",
                $"{Day(week)} is a {week.ToString("dddd", EnGb)}. Choose the Monday the week starts on ({Day(monday)}).");
        }
        else if (week.AddDays(7) <= DateOnly.FromDateTime(UkTime.ToLocal(clock.GetUtcNow().UtcDateTime)))
        {
            ModelState.AddModelError("Input.Week", "That week is over. Choose this week or a later one.");
        }
        if (Input.AreaId is { } areaId && !Areas.Any(a => a.Value == areaId.ToString(CultureInfo.InvariantCulture)))
        {
            ModelState.AddModelError("Input.AreaId", "Choose an area from the list, or all areas.");
        }
        return ModelState.IsValid ? AutoFillScope.Week(Input.Week!.Value, Input.AreaId) : null;
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Areas = (await venues.AreasAsync(cancellationToken))
            .Select(a => new SelectListItem(a.Name, a.Id.ToString(CultureInfo.InvariantCulture)))
            .ToList();
    }
}
