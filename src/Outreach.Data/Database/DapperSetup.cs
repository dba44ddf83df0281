using System.Data;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Dapper;
using Npgsql;
using NpgsqlTypes;

namespace Outreach.Data.Database;

internal static class DapperSetup
{
    // Columns are snake_case and records are PascalCase: let Dapper match area_name to AreaName
    // before any query of this assembly runs.
    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255", Justification = "Dapper's type map is process-wide; it must be set before the first query.")]
    internal static void Initialise()
    {
        DefaultTypeMap.MatchNamesWithUnderscores = true;
        SqlMapper.AddTypeHandler(new StreamAsBytea());
    }

    /// <summary>A stream parameter is sent as bytea, copied to the server a buffer at a time instead of as one array.</summary>
    private sealed class StreamAsBytea : SqlMapper.TypeHandler<Stream>
    {
        public override void SetValue(IDbDataParameter parameter, Stream? value)
        {
            parameter.Value = value is null ? DBNull.Value : value;
            if (parameter is NpgsqlParameter npgsql)
            {
                npgsql.NpgsqlDbType = NpgsqlDbType.Bytea;
            }
        }

        public override Stream Parse(object value) =>
            throw new NotSupportedException("Read a bytea column as a stream with the data reader's GetStream.");
    }
}
