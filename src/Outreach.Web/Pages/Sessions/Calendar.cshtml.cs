using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Outreach.Data;
using Outreach.Data.Sessions;
using Outreach.Web.Infrastructure;

namespace Outreach.Web.Pages.Sessions;

/// <summary>Week and month calendar of sessions: all, or one venue, worker or area.</summary>
public class CalendarModel(SessionCalendarData calendar, CalendarCache cache) : PageModel
{
    public IReadOnlyList<FilterOption> Venues { get; private set; } = [];

    public IReadOnlyList<FilterOption> Workers { get; private set; } = [];

    public IReadOnlyList<FilterOption> Areas { get; private set; } = [];

    [BindProperty(SupportsGet = true)]
    public long? VenueId { get; set; }

    [BindProperty(SupportsGet = true)]
    public long? WorkerId { get; set; }

    [BindProperty(SupportsGet = true)]
    public long? AreaId { get; set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        (Venues, Workers, Areas) = await calendar.FiltersAsync(AreaId, cancellationToken);
    }

    /// <summary>
    /// The calendar's events. The calendar runs in "UTC" with UK wall-clock times, so it shows UK time
    /// whatever the browser's zone; start and end arrive as UK wall-clock dates.
    /// </summary>
    public async Task<IActionResult> OnGetEventsAsync(string? start, string? end, CancellationToken cancellationToken)
    {
        if (!TryParseDate(start, out var fromLocal) || !TryParseDate(end, out var toLocal) || toLocal <= fromLocal
            || toLocal - fromLocal > TimeSpan.FromDays(62))
        {
            return BadRequest(new { error = "Give start and end dates (at most 62 days apart)." });
        }
        UkTime.TryToUtc(fromLocal, out var fromUtc);
        UkTime.TryToUtc(toLocal, out var toUtc);
        var key = string.Create(CultureInfo.InvariantCulture, $"{fromUtc:O}|{toUtc:O}|{VenueId}|{WorkerId}|{AreaId}");
        var json = await cache.GetOrCreateAsync(key, async () =>
        {
            var entries = await calendar.EntriesAsync(fromUtc, toUtc, VenueId, WorkerId, AreaId, cancellationToken);
            return JsonSerializer.SerializeToUtf8Bytes(entries.Select(ToEvent), JsonOptions);
        });
        return File(json, "application/json; charset=utf-8");
    }

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    private static object ToEvent(CalendarEntry e) => new
    {
        id = e.Id,
        title = $"{(string.IsNullOrWhiteSpace(e.Title) ? SessionKinds.Label(e.Kind) : e.Title)} · {e.VenueName} ({e.AssignedWorkers}/{e.RequiredWorkers})",
        start = UkTime.ToLocal(e.StartsAt).ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture),
        end = UkTime.ToLocal(e.EndsAt).ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture),
        // A plain string: generating a link through routing for each of hundreds of events costs more than the query.
        url = "/Sessions/Details/" + e.Id.ToString(CultureInfo.InvariantCulture),
        classNames = new[]
        {
            e.Status == "cancelled" ? "session-cancelled"
                : e.AssignedWorkers < e.RequiredWorkers ? "session-unfilled"
                : e.ConfirmedWorkers < e.RequiredWorkers ? "session-unconfirmed"
                : "session-staffed",
        },
    };

    private static bool TryParseDate(string? value, out DateTime date)
    {
        date = default;
        if (string.IsNullOrEmpty(value))
        {
            return false;
        }
        // FullCalendar sends ISO dates, sometimes with a time and offset; only the date part counts.
        return DateTime.TryParseExact(value.Length >= 10 ? value[..10] : value, "yyyy-MM-dd", CultureInfo.InvariantCulture,
            DateTimeStyles.None, out date);
    }
}
