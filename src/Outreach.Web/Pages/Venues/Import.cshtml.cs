using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Hangfire;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.Extensions.Options;
using Outreach.Data.Venues;
using Outreach.Jobs.Venues;
using Outreach.Web.Infrastructure;

namespace Outreach.Web.Pages.Venues;

[UploadLimit("Input.File")]
public class ImportModel(VenueImportData imports, VenueData venues, IBackgroundJobClient jobs, IOptions<UploadOptions> uploads) : PageModel
{
    /// <summary>Files up to this size are checked while the coordinator waits; larger ones by a job, with a progress bar.</summary>
    public const int InlineCheckBytes = 2 * 1024 * 1024;

    [BindProperty]
    public InputModel Input { get; set; } = new();

    public IReadOnlyList<(string DfeCode, string Name)> KnownAuthorities { get; private set; } = [];

    public IReadOnlyList<SelectListItem> Areas { get; private set; } = [];

    public IReadOnlyList<ImportListRow> Recent { get; private set; } = [];

    public UploadOptions Uploads => uploads.Value;

    public sealed class InputModel
    {
        [Required(ErrorMessage = "Choose which file this is.")]
        [Display(Name = "Which file")]
        public string Source { get; set; } = ImportSources.Gias;

        [Display(Name = "CSV file")]
        public IFormFile? File { get; set; }

        /// <summary>Known local authorities ticked (their DfE numbers).</summary>
        public List<string> LaCodes { get; set; } = [];

        [StringLength(400, ErrorMessage = "Keep the list under 400 characters.")]
        [Display(Name = "Other local authority numbers")]
        public string? OtherLaCodes { get; set; }

        [Display(Name = "Every local authority in the file")]
        public bool AllAuthorities { get; set; }

        [Display(Name = "Area for these sites")]
        public long? AreaId { get; set; }
    }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken);
        // Start with every authority the commissioner already covers ticked.
        Input.LaCodes = KnownAuthorities.Select(a => a.DfeCode).ToList();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (!ImportSources.Labels.ContainsKey(Input.Source ?? ""))
        {
            ModelState.AddModelError("Input.Source", "Choose which file this is.");
        }
        if (Input.File is null || Input.File.Length == 0)
        {
            ModelState.AddModelError("Input.File", Input.File is null
                ? "Choose the CSV file to upload."
                : "The file is empty. Choose the CSV file you downloaded.");
        }

        string[]? laCodes = null;
        if (Input.Source == ImportSources.Gias && !Input.AllAuthorities)
        {
            var other = (Input.OtherLaCodes ?? "").Split([',', ';', ' ', '\t', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries);
            var wrong = other.Where(code => code.Length != 3 || !code.All(char.IsAsciiDigit)).ToList();
            if (wrong.Count > 0)
            {
                ModelState.AddModelError("Input.OtherLaCodes",
                    $"Local authority numbers are three digits, such as 330. {string.Join(", ", wrong.Take(3).Select(w => $"'{w}'"))} {(wrong.Count == 1 ? "is not one" : "are not")}.");
            }
            laCodes = Input.LaCodes.Where(code => code.Length == 3 && code.All(char.IsAsciiDigit))
                .Concat(other.Except(wrong)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
            if (laCodes.Length == 0 && wrong.Count == 0)
            {
                ModelState.AddModelError("Input.LaCodes", "Choose at least one local authority, or take every local authority in the file.");
            }
        }
        if (!ModelState.IsValid)
        {
            await LoadAsync(cancellationToken);
            return Page();
        }

        // The form keeps a large upload in a temporary file; it goes from there to the database a buffer at a time.
        await using var content = Input.File!.OpenReadStream();
        var outcome = await imports.UploadAsync(
            new NewImport(Input.Source!, Input.File.FileName, content, laCodes, Input.Source == ImportSources.Ods ? Input.AreaId : null),
            HttpContext.Actor(), cancellationToken);
        if (!outcome.Succeeded)
        {
            ModelState.AddErrors(outcome);
            await LoadAsync(cancellationToken);
            return Page();
        }

        var id = outcome.Value;
        if (Input.File.Length <= InlineCheckBytes)
        {
            // Not the request's token: a check cut short by a closed tab would leave the import half-checked.
            await imports.CheckAsync(id, CancellationToken.None);
        }
        else
        {
            jobs.Enqueue<CheckVenueImportJob>(job => job.RunAsync(id, CancellationToken.None));
        }
        return RedirectToPage("ImportPreview", new { id });
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        KnownAuthorities = await imports.KnownAuthoritiesAsync(cancellationToken);
        Areas = (await venues.AreasAsync(cancellationToken))
            .Select(a => new SelectListItem(a.Name, a.Id.ToString(CultureInfo.InvariantCulture)))
            .ToList();
        Recent = await imports.RecentAsync(10, cancellationToken);
    }
}
