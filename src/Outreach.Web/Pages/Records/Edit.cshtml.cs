using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Outreach.Data;
using Outreach.Data.Identity;
using Outreach.Data.Records;
using Outreach.Jobs;
using Outreach.Web.Infrastructure;

namespace Outreach.Web.Pages.Records;

/// <summary>
/// Recording what happened at a session, from a phone: delivered or not, who came (by age, and optionally by
/// gender and year group), topics, staff, referrals, survey results and any safeguarding concern. The lead
/// worker writes it; coordinators and administrators correct it; other workers on the session read it.
/// </summary>
public class EditModel(RecordData records, FollowUpJobs followUps) : PageModel
{
    public RecordForm Form { get; private set; } = null!;

    public RecordTarget Target => Form.Session;

    public bool Existing => Form.Record is not null;

    public bool IsStaff => User.IsInRole(Roles.Coordinator) || User.IsInRole(Roles.Administrator);

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

        [Range(0, 2000, ErrorMessage = "Enter a number from 0 to 2000.")]
        [Display(Name = "Female")]
        public int? CountFemale { get; set; }

        [Range(0, 2000, ErrorMessage = "Enter a number from 0 to 2000.")]
        [Display(Name = "Male")]
        public int? CountMale { get; set; }

        [Range(0, 2000, ErrorMessage = "Enter a number from 0 to 2000.")]
        [Display(Name = "Another gender")]
        public int? CountOtherGender { get; set; }

        public Dictionary<string, int?> YearGroups { get; set; } = [];

        public List<long> TopicIds { get; set; } = [];

        public List<long> StaffIds { get; set; } = [];

        public Dictionary<string, int?> Referrals { get; set; } = [];

        public List<SurveyInput> Surveys { get; set; } = [];

        [Display(Name = "Raise a safeguarding concern")]
        public bool RaiseConcern { get; set; }

        [StringLength(4000, ErrorMessage = "Keep the details under 4000 characters.")]
        [Display(Name = "What happened (for the coordinators only)")]
        public string? ConcernDetails { get; set; }

