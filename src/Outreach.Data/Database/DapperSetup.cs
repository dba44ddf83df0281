using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Dapper;

namespace Outreach.Data.Database;

internal static class DapperSetup
{
    // Columns are snake_case and records are PascalCase: let Dapper match area_name to AreaName
    // before any query of this assembly runs.
    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255", Justification = "Dapper's type map is process-wide; it must be set before the first query.")]
    internal static void Initialise() => DefaultTypeMap.MatchNamesWithUnderscores = true;
}
