using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Outreach.Data;
using Outreach.Data.Identity;
using Outreach.Data.Records;
using Outreach.Web.Infrastructure;

namespace Outreach.Web.Pages.Records;

/// <summary>Recording what happened at a session, from a phone: delivered or not, and who came.</summary>
public class EditModel(RecordData records) : PageModel
{
    public RecordTarget Target { get; private set; } = null!;

    public bool Existing { get; private set; }

    [BindProperty]
    public InputModel Input { get; set; } = new();

    public sealed class InputModel
    {
        [Display(Name = "Did the session go ahead?")]
        public bool Delivered { get; set; } = true;

        [StringLength(500, ErrorMessage = "Keep the reason under 500 characters.")]
        [Display(Name = "Why not?")]
        public string? NotDeliveredReason { get; set; }

        [Display(Name = "Actually started (UK time)")]
        public DateTime? ActualStart { get; set; }

        [Display(Name = "Actually ended (UK time)")]
        public DateTime? ActualEnd { get; set; }

        [Range(0, 2000, ErrorMessage = "Enter a number from 0 to 2000.")]
        [Display(Name = "Under 11")]
        public int CountUnder11 { get; set; }

        [Range(0, 2000, ErrorMessage = "Enter a number from 0 to 2000.")]
        [Display(Name = "11 to 13")]
        public int Count11To13 { get; set; }

        [Range(0, 2000, ErrorMessage = "Enter a number from 0 to 2000.")]
        [Display(Name = "14 to 15")]
        public int Count14To15 { get; set; }

        [Range(0, 2000, ErrorMessage = "Enter a number from 0 to 2000.")]
        [Display(Name = "16 to 17")]
        public int Count16To17 { get; set; }

        [Range(0, 2000, ErrorMessage = "Enter a number from 0 to 2000.")]
        [Display(Name = "18 to 24")]
        public int Count18To24 { get; set; }

        [StringLength(2000, ErrorMessage = "Keep the notes under 2000 characters.")]
        [Display(Name = "Notes (no names of young people)")]
        public string? Notes { get; set; }
    }

    private long? ScopeUserId => User.IsInRole(Roles.Coordinator) || User.IsInRole(Roles.Administrator) ? null : User.UserId() ?? -1;

    public async Task<IActionResult> OnGetAsync(long sessionId, CancellationToken cancellationToken)
    {
        var found = await records.FindAsync(sessionId, ScopeUserId, cancellationToken);
        if (found is null)
        {
            return NotFound();
        }
        Target = found.Value.Session;
        if (found.Value.Record is { } r)
        {
            Existing = true;
            Input = new InputModel
            {
                Delivered = r.Delivered, NotDeliveredReason = r.NotDeliveredReason,
                ActualStart = r.ActualStart is { } s ? UkTime.ToLocal(s) : null,
                ActualEnd = r.ActualEnd is { } e ? UkTime.ToLocal(e) : null,
                CountUnder11 = r.CountUnder11, Count11To13 = r.Count11To13, Count14To15 = r.Count14To15,
                Count16To17 = r.Count16To17, Count18To24 = r.Count18To24, Notes = r.Notes,
            };
        }
        else
        {
            Input.ActualStart = UkTime.ToLocal(Target.StartsAt);
            Input.ActualEnd = UkTime.ToLocal(Target.EndsAt);
        }
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(long sessionId, CancellationToken cancellationToken)
    {
        var found = await records.FindAsync(sessionId, ScopeUserId, cancellationToken);
        if (found is null)
        {
            return NotFound();
        }
        Target = found.Value.Session;
        Existing = found.Value.Record is not null;

        DateTime? startUtc = null, endUtc = null;
        if (Input.ActualStart is { } start)
        {
            if (UkTime.TryToUtc(start, out var utc))
            {
                startUtc = utc;
            }
            else
            {
                ModelState.AddModelError("Input.ActualStart", "That time does not exist in the UK (the clocks go forward then). Choose another.");
            }
        }
        if (Input.ActualEnd is { } end)
        {
            if (UkTime.TryToUtc(end, out var utc))
            {
                endUtc = utc;
            }
            else
            {
                ModelState.AddModelError("Input.ActualEnd", "That time does not exist in the UK (the clocks go forward then). Choose another.");
            }
        }
        if (!Input.Delivered && string.IsNullOrWhiteSpace(Input.NotDeliveredReason))
        {
            ModelState.AddModelError("Input.NotDeliveredReason", "Say why the session did not go ahead.");
        }
        if (startUtc is not null && endUtc is not null && endUtc <= startUtc)
        {
            ModelState.AddModelError("Input.ActualEnd", "The end must be after the start.");
        }
        if (!ModelState.IsValid)
        {
            return Page();
        }

        var record = Input.Delivered
            ? new SessionRecord(true, null, startUtc, endUtc, Input.CountUnder11, Input.Count11To13, Input.Count14To15,
                Input.Count16To17, Input.Count18To24, Input.Notes?.Trim() ?? "")
            : new SessionRecord(false, Input.NotDeliveredReason!.Trim(), null, null, 0, 0, 0, 0, 0, Input.Notes?.Trim() ?? "");
        var outcome = await records.SaveAsync(sessionId, record, ScopeUserId, HttpContext.Actor(), cancellationToken);
        if (!outcome.Succeeded)
        {
            if (outcome.Errors.Any(e => e.Field.Length == 0))
            {
                return NotFound();
            }
            ModelState.AddErrors(outcome);
            return Page();
        }
        TempData["StatusMessage"] = record.Delivered
            ? $"Recorded: {record.YoungPeople} young people reached. Thank you."
            : "Recorded that the session did not go ahead.";
        return RedirectToPage("Index");
    }
}
