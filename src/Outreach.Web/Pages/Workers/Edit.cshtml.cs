using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Outreach.Data;
using Outreach.Data.Workers;
using Outreach.Web.Infrastructure;

namespace Outreach.Web.Pages.Workers;

/// <summary>A coordinator edits a worker's whole profile: details, DBS check, areas and skills.</summary>
public class EditModel(WorkerData workers, SkillData skills, TimeProvider clock) : PageModel
{
    private static readonly System.Globalization.CultureInfo GreatBritain = System.Globalization.CultureInfo.GetCultureInfo("en-GB");

    [BindProperty]
    public InputModel Input { get; set; } = new();

    public WorkerProfile Worker { get; private set; } = null!;

    public IReadOnlyList<AreaChoice> Areas { get; private set; } = [];

    public IReadOnlyList<Skill> Skills { get; private set; } = [];

    /// <summary>Latest first; a worker who has never had a rate gets their first one for all their sessions.</summary>
    public IReadOnlyList<WorkerRate> Rates { get; private set; } = [];

    public bool EverCosted => Rates.Any(r => r.HourlyCost is not null);

    public sealed class InputModel
    {
        [Required(ErrorMessage = "Enter the youth worker's full name.")]
        [StringLength(120, ErrorMessage = "Keep the name under 120 characters.")]
        [Display(Name = "Full name")]
        public string FullName { get; set; } = "";

        [Required(ErrorMessage = "Enter a mobile number.")]
        [Display(Name = "Mobile number")]
        public string Mobile { get; set; } = "";

        [EmailAddress(ErrorMessage = "Enter an email address like name@example.org.")]
        [StringLength(200, ErrorMessage = "Keep the email address under 200 characters.")]
        [Display(Name = "Email")]
        public string? Email { get; set; }

        [Range(typeof(decimal), "0", "500", ErrorMessage = "Enter an hourly cost between £0 and £500.")]
        [Display(Name = "Hourly cost (£)")]
        public decimal? HourlyCost { get; set; }

        [Display(Name = "New rate applies from")]
        public DateTime? HourlyCostFrom { get; set; }

        [Range(typeof(decimal), "0", "80", ErrorMessage = "Enter contracted hours between 0 and 80 a week, or leave it empty for a sessional worker.")]
        [Display(Name = "Contracted hours a week")]
        public decimal? ContractedHours { get; set; }

        [Display(Name = "Active (can be given sessions)")]
        public bool Active { get; set; }

        public List<long> AreaIds { get; set; } = [];

        public List<long> SkillIds { get; set; } = [];

        public DbsFields Dbs { get; set; } = new();
    }

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, cancellationToken))
        {
            return NotFound();
        }
        Input = new InputModel
        {
            FullName = Worker.FullName,
            Mobile = MobileNumber.Display(Worker.MobileE164),
            Email = Worker.Email,
            HourlyCost = Worker.HourlyCost,
            HourlyCostFrom = UkTime.ToLocal(clock.GetUtcNow().UtcDateTime).Date,
            ContractedHours = Worker.ContractedHours,
            Active = Worker.Active,
            AreaIds = [.. Worker.AreaIds],
            SkillIds = [.. Worker.SkillIds],
            Dbs = DbsFields.From(Worker),
        };
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(long id, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, cancellationToken))
        {
            return NotFound();
        }
        var mobile = "";
        if (!string.IsNullOrWhiteSpace(Input.Mobile) && !MobileNumber.TryNormalise(Input.Mobile, out mobile, out var mobileError))
        {
            ModelState.AddModelError("Input.Mobile", mobileError);
        }
        var today = DateOnly.FromDateTime(UkTime.ToLocal(clock.GetUtcNow().UtcDateTime));
        var dbs = Input.Dbs.Validate(ModelState, "Input.Dbs.", today);
        var rateChanged = Input.HourlyCost != Worker.HourlyCost;
        if (rateChanged && EverCosted && Input.HourlyCostFrom is null
            && ModelState.GetFieldValidationState("Input.HourlyCostFrom") != Microsoft.AspNetCore.Mvc.ModelBinding.ModelValidationState.Invalid)
        {
            ModelState.AddModelError("Input.HourlyCostFrom", "Give the date the new rate applies from.");
        }
        if (!ModelState.IsValid)
        {
            return Page();
        }

        var email = string.IsNullOrWhiteSpace(Input.Email) ? null : Input.Email.Trim();
        var outcome = await workers.UpdateAsync(new WorkerUpdate(
            id, Input.FullName.Trim(), mobile, email, Input.HourlyCost, Input.ContractedHours, Input.Active, dbs,
            Input.AreaIds, Input.SkillIds, rateChanged && Input.HourlyCostFrom is { } from ? DateOnly.FromDateTime(from) : null),
            HttpContext.Actor(), cancellationToken);
        if (!outcome.Succeeded)
        {
            ModelState.AddErrors(outcome);
            return Page();
        }
        var rate = !rateChanged ? ""
            : Input.HourlyCost is not { } cost ? " They have no hourly rate now."
            : EverCosted && Input.HourlyCostFrom is { } starts
                ? $" Their new rate of {cost.ToString("C", GreatBritain)} applies from {starts.ToString("d MMM yyyy", GreatBritain)}; figures before then keep the old rate."
                : $" Their rate of {cost.ToString("C", GreatBritain)} applies to all their sessions.";
        TempData["StatusMessage"] = dbs is null
            ? $"{Input.FullName.Trim()}'s profile is saved.{rate} With no DBS check recorded they cannot be assigned to sessions."
            : $"{Input.FullName.Trim()}'s profile is saved.{rate}";
        return RedirectToPage("Details", new { id });
    }

    private async Task<bool> LoadAsync(long id, CancellationToken cancellationToken)
    {
        var worker = await workers.ProfileAsync(id, cancellationToken);
        if (worker is null)
        {
            return false;
        }
        Worker = worker;
        Rates = await workers.RatesAsync(id, cancellationToken);
        Areas = await workers.AreaChoicesAsync(cancellationToken);
        // Retired skills stay listed for a worker who has them, so saving the form keeps them.
        Skills = (await skills.ListAsync(includeRetired: true, cancellationToken))
            .Where(k => k.Active || worker.SkillIds.Contains(k.Id))
            .ToList();
        return true;
    }
}
