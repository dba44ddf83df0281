using System.ComponentModel.DataAnnotations;

namespace Outreach.Jobs;

/// <summary>The Jobs section: where and how Hangfire runs the jobs.</summary>
public sealed class JobOptions
{
    public const string Section = "Jobs";

    /// <summary>Run a Hangfire server inside the web process (off when separate workers run the jobs).</summary>
    public bool RunServerInWeb { get; set; } = true;

    [Range(1, 256, ErrorMessage = "Jobs:WorkerCount must be from 1 to 256.")]
    public int WorkerCount { get; set; } = 4;

    /// <summary>How often idle servers look for new and scheduled jobs.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "01:00:00", ErrorMessage = "Jobs:PollInterval must be a time span from 00:00:00.050 to 01:00:00, like 00:00:05.")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);
}
