using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Outreach.Data.Records;
using Outreach.Web.Infrastructure;

namespace Outreach.Web.Pages.Admin;

/// <summary>The topics a session record offers and the before/after survey questions: add, retire, bring back.</summary>
public class TopicsModel(TopicData topics) : PageModel
{
    public IReadOnlyList<TopicOption> Topics { get; private set; } = [];

    public IReadOnlyList<QuestionOption> Questions { get; private set; } = [];

    [BindProperty]
    public TopicInput NewTopic { get; set; } = new();

    [BindProperty]
    public QuestionInput NewQuestion { get; set; } = new();

    public sealed class TopicInput
    {
        [Required(ErrorMessage = "Enter the topic.")]
        [StringLength(100, ErrorMessage = "Keep the topic under 100 characters.")]
        [Display(Name = "New topic")]
        public string? Name { get; set; }
    }

    public sealed class QuestionInput
    {
        [Required(ErrorMessage = "Enter the question.")]
        [StringLength(200, ErrorMessage = "Keep the question under 200 characters.")]
        [Display(Name = "New survey statement")]
        public string? Text { get; set; }

        [Display(Name = "Agreeing is the good answer")]
        public bool HigherIsBetter { get; set; } = true;
    }

    public async Task OnGetAsync(CancellationToken cancellationToken) => await LoadAsync(cancellationToken);

    public async Task<IActionResult> OnPostAddTopicAsync(CancellationToken cancellationToken)
    {
        Only("NewTopic.");
        if (ModelState.IsValid && string.IsNullOrWhiteSpace(NewTopic.Name))
        {
            ModelState.AddModelError("NewTopic.Name", "Enter the topic.");
        }
        if (ModelState.IsValid)
        {
            var outcome = await topics.AddTopicAsync(NewTopic.Name!.Trim(), HttpContext.Actor(), cancellationToken);
            if (outcome.Succeeded)
            {
                TempData["StatusMessage"] = "Topic added.";
                return RedirectToPage();
            }
            ModelState.AddErrors(outcome, "NewTopic.");
        }
        await LoadAsync(cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostAddQuestionAsync(CancellationToken cancellationToken)
    {
        Only("NewQuestion.");
        if (ModelState.IsValid && string.IsNullOrWhiteSpace(NewQuestion.Text))
        {
            ModelState.AddModelError("NewQuestion.Text", "Enter the question.");
        }
        if (!ModelState.IsValid)
        {
            await LoadAsync(cancellationToken);
            return Page();
        }
        await topics.AddQuestionAsync(NewQuestion.Text!.Trim(), NewQuestion.HigherIsBetter, HttpContext.Actor(), cancellationToken);
        TempData["StatusMessage"] = "Survey question added.";
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostTopicActiveAsync(long id, bool active, CancellationToken cancellationToken)
    {
        TempData["StatusMessage"] = await topics.SetTopicActiveAsync(id, active, HttpContext.Actor(), cancellationToken)
            ? active ? "Topic brought back." : "Topic retired: records that used it keep it."
            : "Nothing changed.";
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostQuestionActiveAsync(long id, bool active, CancellationToken cancellationToken)
    {
        TempData["StatusMessage"] = await topics.SetQuestionActiveAsync(id, active, HttpContext.Actor(), cancellationToken)
            ? active ? "Question brought back." : "Question retired: records that used it keep their results."
            : "Nothing changed.";
        return RedirectToPage();
    }

    // Each form posts one of the two inputs; the other's (empty) fields are not this post's concern.
    private void Only(string prefix)
    {
        foreach (var key in ModelState.Keys.Where(k => !k.StartsWith(prefix, StringComparison.Ordinal)).ToList())
        {
            ModelState.Remove(key);
        }
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Topics = await topics.TopicsAsync(cancellationToken);
        Questions = await topics.QuestionsAsync(cancellationToken);
    }
}
