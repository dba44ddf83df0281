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
    WorkerData workers, UserManager<AppUser> users, InvitationData invitations, OutboxData outbox,
    IBackgroundJobClient jobs, IConfiguration configuration, TimeProvider clock) : PageModel
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

        var invited = email is not null && await InviteAsync(outcome.Value, Input.FullName.Trim(), email, mobile, cancellationToken);
        var noDbs = dbs is null ? " Record their DBS check before assigning them to sessions." : "";
        TempData["StatusMessage"] = invited
            ? $"{Input.FullName.Trim()} was added and sent a text with a link to set their password.{noDbs}"
            : $"{Input.FullName.Trim()} was added.{noDbs}";
        return RedirectToPage("Index");
    }

    /// <summary>Makes the worker's sign-in account (no password yet) and texts them a one-time link to set one.</summary>
    private async Task<bool> InviteAsync(long workerId, string name, string email, string mobile, CancellationToken cancellationToken)
    {
        var user = new AppUser { UserName = email, Email = email, DisplayName = name };
        var created = await users.CreateAsync(user);
        if (!created.Succeeded || !(await users.AddToRoleAsync(user, Roles.YouthWorker)).Succeeded)
        {
            return false;
        }
        await workers.LinkUserAsync(workerId, user.Id, cancellationToken);

        var code = await invitations.CreateAsync(user.Id, cancellationToken);
        var baseUrl = (configuration["Site:PublicBaseUrl"] ?? $"{Request.Scheme}://{Request.Host}").TrimEnd('/');
        var link = $"{baseUrl}/Account/Activate?user={user.Id}&code={code}";
        var now = clock.GetUtcNow().UtcDateTime;
        await outbox.AddAsync(new OutgoingSms(
            $"invitation:worker:{workerId}:user:{user.Id}", "invitation", workerId, null, mobile,
            $"Welcome to Outreach. Set your password to see your sessions: {link}", now, now + InvitationData.Lifetime),
            cancellationToken);
        jobs.Enqueue<SendOutboxJob>(job => job.RunAsync(CancellationToken.None));
        return true;
    }
}