        [StringLength(2000, ErrorMessage = "Keep the notes under 2000 characters.")]
        [Display(Name = "Notes (no names of young people)")]
        public string? Notes { get; set; }
    }

    public sealed class SurveyInput
    {
        public long QuestionId { get; set; }

        public decimal? BeforeMean { get; set; }

        public int? BeforeN { get; set; }

        public decimal? AfterMean { get; set; }

        public int? AfterN { get; set; }
    }

    private long? ScopeUserId => IsStaff ? null : User.UserId() ?? -1;

    public async Task<IActionResult> OnGetAsync(long sessionId, CancellationToken cancellationToken)
    {
        var form = await records.LoadAsync(sessionId, ScopeUserId, cancellationToken);
        if (form is null)
        {
            return NotFound();
        }
        Form = form;
        if (form.Record is { } r)
        {
            var d = form.Details;
            Input = new InputModel
            {
                Delivered = r.Delivered, NotDeliveredReason = r.NotDeliveredReason,
                ActualStart = r.ActualStart is { } s ? UkTime.ToLocal(s) : null,
                ActualEnd = r.ActualEnd is { } e ? UkTime.ToLocal(e) : null,
                CountUnder11 = r.CountUnder11, Count11To13 = r.Count11To13, Count14To15 = r.Count14To15,
                Count16To17 = r.Count16To17, Count18To24 = r.Count18To24, Notes = r.Notes,
                CountFemale = d.CountFemale, CountMale = d.CountMale, CountOtherGender = d.CountOtherGender,
                YearGroups = d.YearGroups.ToDictionary(y => y.Key, y => (int?)y.Value),
                TopicIds = [.. d.TopicIds], StaffIds = [.. d.StaffWorkerIds],
                Referrals = d.Referrals.ToDictionary(x => x.Key, x => (int?)x.Value),
                Surveys = form.Questions.Select(q => d.Surveys.FirstOrDefault(s => s.QuestionId == q.Id) is { } s
                    ? new SurveyInput { QuestionId = q.Id, BeforeMean = s.BeforeMean, BeforeN = s.BeforeN, AfterMean = s.AfterMean, AfterN = s.AfterN }
                    : new SurveyInput { QuestionId = q.Id }).ToList(),
            };
        }
        else
        {
            Input.ActualStart = UkTime.ToLocal(Target.StartsAt);
            Input.ActualEnd = UkTime.ToLocal(Target.EndsAt);
            Input.StaffIds = form.Staff.Where(s => s.Assigned).Select(s => s.WorkerId).ToList();
            Input.Surveys = form.Questions.Select(q => new SurveyInput { QuestionId = q.Id }).ToList();
        }
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(long sessionId, CancellationToken cancellationToken)
    {
        var form = await records.LoadAsync(sessionId, ScopeUserId, cancellationToken);
        if (form is null)
        {
            return NotFound();
        }
        Form = form;
        if (!form.CanWrite)
        {
            return Forbid();
        }

        DateTime? startUtc = ToUtc(Input.ActualStart, "Input.ActualStart");
        DateTime? endUtc = ToUtc(Input.ActualEnd, "Input.ActualEnd");
        if (!Input.Delivered && string.IsNullOrWhiteSpace(Input.NotDeliveredReason))
        {
            ModelState.AddModelError("Input.NotDeliveredReason", "Say why the session did not go ahead.");
        }
        var raising = Input.RaiseConcern && form.Concern is null;
        if (raising && string.IsNullOrWhiteSpace(Input.ConcernDetails))
        {
            ModelState.AddModelError("Input.ConcernDetails", "Say what happened, so the coordinator can act on it.");
        }
        if (!Input.RaiseConcern && !string.IsNullOrWhiteSpace(Input.ConcernDetails) && form.Concern is null)
        {
            ModelState.AddModelError("Input.RaiseConcern", "Tick this to send the details to the coordinators, or clear the details.");
        }
        if (!ModelState.IsValid)
        {
            return Page();
        }

        var record = Input.Delivered
            ? new SessionRecord(true, null, startUtc, endUtc, Input.CountUnder11, Input.Count11To13, Input.Count14To15,
                Input.Count16To17, Input.Count18To24, Input.Notes?.Trim() ?? "")
            : new SessionRecord(false, Input.NotDeliveredReason!.Trim(), null, null, 0, 0, 0, 0, 0, Input.Notes?.Trim() ?? "");
        var details = Input.Delivered
            ? new RecordDetails(
                Input.CountFemale, Input.CountMale, Input.CountOtherGender,
                Input.YearGroups.Where(y => y.Value is not null).ToDictionary(y => y.Key, y => y.Value!.Value, StringComparer.Ordinal),
                Input.TopicIds, Input.StaffIds,
                Input.Referrals.Where(x => x.Value is not null).ToDictionary(x => x.Key, x => x.Value!.Value, StringComparer.Ordinal),
                Input.Surveys.Select(s => new SurveyResult(s.QuestionId, s.BeforeMean, s.BeforeN, s.AfterMean, s.AfterN)).ToList())
            : RecordDetails.None with { StaffWorkerIds = Input.StaffIds };
        var outcome = await records.SaveAsync(
            sessionId, record, details, raising ? Input.ConcernDetails!.Trim() : null, ScopeUserId, HttpContext.Actor(), cancellationToken);
        if (!outcome.Succeeded)
        {
            if (outcome.Errors.Any(e => e.Field.Length == 0))
            {
                return NotFound();
            }
            ModelState.AddErrors(outcome);
            return Page();
        }
        followUps.Enqueue(outcome);
        var message = record.Delivered
            ? $"Recorded: {record.YoungPeople} young people reached. Thank you."
            : "Recorded that the session did not go ahead.";
        if (outcome.Value!.NewConcernId is not null)
        {
            message += " Your safeguarding concern has gone to the coordinators.";
        }
        TempData["StatusMessage"] = message;
        return RedirectToPage("Index");
    }

    private DateTime? ToUtc(DateTime? local, string field)
    {
        if (local is not { } value)
        {
            return null;
        }
        if (UkTime.TryToUtc(value, out var utc))
        {
            return utc;
        }
        ModelState.AddModelError(field, "That time does not exist in the UK (the clocks go forward then). Choose another.");
        return null;
    }

    public string SurveyText(long questionId) => Form.Questions.FirstOrDefault(q => q.Id == questionId)?.Text ?? "Question";
}
