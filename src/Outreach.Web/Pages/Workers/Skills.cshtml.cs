using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Outreach.Data.Workers;
using Outreach.Web.Infrastructure;

namespace Outreach.Web.Pages.Workers;

/// <summary>The list of skills workers can have and sessions can ask for, kept by coordinators.</summary>
public class SkillsModel(SkillData skills) : PageModel
{
    public IReadOnlyList<Skill> Skills { get; private set; } = [];

    public SkillInput NewSkill { get; set; } = new();

    public SkillInput Rename { get; set; } = new();

    /// <summary>The skill whose rename was refused, so its row shows the message.</summary>
    public long? RenameId { get; private set; }

    public sealed class SkillInput
    {
        [Required(ErrorMessage = "Enter the skill's name.")]
        [StringLength(60, ErrorMessage = "Keep the name under 60 characters.")]
        [Display(Name = "Name")]
        public string Name { get; set; } = "";
    }

    public async Task OnGetAsync(CancellationToken cancellationToken) =>
        Skills = await skills.ListAsync(includeRetired: true, cancellationToken);

    public async Task<IActionResult> OnPostAddAsync(CancellationToken cancellationToken)
    {
        if (await TryUpdateModelAsync(NewSkill, nameof(NewSkill)))
        {
            var outcome = await skills.CreateAsync(NewSkill.Name, HttpContext.Actor(), cancellationToken);
            if (outcome.Succeeded)
            {
                TempData["StatusMessage"] = $"\"{NewSkill.Name.Trim()}\" is added to the skills.";
                return RedirectToPage();
            }
            ModelState.AddErrors(outcome, prefix: "NewSkill.");
        }
        Skills = await skills.ListAsync(includeRetired: true, cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostRenameAsync(long id, CancellationToken cancellationToken)
    {
        if (await TryUpdateModelAsync(Rename, nameof(Rename)))
        {
            var outcome = await skills.RenameAsync(id, Rename.Name, HttpContext.Actor(), cancellationToken);
            if (outcome.Succeeded)
            {
                TempData["StatusMessage"] = $"The skill is renamed \"{Rename.Name.Trim()}\".";
                return RedirectToPage();
            }
            ModelState.AddErrors(outcome, prefix: "Rename.");
        }
        RenameId = id;
        Skills = await skills.ListAsync(includeRetired: true, cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostRetireAsync(long id, CancellationToken cancellationToken) =>
        await SetActiveAsync(id, false, "is retired: it is no longer offered, and stays on the workers and sessions that have it.", cancellationToken);

    public async Task<IActionResult> OnPostRestoreAsync(long id, CancellationToken cancellationToken) =>
        await SetActiveAsync(id, true, "is offered again.", cancellationToken);

    private async Task<IActionResult> SetActiveAsync(long id, bool active, string message, CancellationToken cancellationToken)
    {
        var skill = (await skills.ListAsync(includeRetired: true, cancellationToken)).FirstOrDefault(s => s.Id == id);
        if (skill is null)
        {
            return NotFound();
        }
        if (await skills.SetActiveAsync(id, active, HttpContext.Actor(), cancellationToken))
        {
            TempData["StatusMessage"] = $"\"{skill.Name}\" {message}";
        }
        return RedirectToPage();
    }
}
