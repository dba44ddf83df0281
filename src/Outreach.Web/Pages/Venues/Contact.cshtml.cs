using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Outreach.Data.Venues;
using Outreach.Web.Infrastructure;

namespace Outreach.Web.Pages.Venues;

/// <summary>Adds a contact to a venue, or changes one.</summary>
public class ContactModel(VenueDetailsData details) : PageModel
{
    [BindProperty]
    public InputModel Input { get; set; } = new();

    public VenueDetails Venue { get; private set; } = null!;

    public bool IsNew { get; private set; }

    public sealed class InputModel
    {
        [Required(ErrorMessage = "Choose the contact's role.")]
        [Display(Name = "Role")]
        public string Role { get; set; } = ContactRoles.Main;

        [Required(ErrorMessage = "Enter the contact's name.")]
        [StringLength(120, ErrorMessage = "Keep the name under 120 characters.")]
        [Display(Name = "Name")]
        public string Name { get; set; } = "";

        [StringLength(120, ErrorMessage = "Keep the job title under 120 characters.")]
        [Display(Name = "Job title")]
        public string? JobTitle { get; set; }

        [EmailAddress(ErrorMessage = "Enter an email address like name@school.org.uk.")]
        [StringLength(254, ErrorMessage = "Keep the email address under 254 characters.")]
        [Display(Name = "Email")]
        public string? Email { get; set; }

        [RegularExpression(@"^\s*\+?[0-9][0-9 ()-]{8,18}\s*$", ErrorMessage = "Enter a phone number like 0121 464 2000.")]
        [Display(Name = "Phone")]
        public string? Phone { get; set; }
    }

    public async Task<IActionResult> OnGetAsync(long venueId, long? contactId, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(venueId, contactId, cancellationToken))
        {
            return NotFound();
        }
        if (contactId is not null)
        {
            var contact = await details.ContactAsync(venueId, contactId.Value, cancellationToken);
            if (contact is null)
            {
                return NotFound();
            }
            Input = new InputModel { Role = contact.Role, Name = contact.Name, JobTitle = contact.JobTitle, Email = contact.Email, Phone = contact.Phone };
        }
        else if (Venue.Kind == VenueKinds.School)
        {
            Input.Role = ContactRoles.SafeguardingLead;
        }
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(long venueId, long? contactId, CancellationToken cancellationToken)
    {
        if (!ContactRoles.Labels.ContainsKey(Input.Role ?? ""))
        {
            ModelState.AddModelError("Input.Role", "Choose the contact's role.");
        }
        var email = string.IsNullOrWhiteSpace(Input.Email) ? null : Input.Email.Trim();
        var phone = string.IsNullOrWhiteSpace(Input.Phone) ? null : ImportFile.Tidy(Input.Phone);
        if (Input.Role == ContactRoles.SafeguardingLead)
        {
            // Safeguarding concerns cannot wait for one channel: the lead needs both.
            if (email is null)
            {
                ModelState.AddModelError("Input.Email", "Enter the safeguarding lead's email address.");
            }
            if (phone is null)
            {
                ModelState.AddModelError("Input.Phone", "Enter the safeguarding lead's phone number.");
            }
        }
        else if (email is null && phone is null)
        {
            ModelState.AddModelError("Input.Email", "Enter an email address or a phone number (or both).");
        }
        if (!ModelState.IsValid)
        {
            return await LoadAsync(venueId, contactId, cancellationToken) ? Page() : NotFound();
        }

        var outcome = await details.SaveContactAsync(venueId, contactId,
            new ContactInput(Input.Role!, ImportFile.Tidy(Input.Name), ImportFile.Tidy(Input.JobTitle), email, phone),
            HttpContext.Actor(), cancellationToken);
        if (!outcome.Succeeded)
        {
            ModelState.AddErrors(outcome);
            return await LoadAsync(venueId, contactId, cancellationToken) ? Page() : NotFound();
        }
        TempData["StatusMessage"] = $"{ImportFile.Tidy(Input.Name)} was saved as a contact.";
        return RedirectToPage("Details", new { id = venueId });
    }

    private async Task<bool> LoadAsync(long venueId, long? contactId, CancellationToken cancellationToken)
    {
        var venue = await details.GetAsync(venueId, cancellationToken);
        if (venue is null)
        {
            return false;
        }
        Venue = venue;
        IsNew = contactId is null;
        return true;
    }
}
