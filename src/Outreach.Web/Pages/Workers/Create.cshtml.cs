using System.ComponentModel.DataAnnotations;
using Hangfire;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Outreach.Data;
using Outreach.Data.Identity;
using Outreach.Data.Messages;
using Outreach.Data.Workers;
using Outreach.Jobs.Sms;
using Outreach.Web.Infrastructure;

namespace Outreach.Web.Pages.Workers;

public class CreateModel(
    WorkerData workers, UserManager<AppUser> users, WorkerInvitations invitations, TimeProvider clock) : PageModel
{
    [BindProperty]
    public InputModel Input { get; set; } = new();

    public IReadOnlyList<AreaChoice> Areas { get; private set; } = [];

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
        [StringLength(200)]
        [Display(Name = "Email (for signing in)")]
        public string? Email { get; set; }

        [Range(typeof(decimal), "0", "500", ErrorMessage = "Enter an hourly cost between £0 and £500.")]
        [Display(Name = "Hourly cost (£)")]
        public decimal? HourlyCost { get; set; }

        [Range(typeof(decimal), "0", "80", ErrorMessage = "Enter contracted hours between 0 and 80 a week, or leave it empty for a sessional worker.")]
        [Display(Name = "Contracted hours a week")]
        public decimal? ContractedHours { get; set; }

        public List<long> AreaIds { get; set; } = [];

        public DbsFields Dbs { get; set; } = new();
    }

    public async Task OnGetAsync(CancellationToken cancellationToken) =>
        Areas = await workers.AreaChoicesAsync(cancellationToken);

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        var mobile = "";
        if (!string.IsNullOrWhiteSpace(Input.Mobile) && !MobileNumber.TryNormalise(Input.Mobile, out mobile, out var mobileError))
        {
            ModelState.AddModelError("Input.Mobile", mobileError);
        }
        var email = string.IsNullOrWhiteSpace(Input.Email) ? null : Input.Email.Trim();
        if (email is not null && ModelState.IsValid && await users.FindByEmailAsync(email) is not null)
        {
            ModelState.AddModelError("Input.Email", "Someone already signs in with this email address.");
        }
        var today = DateOnly.FromDateTime(UkTime.ToLocal(clock.GetUtcNow().UtcDateTime));
        var dbs = Input.Dbs.Validate(ModelState, "Input.Dbs.", today);
        if (!ModelState.IsValid)
        {
            Areas = await workers.AreaChoicesAsync(cancellationToken);
            return Page();
        }

        var outcome = await workers.CreateAsync(new NewWorker(Input.FullName.Trim(), mobile, email, Input.HourlyCost, dbs,
            Input.AreaIds, Input.ContractedHours), HttpContext.Actor(), cancellationToken);
        if (!outcome.Succeeded)
        {
            ModelState.AddErrors(outcome);
            Areas = await workers.AreaChoicesAsync(cancellationToken);
            return Page();
        }

        var noDbs = dbs is null ? " Record their DBS check before assigning them to sessions." : "";
        var name = Input.FullName.Trim();
        if (email is null)
        {
            TempData["StatusMessage"] = $"{name} was added.{noDbs}";
        }
        else
        {
            var notSent = await invitations.SendAsync(outcome.Value, HttpContext.Actor(), cancellationToken);
            TempData["StatusMessage"] = notSent is null
                ? $"{name} was added and sent a text with a link to set their password.{noDbs}"
                : $"{name} was added, but no sign-in link was sent: {notSent} Send one from their page.{noDbs}";
        }
        return RedirectToPage("Index");
    }
}
