using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using Outreach.Data;
using Outreach.Data.ClosedDays;
using Outreach.Web.Infrastructure;

namespace Outreach.Web.Pages.ClosedDays;

/// <summary>
/// Days schools are closed: bank holidays uploaded from GOV.UK's bank-holidays.json, and term holidays
/// and INSET days entered per local authority or per school. A school session on one of them needs confirming.
/// </summary>
[UploadLimit(nameof(Upload))]
public class IndexModel(ClosedDayData closedDays, TimeProvider clock, IOptions<UploadOptions> uploads) : PageModel
{
    // GOV.UK's file is about 20 KB; anything near this is not it.
    public const int MaxUploadBytes = 1024 * 1024;

    private static readonly CultureInfo EnGb = CultureInfo.GetCultureInfo("en-GB");

    public IReadOnlyList<ClosedDayRow> ClosedDays { get; private set; } = [];

    [BindProperty]
    public IFormFile? Upload { get; set; }

    public UploadOptions Uploads => uploads.Value;

    public async Task OnGetAsync(CancellationToken cancellationToken) => await LoadAsync(cancellationToken);

    public async Task<IActionResult> OnPostImportAsync(CancellationToken cancellationToken)
    {
        if (Upload is null || Upload.Length == 0)
        {
            ModelState.AddModelError(nameof(Upload), "Choose the bank-holidays.json file to upload.");
        }
        else if (Upload.Length > MaxUploadBytes)
        {
            ModelState.AddModelError(nameof(Upload), "That file is too large to be GOV.UK's bank holidays file (it is about 20 KB).");
        }
        if (!ModelState.IsValid)
        {
            await LoadAsync(cancellationToken);
            return Page();
        }

        string json;
        try
        {
            using var reader = new StreamReader(Upload!.OpenReadStream(), new UTF8Encoding(false, throwOnInvalidBytes: true));
            json = await reader.ReadToEndAsync(cancellationToken);
        }
        catch (DecoderFallbackException)
        {
            ModelState.AddModelError(nameof(Upload), "The file is not UTF-8 text. Download bank-holidays.json from GOV.UK again and upload it unchanged.");
            await LoadAsync(cancellationToken);
            return Page();
        }

        var outcome = await closedDays.ImportBankHolidaysAsync(json, HttpContext.Actor(), cancellationToken);
        if (!outcome.Succeeded)
        {
            foreach (var error in outcome.Errors)
            {
                ModelState.AddModelError(nameof(Upload), error.Message);
            }
            await LoadAsync(cancellationToken);
            return Page();
        }
        var r = outcome.Value!;
        TempData["StatusMessage"] =
            $"Bank holidays in England and Wales from {r.First.ToString("d MMM yyyy", EnGb)} to {r.Last.ToString("d MMM yyyy", EnGb)}: " +
            $"{r.Added} added, {r.Updated} updated, {r.Unchanged} already known.";
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostDeleteAsync(long id, CancellationToken cancellationToken)
    {
        TempData["StatusMessage"] = await closedDays.DeleteAsync(id, HttpContext.Actor(), cancellationToken)
            ? "The closed day is removed."
            : "That closed day had already been removed.";
        return RedirectToPage();
    }

    public static string Days(ClosedDayRow row)
    {
        var first = DateOnly.FromDateTime(row.FirstDay);
        var last = DateOnly.FromDateTime(row.LastDay);
        return first == last
            ? first.ToString("ddd d MMM yyyy", EnGb)
            : $"{first.ToString("ddd d MMM yyyy", EnGb)} to {last.ToString("ddd d MMM yyyy", EnGb)}";
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        var today = DateOnly.FromDateTime(UkTime.ToLocal(clock.GetUtcNow()).DateTime);
        ClosedDays = await closedDays.ListAsync(today, cancellationToken);
    }
}
