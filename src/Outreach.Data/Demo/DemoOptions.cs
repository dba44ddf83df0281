using System.ComponentModel.DataAnnotations;

namespace Outreach.Data.Demo;

/// <summary>The Demo section: run.sh loads West Midlands demo data once, with one sign-in per role.</summary>
public sealed class DemoOptions
{
    public const string Section = "Demo";

    public bool Load { get; set; }

    [Required(ErrorMessage = "Demo:Password is required when set: the password of the demo sign-ins.")]
    [MinLength(12, ErrorMessage = "Demo:Password must be at least 12 characters, as every password must.")]
    public string Password { get; set; } = "outreach-demo-2026";
}
