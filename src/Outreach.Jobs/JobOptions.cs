namespace Outreach.Jobs;

public sealed class JobOptions
{
    public const string Section = "Jobs";

    /// <summary>Run a Hangfire server inside the web process (off when separate workers run the jobs).</summary>
    public bool RunServerInWeb { get; set; } = true;

    public int WorkerCount { get; set; } = 4;

    /// <summary>How often idle servers look for new and scheduled jobs.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);
}
