using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Outreach.Data;
using Outreach.Data.Messages;
using Outreach.Jobs.Sms;
using Outreach.Web.Infrastructure;

namespace Outreach.Web.Pages.Messages;

/// <summary>
/// The messages log: every text Outreach has queued, what happened to it (sent, delivered, why not), searched
/// and exported; failed or undelivered texts can be resent. When no Twilio account is configured it also shows
/// what the development gateway "delivered".
/// </summary>
public class IndexModel(MessageLogData log, OutboxData outbox, IOptions<TwilioOptions> twilio, TimeProvider clock) : PageModel
{

    [BindProperty(SupportsGet = true)]
    [Display(Name = "Status")]
    public string? Status { get; set; }

    [BindProperty(SupportsGet = true)]
    [StringLength(100, ErrorMessage = "Keep this under 100 characters.")]
    [Display(Name = "Kind")]
    public string? Kind { get; set; }

    [BindProperty(SupportsGet = true)]
    [StringLength(200, ErrorMessage = "Keep this under 200 characters.")]
    [Display(Name = "Youth worker (part of the name)")]
    public string? Worker { get; set; }

    /// <summary>Set by the link from a worker's texts page: exactly that worker, whatever their name.</summary>
    [BindProperty(SupportsGet = true)]
    public long? WorkerId { get; set; }

    [BindProperty(SupportsGet = true)]
    [Display(Name = "From (UK date)")]
    public string? From { get; set; }

    [BindProperty(SupportsGet = true)]
    [Display(Name = "To (UK date)")]
    public string? To { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? PageNumber { get; set; }

    [TempData]
    public string? StatusMessage { get; set; }

    [TempData]
    public string? ResendProblem { get; set; }

    public Paged<MessageLogRow>? Results { get; private set; }

    /// <summary>Why a failed row of this page may not be resent, by message id; a row not here gets the Resend button.</summary>
    public IReadOnlyDictionary<long, string> ResendRefusals { get; private set; } = new Dictionary<long, string>();

    public IReadOnlyList<string> Kinds { get; private set; } = [];

    public IReadOnlyList<DevSmsRow> Delivered { get; private set; } = [];

    public bool DevelopmentGateway { get; private set; }

    public bool Filtered => WorkerId is not null || new[] { Status, Kind, Worker, From, To }.Any(v => !string.IsNullOrWhiteSpace(v));

    public bool ProblemsOnly => Status == "problems";

    /// <summary>Null when there are more messages than the log counts: page on by "Older" until a page comes back short.</summary>
    public int? LastPage => Results is null ? 1
        : Results.Total > MessageLogData.CountLimit ? null
        : (int)Math.Max(1, (Results.Total + Results.PageSize - 1) / Results.PageSize);

    public bool HasOlder => Results is not null && (LastPage is { } last ? Results.Page < last : Results.Items.Count == Results.PageSize);

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        if (TryFilter(out var filter))
        {
            var page = int.TryParse(PageNumber, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 1;
            Results = await log.PageAsync(filter, page, 50, cancellationToken);
            ResendRefusals = await log.ResendRefusalsAsync(Results.Items.Where(m => m.CanResend).Select(m => m.Id), cancellationToken);
        }
        Kinds = await log.PurposesAsync(cancellationToken);
        DevelopmentGateway = !twilio.Value.IsConfigured;
        if (DevelopmentGateway)
        {
            Delivered = await outbox.DevelopmentMessagesAsync(200, cancellationToken);
        }
    }

    /// <summary>Every text the filters match (not just this page) as CSV, streamed from the database.</summary>
    public async Task<IActionResult> OnGetCsvAsync(CancellationToken cancellationToken)
    {
        if (!TryFilter(out var filter))
        {
            await OnGetAsync(cancellationToken);
            return Page();
        }
        var stamp = UkTime.ToLocal(clock.GetUtcNow()).ToString("yyyyMMdd-HHmm", CultureInfo.InvariantCulture);
        Response.ContentType = "text/csv; charset=utf-8";
        Response.Headers.ContentDisposition = new ContentDispositionHeaderValue("attachment") { FileName = $"messages-{stamp}.csv" }.ToString();
        await log.WriteCsvAsync(filter, HttpContext.Actor(), Response.Body, HttpContext.RequestAborted);
        return new EmptyResult();
    }

    public async Task<IActionResult> OnPostResendAsync(long id, CancellationToken cancellationToken)
    {
        var outcome = await log.ResendAsync(id, HttpContext.Actor(), cancellationToken);
        if (outcome.Succeeded)
        {
            StatusMessage = $"Message {id.ToString(CultureInfo.InvariantCulture)} is queued again as message {outcome.Value.ToString(CultureInfo.InvariantCulture)}; it goes out within a minute.";
        }
        else
        {
            ResendProblem = outcome.Errors[0].Message;
        }
        var page = int.TryParse(PageNumber, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 1;
        return RedirectToPage(RouteFor(page));
    }

    /// <summary>The route values of this search, for paging links, the CSV link and coming back after a resend.</summary>
    public Dictionary<string, string> RouteFor(int? page)
    {
        var values = new Dictionary<string, string?>
        {
            ["status"] = Status, ["kind"] = Kind, ["worker"] = Worker, ["workerId"] = WorkerId?.ToString(CultureInfo.InvariantCulture),
            ["from"] = From, ["to"] = To,
            ["pageNumber"] = page is > 1 ? page.Value.ToString(CultureInfo.InvariantCulture) : null,
        };
        return values.Where(v => !string.IsNullOrWhiteSpace(v.Value)).ToDictionary(v => v.Key, v => v.Value!);
    }

    /// <summary>A Resend form's route: the message, and this search to come back to.</summary>
    public Dictionary<string, string> ResendRoute(long id, int page)
    {
        var values = RouteFor(page);
        values["id"] = id.ToString(CultureInfo.InvariantCulture);
        return values;
    }

    private bool TryFilter(out MessageFilter filter)
    {
        var status = string.IsNullOrWhiteSpace(Status) ? null : Status.Trim();
        if (status is not null && !MessageLogData.Statuses.ContainsKey(status))
        {
            ModelState.AddModelError(nameof(Status), "Choose a status from the list.");
        }
        var (from, to) = UkDateFilter.Read(ModelState, nameof(From), From, nameof(To), To);
        filter = new MessageFilter(status, Kind, Worker, WorkerId, from, to);
        return ModelState.IsValid;
    }
}
