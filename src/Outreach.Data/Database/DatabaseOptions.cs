using System.ComponentModel.DataAnnotations;

namespace Outreach.Data.Database;

/// <summary>The Database section.</summary>
public sealed class DatabaseOptions
{
    public const string Section = "Database";

    /// <summary>
    /// Connections each process may hold at once; empty means the connection string's Maximum Pool Size.
    /// One connection is held all the time by the site's calendar-change listener.
    /// </summary>
    [Range(2, 10_000, ErrorMessage = "Database:MaxConnections must be at least 2 (one is held by the calendar-change listener), or left empty.")]
    public int? MaxConnections { get; set; }

    /// <summary>Apply migrations/ when the site starts; off to migrate only with the `migrate` command.</summary>
    public bool MigrateOnStartup { get; set; } = true;
}
