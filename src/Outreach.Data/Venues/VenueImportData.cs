using System.Data;
using CsvHelper;
using Dapper;
using Npgsql;
using NpgsqlTypes;
using Outreach.Data.Audit;

namespace Outreach.Data.Venues;

public static class ImportSources
{
    public const string Gias = "gias";
    public const string Ods = "ods";

    public static readonly IReadOnlyDictionary<string, string> Labels = new Dictionary<string, string>
    {
        [Gias] = "Schools (GIAS establishments file)",
        [Ods] = "Hospital sites (NHS ODS ets.csv)",
    };
}

/// <param name="Content">
/// The file, from its current position: a seekable stream (such as the upload's temporary file), read once to look at it
/// and once more to store it, never held in memory whole.
/// </param>
public sealed record NewImport(string Source, string FileName, Stream Content, IReadOnlyList<string>? LaCodes, long? AreaId);

public sealed record VenueImport(
    long Id, string Source, string FileName, long FileSize, string Encoding, string? LaCodeList, long? AreaId,
    string? AreaName, string Status, int RowsRead, int RowsGood, int RowsBad, int RowsElsewhere,
    int? VenuesAdded, int? VenuesUpdated, int? VenuesClosed, int? VenuesUnchanged, int? RowsSkipped, int? AreasAdded,
    string CreatedByName, DateTime CreatedAt, DateTime? CheckedAt, string? CommitByName, DateTime? CommittedAt)
{
    public bool IsWorking => Status is "uploaded" or "checking" or "committing";

    /// <summary>The DfE local authority numbers chosen (GIAS); null when every authority in the file was taken.</summary>
    public IReadOnlyList<string>? LaCodes => LaCodeList?.Split(',');
}

public sealed record ImportProgress(string Status, string Phase, long Done, long Total, string? Error)
{
    public int Percent => Total <= 0 ? 0 : (int)Math.Clamp(Done * 100 / Total, 0, 100);
}

public sealed record ImportProblem(int Line, string? Ref, string? Name, string ColumnName, string Reason);

/// <summary>What a commit would do, as far as the preview can tell.</summary>
public sealed record ImportPlan(long ToAdd, long ToRefresh, long ToClose, long ToSkip, long NotMarked);

/// <summary>A GIAS local authority in the file and the area its schools go into (null: a new area).</summary>
public sealed record ImportAuthority(string LaCode, string LaName, string? OnsCode, string? Region, long Rows, long? AreaId, string? AreaName);

public sealed record ImportSite(
    int Line, string Ref, string Name, string Address, string Postcode, string Status, bool IsEmergencyDepartment,
    long? AreaId, long? VenueId);

public sealed record SiteMark(int Line, bool IsEmergencyDepartment, long? AreaId);

public sealed record CommitResult(int Added, int Updated, int Closed, int Unchanged, int Skipped, int AreasAdded);

public sealed record ImportListRow(long Id, string Source, string FileName, string Status, int RowsGood, int RowsBad, string CreatedByName, DateTime CreatedAt);

/// <summary>
/// Venue imports from the GIAS and NHS ODS files: upload, check (every row staged with its problems),
/// preview, then one transaction that writes the good rows. Check and commit can run in the request
/// or in a job; both are safe to run again.
/// </summary>
public sealed class VenueImportData(NpgsqlDataSource dataSource, TimeProvider clock)
{
    private const int ProgressEvery = 2_000;
    private const int CommitBatch = 5_000;

    /// <summary>Looks at the file (text? the right header?) and stores it; nothing is stored when it is refused.</summary>
    public async Task<Outcome<long>> UploadAsync(NewImport upload, Actor actor, CancellationToken cancellationToken)
    {
        if (!ImportSources.Labels.ContainsKey(upload.Source))
        {
            return Outcome<long>.Fail("Source", "Choose which file this is.");
        }
        if (!upload.Content.CanSeek)
        {
            throw new ArgumentException("The upload must be a seekable stream: it is read twice.", nameof(upload));
        }
        var start = upload.Content.Position;
        var file = await ImportFile.InspectAsync(upload.Content, cancellationToken);
        if (file.WhyNotText is { } notText)
        {
            return Outcome<long>.Fail("File", notText);
        }
        string[]? header = null;
        try
        {
            upload.Content.Position = start;
            using var rows = CsvRows.Open(upload.Content, file.Encoding, hasHeader: upload.Source == ImportSources.Gias);
            if (upload.Source == ImportSources.Gias)
            {
                header = [.. rows.Header];
                if (GiasCsv.WhyNotGias(header) is { } notGias)
                {
                    return Outcome<long>.Fail("File", notGias);
                }
                if (!rows.Read())
                {
                    return Outcome<long>.Fail("File", "The file has a header row but no schools.");
                }
            }
            else
            {
                if (!rows.Read())
                {
                    return Outcome<long>.Fail("File", "The file has no rows.");
                }
                if (OdsCsv.WhyNotOds(rows.Fields()) is { } notOds)
                {
                    return Outcome<long>.Fail("File", notOds);
                }
            }
        }
        catch (CsvFormatException)
        {
            return Outcome<long>.Fail("File", "This file cannot be read as CSV.");
        }
        upload.Content.Position = start;

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (upload.AreaId is not null && !await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
                "SELECT EXISTS (SELECT 1 FROM outreach.areas WHERE id = @AreaId)", upload, transaction,
                cancellationToken: cancellationToken)))
        {
            return Outcome<long>.Fail("AreaId", "Choose an area from the list.");
        }
        var stored = new
        {
            upload.Source,
            FileName = Path.GetFileName(upload.FileName),
            FileSize = file.Length,
            // Npgsql copies a seekable stream to the server a buffer at a time.
            upload.Content,
            Encoding = ImportFile.EncodingName(file.Encoding),
            Header = header,
            LaCodes = upload.LaCodes?.ToArray(),
            upload.AreaId,
            CreatedBy = actor.UserId,
            CreatedByName = actor.Name,
        };
        var id = await connection.ExecuteScalarAsync<long>(new CommandDefinition("""
            INSERT INTO outreach.venue_imports
                   (source, file_name, file_size, content, encoding, header, la_codes, area_id, created_by, created_by_name)
            VALUES (@Source, @FileName, @FileSize, @Content, @Encoding, @Header, @LaCodes, @AreaId, @CreatedBy, @CreatedByName)
            RETURNING id
            """, stored, transaction, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO outreach.venue_import_progress (import_id, total) VALUES (@id, @total)",
            new { id, total = stored.FileSize }, transaction, cancellationToken: cancellationToken));
        await AuditLog.WriteAsync(connection, transaction, actor, "upload", "venue_import", id, null,
            new { stored.Source, stored.FileName, stored.FileSize, stored.Encoding, stored.LaCodes, stored.AreaId },
            cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return Outcome<long>.Ok(id);
    }

    /// <summary>
    /// Reads every row of the upload and stages it, good or rejected with its reasons. Run again after a
    /// crash, it starts over; once the import is checked (or discarded) it does nothing.
    /// </summary>
    public async Task CheckAsync(long importId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var claimed = await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE outreach.venue_imports SET status = 'checking' WHERE id = @importId AND status IN ('uploaded', 'checking')",
            new { importId }, cancellationToken: cancellationToken));
        if (claimed == 0)
        {
            return;
        }

        var progress = new Progress(dataSource, importId);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        try
        {
            // The row lock keeps a second run of this job (or a discard) waiting until this one is done.
            var upload = await connection.QuerySingleOrDefaultAsync<(string Source, string Encoding, string[]? LaCodes, long FileSize)>(
                new CommandDefinition("""
                    SELECT source, encoding, la_codes, file_size FROM outreach.venue_imports
                    WHERE id = @importId AND status = 'checking'
                    FOR NO KEY UPDATE
                    """, new { importId }, transaction, cancellationToken: cancellationToken));
            if (upload.Source is null)
            {
                return;
            }
            await connection.ExecuteAsync(new CommandDefinition(
                "DELETE FROM outreach.venue_import_rows WHERE import_id = @importId", new { importId }, transaction,
                cancellationToken: cancellationToken));

            await using var content = await SpoolAsync(connection, transaction, importId, cancellationToken);
            var counts = await StageAsync(connection, importId, upload.Source, content, upload.FileSize,
                ImportFile.FromName(upload.Encoding), upload.LaCodes, progress, cancellationToken);

            await connection.ExecuteAsync(new CommandDefinition(upload.Source == ImportSources.Gias
                ? """
                  UPDATE outreach.venue_import_rows r SET venue_id = v.id
                    FROM outreach.venues v
                   WHERE r.import_id = @importId AND NOT r.rejected AND v.urn = r.ref
                  """
                : """
                  UPDATE outreach.venue_import_rows r
                     SET venue_id = v.id,
                         is_emergency_department = v.kind = 'emergency_department',
                         area_id = CASE WHEN v.kind = 'emergency_department' THEN v.area_id END
                    FROM outreach.venues v
                   WHERE r.import_id = @importId AND NOT r.rejected AND v.ods_code = r.ref
                  """, new { importId }, transaction, cancellationToken: cancellationToken));
            await connection.ExecuteAsync(new CommandDefinition("""
                UPDATE outreach.venue_imports
                   SET status = 'checked', rows_read = @Read, rows_good = @Good, rows_bad = @Bad,
                       rows_elsewhere = @Elsewhere, checked_at = @now
                 WHERE id = @importId
                """, new { importId, counts.Read, counts.Good, counts.Bad, counts.Elsewhere, now = clock.GetUtcNow() },
                transaction, cancellationToken: cancellationToken));
            await transaction.CommitAsync(cancellationToken);
        }
        catch
        {
            await transaction.RollbackAsync(CancellationToken.None);
            await progress.FailedAsync("Checking the file stopped with an error. It will be tried again; if it keeps failing, discard this import and upload the file again.");
            throw;
        }
        await progress.SetAsync("done", 1, 1, CancellationToken.None);
    }

    /// <summary>
    /// The stored upload, copied to a temporary file (deleted when it is closed). The rows are read from the file,
    /// not from the database: the connection is busy with COPY while they are, and the file is never held in memory.
    /// </summary>
    private static async Task<FileStream> SpoolAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, long importId, CancellationToken cancellationToken)
    {
        var file = new FileStream(Path.Combine(Path.GetTempPath(), "outreach-import-" + Path.GetRandomFileName()),
            FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.Asynchronous | FileOptions.DeleteOnClose);
        try
        {
            await using (var reader = await connection.ExecuteReaderAsync(new CommandDefinition(
                "SELECT content FROM outreach.venue_imports WHERE id = @importId", new { importId }, transaction,
                cancellationToken: cancellationToken), CommandBehavior.SequentialAccess))
            {
                if (!await reader.ReadAsync(cancellationToken))
                {
                    throw new InvalidOperationException($"Venue import {importId} has no upload to check.");
                }
                await using var column = reader.GetStream(0);
                await column.CopyToAsync(file, cancellationToken);
            }
            file.Position = 0;
            return file;
        }
        catch
        {
            await file.DisposeAsync();
            throw;
        }
    }

    private sealed record StageCounts(int Read, int Good, int Bad, int Elsewhere);

    private async Task<StageCounts> StageAsync(
        NpgsqlConnection connection, long importId, string source, Stream content, long length, System.Text.Encoding encoding,
        string[]? laCodes, Progress progress, CancellationToken cancellationToken)
    {
        int read = 0, good = 0, bad = 0, elsewhere = 0;
        var problems = new List<(int Line, string Column, string Reason)>();
        using var rows = CsvRows.Open(content, encoding, hasHeader: source == ImportSources.Gias);
        var gias = source == ImportSources.Gias ? new GiasCsv(rows.Header, laCodes) : null;
        var ods = source == ImportSources.Ods ? new OdsCsv(DateOnly.FromDateTime(UkTime.ToLocal(clock.GetUtcNow()).DateTime)) : null;
        await progress.SetAsync("checking", 0, length, cancellationToken);

        await using (var writer = await connection.BeginBinaryImportAsync("""
            COPY outreach.venue_import_rows (import_id, line, rejected, fields, ref, la_code, la_name, la_ons_code, region,
                name, address, postcode, phone, website, establishment_type, phase, status, pupils, percentage_fsm,
                lsoa_code, opened_on, closed_on) FROM STDIN (FORMAT BINARY)
            """, cancellationToken))
        {
            while (rows.Read())
            {
                read++;
                if (read % ProgressEvery == 0)
                {
                    await progress.SetAsync("checking", rows.Position, length, cancellationToken);
                }
                var row = gias is not null ? gias.Check(rows) : ods!.Check(rows);
                if (row is null)
                {
                    elsewhere++;
                    continue;
                }
                if (row.Rejected)
                {
                    bad++;
                    problems.AddRange(row.Problems.Select(p => (row.Line, p.Column, p.Reason)));
                }
                else
                {
                    good++;
                }
                await WriteRowAsync(writer, importId, row, cancellationToken);
            }
            await writer.CompleteAsync(cancellationToken);
        }

        await using (var writer = await connection.BeginBinaryImportAsync(
            "COPY outreach.venue_import_problems (import_id, line, column_name, reason) FROM STDIN (FORMAT BINARY)",
            cancellationToken))
        {
            foreach (var (line, column, reason) in problems)
            {
                await writer.StartRowAsync(cancellationToken);
                await writer.WriteAsync(importId, NpgsqlDbType.Bigint, cancellationToken);
                await writer.WriteAsync(line, NpgsqlDbType.Integer, cancellationToken);
                await writer.WriteAsync(column, NpgsqlDbType.Text, cancellationToken);
                await writer.WriteAsync(reason, NpgsqlDbType.Text, cancellationToken);
            }
            await writer.CompleteAsync(cancellationToken);
        }
        return new StageCounts(read, good, bad, elsewhere);
    }

    private static async Task WriteRowAsync(NpgsqlBinaryImporter writer, long importId, StagedRow row, CancellationToken cancellationToken)
    {
        await writer.StartRowAsync(cancellationToken);
        await writer.WriteAsync(importId, NpgsqlDbType.Bigint, cancellationToken);
        await writer.WriteAsync(row.Line, NpgsqlDbType.Integer, cancellationToken);
        await writer.WriteAsync(row.Rejected, NpgsqlDbType.Boolean, cancellationToken);
        await WriteOrNullAsync(writer, row.Fields, NpgsqlDbType.Array | NpgsqlDbType.Text, cancellationToken);
        foreach (var text in (string?[])[row.Ref, row.LaCode, row.LaName, row.LaOnsCode, row.Region, row.Name, row.Address,
                     row.Postcode, row.Phone, row.Website, row.EstablishmentType, row.Phase, row.Rejected ? null : row.Status])
        {
            await WriteOrNullAsync(writer, text, NpgsqlDbType.Text, cancellationToken);
        }
        await WriteOrNullAsync(writer, row.Pupils, NpgsqlDbType.Integer, cancellationToken);
        await WriteOrNullAsync(writer, row.PercentageFsm, NpgsqlDbType.Numeric, cancellationToken);
        await WriteOrNullAsync(writer, row.LsoaCode, NpgsqlDbType.Text, cancellationToken);
        await WriteOrNullAsync(writer, row.OpenedOn, NpgsqlDbType.Date, cancellationToken);
        await WriteOrNullAsync(writer, row.ClosedOn, NpgsqlDbType.Date, cancellationToken);
    }

    private static Task WriteOrNullAsync<T>(NpgsqlBinaryImporter writer, T? value, NpgsqlDbType type, CancellationToken cancellationToken) =>
        value is null ? writer.WriteNullAsync(cancellationToken) : writer.WriteAsync(value, type, cancellationToken);

    public async Task<VenueImport?> GetAsync(long importId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<VenueImport>(new CommandDefinition("""
            SELECT i.id, i.source, i.file_name, i.file_size, i.encoding, array_to_string(i.la_codes, ',') AS la_code_list,
                   i.area_id, a.name AS area_name,
                   i.status, i.rows_read, i.rows_good, i.rows_bad, i.rows_elsewhere, i.venues_added, i.venues_updated,
                   i.venues_closed, i.venues_unchanged, i.rows_skipped, i.areas_added, i.created_by_name, i.created_at,
                   i.checked_at, i.commit_by_name, i.committed_at
            FROM outreach.venue_imports i LEFT JOIN outreach.areas a ON a.id = i.area_id
            WHERE i.id = @importId
            """, new { importId }, cancellationToken: cancellationToken));
    }

    public async Task<ImportProgress?> ProgressAsync(long importId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<ImportProgress>(new CommandDefinition("""
            SELECT i.status, p.phase, p.done, p.total, p.error
            FROM outreach.venue_imports i JOIN outreach.venue_import_progress p ON p.import_id = i.id
            WHERE i.id = @importId
            """, new { importId }, cancellationToken: cancellationToken));
    }

    public async Task<IReadOnlyList<ImportListRow>> RecentAsync(int count, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<ImportListRow>(new CommandDefinition("""
            SELECT id, source, file_name, status, rows_good, rows_bad, created_by_name, created_at
            FROM outreach.venue_imports ORDER BY created_at DESC, id DESC LIMIT @count
            """, new { count }, cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <summary>The rejected rows' problems in line order (at most <paramref name="limit"/>).</summary>
    public async Task<IReadOnlyList<ImportProblem>> ProblemsAsync(long importId, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<ImportProblem>(new CommandDefinition("""
            SELECT p.line, r.ref, r.name, p.column_name, p.reason
            FROM outreach.venue_import_problems p
            JOIN outreach.venue_import_rows r ON r.import_id = p.import_id AND r.line = p.line
            WHERE p.import_id = @importId
            ORDER BY p.line
            LIMIT @limit
            """, new { importId, limit }, cancellationToken: cancellationToken));
        return rows.AsList();
    }

    public async Task<ImportPlan> PlanAsync(long importId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleAsync<ImportPlan>(new CommandDefinition("""
            SELECT count(*) FILTER (WHERE r.wanted AND r.venue_id IS NULL AND r.status = 'open') AS to_add,
                   count(*) FILTER (WHERE r.wanted AND r.venue_id IS NOT NULL
                                      AND NOT (r.status = 'closed' AND v.status = 'open')) AS to_refresh,
                   count(*) FILTER (WHERE r.wanted AND r.status = 'closed' AND v.status = 'open') AS to_close,
                   count(*) FILTER (WHERE r.wanted AND r.venue_id IS NULL AND r.status = 'closed') AS to_skip,
                   count(*) FILTER (WHERE NOT r.wanted) AS not_marked
            FROM (SELECT r.*, i.source = 'gias' OR r.is_emergency_department AS wanted
                    FROM outreach.venue_import_rows r JOIN outreach.venue_imports i ON i.id = r.import_id
                   WHERE r.import_id = @importId AND NOT r.rejected) r
            LEFT JOIN outreach.venues v ON v.id = r.venue_id
            """, new { importId }, cancellationToken: cancellationToken));
    }

    /// <summary>The areas whose DfE local authority number is known, for choosing which schools to import.</summary>
    public async Task<IReadOnlyList<(string DfeCode, string Name)>> KnownAuthoritiesAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string DfeCode, string Name)>(new CommandDefinition(
            "SELECT dfe_code, name FROM outreach.areas WHERE dfe_code IS NOT NULL ORDER BY name",
            cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <summary>GIAS: each local authority in the checked rows and the area it maps to (null when a new one will be made).</summary>
    public async Task<IReadOnlyList<ImportAuthority>> AuthoritiesAsync(long importId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var found = new List<ImportAuthority>();
        foreach (var authority in await AuthoritiesInFileAsync(connection, null, importId, cancellationToken))
        {
            var area = await FindAreaAsync(connection, null, authority, cancellationToken);
            found.Add(authority with { AreaId = area?.Id, AreaName = area?.Name });
        }
        return found;
    }

    /// <summary>ODS: one page of the good rows, with the coordinator's marks.</summary>
    public async Task<(IReadOnlyList<ImportSite> Sites, long Total)> SitesAsync(
        long importId, string? search, bool markedOnly, int offset, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var args = new { importId, search = string.IsNullOrWhiteSpace(search) ? null : search.Trim(), markedOnly, offset, limit };
        const string where = """
            WHERE r.import_id = @importId AND NOT r.rejected
              AND (NOT @markedOnly OR r.is_emergency_department)
              AND (@search::text IS NULL OR r.name ILIKE '%' || @search || '%' OR r.ref ILIKE @search || '%'
                   OR r.postcode ILIKE @search || '%')
            """;
        var total = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            $"SELECT count(*) FROM outreach.venue_import_rows r {where}", args, cancellationToken: cancellationToken));
        var sites = await connection.QueryAsync<ImportSite>(new CommandDefinition($"""
            SELECT r.line, r.ref, r.name, r.address, coalesce(r.postcode, '') AS postcode, r.status,
                   r.is_emergency_department, r.area_id, r.venue_id
            FROM outreach.venue_import_rows r
            {where}
            ORDER BY r.is_emergency_department DESC, r.name, r.line
            OFFSET @offset LIMIT @limit
            """, args, cancellationToken: cancellationToken));
        return (sites.AsList(), total);
    }

    /// <summary>ODS: records which sites are emergency departments and their areas, while the import awaits commit.</summary>
    public async Task<Outcome<int>> MarkSitesAsync(long importId, IReadOnlyList<SiteMark> marks, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var status = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT status FROM outreach.venue_imports WHERE id = @importId AND source = 'ods' FOR NO KEY UPDATE",
            new { importId }, transaction, cancellationToken: cancellationToken));
        if (status != "checked")
        {
            return Outcome<int>.Fail("", status is null ? "That import does not exist." : "This import can no longer be changed.");
        }
        var areaIds = marks.Select(m => m.AreaId ?? 0).ToArray();
        var unknownArea = await connection.ExecuteScalarAsync<bool>(new CommandDefinition("""
            SELECT EXISTS (SELECT 1 FROM unnest(@areaIds) AS m (area_id)
                           WHERE m.area_id <> 0 AND NOT EXISTS (SELECT 1 FROM outreach.areas a WHERE a.id = m.area_id))
            """, new { areaIds }, transaction, cancellationToken: cancellationToken));
        if (unknownArea)
        {
            return Outcome<int>.Fail("", "Choose each site's area from the list.");
        }
        var changed = await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE outreach.venue_import_rows r
               SET is_emergency_department = m.mark, area_id = NULLIF(m.area_id, 0)
              FROM unnest(@lines, @flags, @areaIds) AS m (line, mark, area_id)
             WHERE r.import_id = @importId AND r.line = m.line AND NOT r.rejected
            """, new { importId, lines = marks.Select(m => m.Line).ToArray(), flags = marks.Select(m => m.IsEmergencyDepartment).ToArray(), areaIds },
            transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return Outcome<int>.Ok(changed);
    }

    /// <summary>Hands the commit to a job: records who asked, so the job can write the audit in their name.</summary>
    public async Task<Outcome<bool>> RequestCommitAsync(long importId, Actor actor, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var claimed = await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE outreach.venue_imports
               SET status = 'committing', commit_by = @UserId, commit_by_name = @Name, commit_by_ip = @RemoteIp
             WHERE id = @importId AND status = 'checked'
            """, new { importId, actor.UserId, actor.Name, actor.RemoteIp }, cancellationToken: cancellationToken));
        if (claimed == 0)
        {
            return Outcome<bool>.Fail("", "This import has already been imported or discarded.");
        }
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE outreach.venue_import_progress SET phase = 'waiting', done = 0, total = 0, error = NULL WHERE import_id = @importId",
            new { importId }, cancellationToken: cancellationToken));
        return Outcome<bool>.Ok(true);
    }

    /// <summary>
    /// Writes the good rows in one transaction: new venues, refreshed ones, closures, each with its audit
    /// event. <paramref name="actor"/> commits a checked import now; without it, an import handed to a job
    /// (status committing) is committed in the name of who asked. Committing twice writes nothing more.
    /// </summary>
    public async Task<Outcome<CommitResult>> CommitAsync(long importId, Actor? actor, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var import = await connection.QuerySingleOrDefaultAsync<CommitState>(new CommandDefinition("""
            SELECT source, status, area_id, commit_by, commit_by_name, commit_by_ip,
                   venues_added, venues_updated, venues_closed, venues_unchanged, rows_skipped, areas_added
            FROM outreach.venue_imports WHERE id = @importId
            FOR NO KEY UPDATE
            """, new { importId }, transaction, cancellationToken: cancellationToken));
        if (import is null)
        {
            return Outcome<CommitResult>.Fail("", "That import does not exist.");
        }
        if (import.Status == "committed")
        {
            return Outcome<CommitResult>.Ok(new CommitResult(import.VenuesAdded ?? 0, import.VenuesUpdated ?? 0,
                import.VenuesClosed ?? 0, import.VenuesUnchanged ?? 0, import.RowsSkipped ?? 0, import.AreasAdded ?? 0));
        }
        Actor who;
        if (import.Status == "checked" && actor is not null)
        {
            who = actor;
        }
        else if (import.Status == "committing")
        {
            who = new Actor(import.CommitBy, import.CommitByName ?? "system", import.CommitByIp);
        }
        else
        {
            return Outcome<CommitResult>.Fail("", import.Status switch
            {
                "discarded" => "This import was discarded.",
                "checked" => "This import is waiting to be imported by a job.",
                _ => "This import is still being checked.",
            });
        }

        var progress = new Progress(dataSource, importId);
        Outcome<CommitResult> result;
        try
        {
            result = import.Source == ImportSources.Gias
                ? await CommitSchoolsAsync(connection, transaction, importId, who, progress, cancellationToken)
                : await CommitSitesAsync(connection, transaction, importId, import.AreaId, who, progress, cancellationToken);
            if (!result.Succeeded)
            {
                // Nothing was written; a job's commit goes back to the preview so the coordinator can fix it.
                await transaction.RollbackAsync(cancellationToken);
                if (import.Status == "committing")
                {
                    await connection.ExecuteAsync(new CommandDefinition(
                        "UPDATE outreach.venue_imports SET status = 'checked' WHERE id = @importId AND status = 'committing'",
                        new { importId }, cancellationToken: cancellationToken));
                    await progress.FailedAsync(result.Errors[0].Message);
                }
                return result;
            }
            var counts = result.Value!;
            await connection.ExecuteAsync(new CommandDefinition("""
                UPDATE outreach.venue_imports
                   SET status = 'committed', committed_at = @now, content = NULL,
                       commit_by = @UserId, commit_by_name = @Name, commit_by_ip = @RemoteIp,
                       venues_added = @Added, venues_updated = @Updated, venues_closed = @Closed,
                       venues_unchanged = @Unchanged, rows_skipped = @Skipped, areas_added = @AreasAdded
                 WHERE id = @importId
                """, new
            {
                importId, now = clock.GetUtcNow(), who.UserId, who.Name, who.RemoteIp,
                counts.Added, counts.Updated, counts.Closed, counts.Unchanged, counts.Skipped, counts.AreasAdded,
            }, transaction, cancellationToken: cancellationToken));
            await AuditLog.WriteAsync(connection, transaction, who, "commit", "venue_import", importId, null, counts, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        catch
        {
            await transaction.RollbackAsync(CancellationToken.None);
            if (import.Status == "committing")
            {
                await progress.FailedAsync("Writing the venues stopped with an error and nothing was saved. It will be tried again; if it keeps failing, discard this import and upload the file again.");
            }
            throw;
        }
        await progress.SetAsync("done", 1, 1, CancellationToken.None);
        return result;
    }

    private sealed record CommitState(
        string Source, string Status, long? AreaId, long? CommitBy, string? CommitByName, string? CommitByIp,
        int? VenuesAdded, int? VenuesUpdated, int? VenuesClosed, int? VenuesUnchanged, int? RowsSkipped, int? AreasAdded);

    private sealed record BatchCounts(long Rows, long Skipped, long Added, long Updated, long Closed);

    private async Task<Outcome<CommitResult>> CommitSchoolsAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, long importId, Actor who, Progress progress,
        CancellationToken cancellationToken)
    {
        var laCodes = new List<string>();
        var areaIds = new List<long>();
        var areasAdded = 0;
        foreach (var authority in await AuthoritiesInFileAsync(connection, transaction, importId, cancellationToken))
        {
            var (areaId, created) = await EnsureAreaAsync(connection, transaction, authority, who, cancellationToken);
            laCodes.Add(authority.LaCode);
            areaIds.Add(areaId);
            areasAdded += created ? 1 : 0;
        }

        var totals = await WriteInBatchesAsync(connection, transaction, importId, $$"""
            WITH src AS (
                SELECT r.ref, r.name, r.address, r.postcode, r.phone, r.website, r.establishment_type, r.phase, r.status,
                       r.pupils, r.percentage_fsm, r.lsoa_code, r.opened_on, r.closed_on, la.area_id
                  FROM outreach.venue_import_rows r
                  JOIN unnest(@LaCodes, @AreaIds) AS la (la_code, area_id) ON la.la_code = r.la_code
                 WHERE r.import_id = @ImportId AND NOT r.rejected AND r.line BETWEEN @FromLine AND @ToLine
            ),
            old AS (
                SELECT v.id, v.urn, v.status, to_jsonb(v) AS row
                  FROM outreach.venues v JOIN src ON src.ref = v.urn
            ),
            written AS (
                INSERT INTO outreach.venues AS v
                       (kind, name, area_id, address, postcode, urn, pupils, status, phone, website, establishment_type,
                        phase, percentage_fsm, lsoa_code, opened_on, closed_on, source, imported_at, created_at, updated_at)
                SELECT 'school', s.name, s.area_id, coalesce(s.address, ''), coalesce(s.postcode, ''), s.ref, s.pupils,
                       s.status, coalesce(s.phone, ''), coalesce(s.website, ''), s.establishment_type, s.phase,
                       s.percentage_fsm, s.lsoa_code, s.opened_on, s.closed_on, 'gias', @Now, @Now, @Now
                  FROM src s
                 -- A school that closed before we ever knew it stays out of the list.
                 WHERE s.status = 'open' OR EXISTS (SELECT 1 FROM old o WHERE o.urn = s.ref)
                ON CONFLICT (urn) DO UPDATE SET
                       kind = 'school', name = EXCLUDED.name, area_id = EXCLUDED.area_id,
                       address = coalesce(nullif(EXCLUDED.address, ''), v.address),
                       postcode = coalesce(nullif(EXCLUDED.postcode, ''), v.postcode),
                       pupils = EXCLUDED.pupils, status = EXCLUDED.status,
                       phone = coalesce(nullif(EXCLUDED.phone, ''), v.phone),
                       website = coalesce(nullif(EXCLUDED.website, ''), v.website),
                       establishment_type = EXCLUDED.establishment_type, phase = EXCLUDED.phase,
                       percentage_fsm = EXCLUDED.percentage_fsm, lsoa_code = EXCLUDED.lsoa_code,
                       opened_on = EXCLUDED.opened_on, closed_on = EXCLUDED.closed_on,
                       source = 'gias', imported_at = EXCLUDED.imported_at, updated_at = EXCLUDED.updated_at
                 WHERE (v.kind, v.name, v.area_id, v.address, v.postcode, v.pupils, v.status, v.phone, v.website,
                        v.establishment_type, v.phase, v.percentage_fsm, v.lsoa_code, v.opened_on, v.closed_on)
                       IS DISTINCT FROM
                       ('school', EXCLUDED.name, EXCLUDED.area_id, coalesce(nullif(EXCLUDED.address, ''), v.address),
                        coalesce(nullif(EXCLUDED.postcode, ''), v.postcode), EXCLUDED.pupils, EXCLUDED.status,
                        coalesce(nullif(EXCLUDED.phone, ''), v.phone), coalesce(nullif(EXCLUDED.website, ''), v.website),
                        EXCLUDED.establishment_type, EXCLUDED.phase, EXCLUDED.percentage_fsm, EXCLUDED.lsoa_code,
                        EXCLUDED.opened_on, EXCLUDED.closed_on)
                RETURNING v.id, v.urn AS ref, v.status, to_jsonb(v) AS row
            ),
            {{AuditedTotals("urn")}}
            """, new { LaCodes = laCodes.ToArray(), AreaIds = areaIds.ToArray() }, "NOT r.rejected", who, progress,
            cancellationToken);
        return Outcome<CommitResult>.Ok(totals with { AreasAdded = areasAdded });
    }

    /// <summary>
    /// The end both commits share: one audit event per venue written (created, updated or closed) and the
    /// totals. <paramref name="key"/> is the venue column the file's reference matches (urn or ods_code).
    /// </summary>
    private static string AuditedTotals(string key) => $"""
        audited AS (
            INSERT INTO outreach.audit_events (actor_id, actor_name, remote_ip, action, entity, entity_id, before, after)
            SELECT @ActorId::bigint, @ActorName, @RemoteIp,
                   CASE WHEN o.id IS NULL THEN 'import-create'
                        WHEN w.status = 'closed' AND o.status <> 'closed' THEN 'import-close'
                        ELSE 'import-update' END,
                   'venue', w.id::text, o.row, w.row
              FROM written w LEFT JOIN old o ON o.{key} = w.ref
            RETURNING action
        )
        SELECT (SELECT count(*) FROM src) AS rows,
               (SELECT count(*) FROM src s WHERE s.status = 'closed'
                   AND NOT EXISTS (SELECT 1 FROM old o WHERE o.{key} = s.ref)) AS skipped,
               count(*) FILTER (WHERE action = 'import-create') AS added,
               count(*) FILTER (WHERE action = 'import-update') AS updated,
               count(*) FILTER (WHERE action = 'import-close') AS closed
          FROM audited
        """;

    private async Task<Outcome<CommitResult>> CommitSitesAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, long importId, long? defaultAreaId, Actor who,
        Progress progress, CancellationToken cancellationToken)
    {
        var withoutArea = (await connection.QueryAsync<string>(new CommandDefinition("""
            SELECT name FROM outreach.venue_import_rows
            WHERE import_id = @importId AND NOT rejected AND is_emergency_department AND area_id IS NULL
              AND @defaultAreaId::bigint IS NULL
            ORDER BY name LIMIT 6
            """, new { importId, defaultAreaId }, transaction, cancellationToken: cancellationToken))).AsList();
        if (withoutArea.Count > 0)
        {
            return Outcome<CommitResult>.Fail("", $"Choose an area for {string.Join(", ", withoutArea.Take(5))}{(withoutArea.Count > 5 ? " and others" : "")}, or an area for the whole import.");
        }
        var notMarked = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT count(*) FROM outreach.venue_import_rows WHERE import_id = @importId AND NOT rejected AND NOT is_emergency_department",
            new { importId }, transaction, cancellationToken: cancellationToken));

        var totals = await WriteInBatchesAsync(connection, transaction, importId, $$"""
            WITH src AS (
                SELECT r.ref, r.name, r.address, r.postcode, r.phone, r.status, r.opened_on, r.closed_on,
                       coalesce(r.area_id, @DefaultAreaId::bigint) AS area_id
                  FROM outreach.venue_import_rows r
                 WHERE r.import_id = @ImportId AND NOT r.rejected AND r.is_emergency_department
                   AND r.line BETWEEN @FromLine AND @ToLine
            ),
            old AS (
                SELECT v.id, v.ods_code, v.status, to_jsonb(v) AS row
                  FROM outreach.venues v JOIN src ON src.ref = v.ods_code
            ),
            written AS (
                INSERT INTO outreach.venues AS v
                       (kind, name, area_id, address, postcode, ods_code, status, phone, opened_on, closed_on,
                        source, imported_at, created_at, updated_at)
                SELECT 'emergency_department', s.name, s.area_id, coalesce(s.address, ''), coalesce(s.postcode, ''),
                       s.ref, s.status, coalesce(s.phone, ''), s.opened_on, s.closed_on, 'ods', @Now, @Now, @Now
                  FROM src s
                 WHERE s.status = 'open' OR EXISTS (SELECT 1 FROM old o WHERE o.ods_code = s.ref)
                ON CONFLICT (ods_code) DO UPDATE SET
                       kind = 'emergency_department', name = EXCLUDED.name, area_id = EXCLUDED.area_id,
                       address = coalesce(nullif(EXCLUDED.address, ''), v.address),
                       postcode = coalesce(nullif(EXCLUDED.postcode, ''), v.postcode),
                       status = EXCLUDED.status, phone = coalesce(nullif(EXCLUDED.phone, ''), v.phone),
                       opened_on = EXCLUDED.opened_on, closed_on = EXCLUDED.closed_on,
                       source = 'ods', imported_at = EXCLUDED.imported_at, updated_at = EXCLUDED.updated_at
                 WHERE (v.kind, v.name, v.area_id, v.address, v.postcode, v.status, v.phone, v.opened_on, v.closed_on)
                       IS DISTINCT FROM
                       ('emergency_department', EXCLUDED.name, EXCLUDED.area_id,
                        coalesce(nullif(EXCLUDED.address, ''), v.address), coalesce(nullif(EXCLUDED.postcode, ''), v.postcode),
                        EXCLUDED.status, coalesce(nullif(EXCLUDED.phone, ''), v.phone), EXCLUDED.opened_on, EXCLUDED.closed_on)
                RETURNING v.id, v.ods_code AS ref, v.status, to_jsonb(v) AS row
            ),
            {{AuditedTotals("ods_code")}}
            """, new { DefaultAreaId = defaultAreaId }, "NOT r.rejected AND r.is_emergency_department", who, progress,
            cancellationToken);
        return Outcome<CommitResult>.Ok(totals with { Skipped = totals.Skipped + (int)notMarked });
    }

    /// <summary>Runs the upsert over the rows in batches of lines, reporting progress between batches.</summary>
    private async Task<CommitResult> WriteInBatchesAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, long importId, string sql, object extra,
        string rowFilter, Actor who, Progress progress, CancellationToken cancellationToken)
    {
        var lines = (await connection.QueryAsync<int>(new CommandDefinition(
            $"SELECT r.line FROM outreach.venue_import_rows r WHERE r.import_id = @importId AND {rowFilter} ORDER BY r.line",
            new { importId }, transaction, cancellationToken: cancellationToken))).AsList();
        await progress.SetAsync("writing", 0, lines.Count, cancellationToken);

        var now = clock.GetUtcNow();
        long added = 0, updated = 0, closed = 0, unchanged = 0, skipped = 0;
        for (var start = 0; start < lines.Count; start += CommitBatch)
        {
            var end = Math.Min(start + CommitBatch, lines.Count) - 1;
            var parameters = new DynamicParameters(extra);
            parameters.AddDynamicParams(new
            {
                ImportId = importId, Now = now, ActorId = who.UserId, ActorName = who.Name, who.RemoteIp,
                FromLine = lines[start], ToLine = lines[end],
            });
            var batch = await connection.QuerySingleAsync<BatchCounts>(new CommandDefinition(
                sql, parameters, transaction, cancellationToken: cancellationToken));
            added += batch.Added;
            updated += batch.Updated;
            closed += batch.Closed;
            skipped += batch.Skipped;
            unchanged += batch.Rows - batch.Skipped - batch.Added - batch.Updated - batch.Closed;
            await progress.SetAsync("writing", end + 1, lines.Count, cancellationToken);
        }
        return new CommitResult((int)added, (int)updated, (int)closed, (int)unchanged, (int)skipped, 0);
    }

    private static async Task<IReadOnlyList<ImportAuthority>> AuthoritiesInFileAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, long importId, CancellationToken cancellationToken)
    {
        var rows = await connection.QueryAsync<ImportAuthority>(new CommandDefinition("""
            SELECT la_code, mode() WITHIN GROUP (ORDER BY la_name) AS la_name,
                   mode() WITHIN GROUP (ORDER BY la_ons_code) AS ons_code,
                   mode() WITHIN GROUP (ORDER BY region) AS region,
                   count(*) AS rows, NULL::bigint AS area_id, NULL::text AS area_name
            FROM outreach.venue_import_rows
            WHERE import_id = @importId AND NOT rejected
            GROUP BY la_code
            ORDER BY la_code
            """, new { importId }, transaction, cancellationToken: cancellationToken));
        return rows.AsList();
    }

    private sealed record AreaMatch(long Id, string Name, string? DfeCode);

    // By the DfE number first, then (for an area that has none yet) by its ONS code or its name.
    private static Task<AreaMatch?> FindAreaAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, ImportAuthority authority, CancellationToken cancellationToken) =>
        connection.QueryFirstOrDefaultAsync<AreaMatch?>(new CommandDefinition("""
            SELECT id, name, dfe_code FROM outreach.areas
            WHERE dfe_code = @LaCode
               OR (dfe_code IS NULL AND (code = @OnsCode OR lower(name) = lower(@LaName)))
            ORDER BY dfe_code IS NOT DISTINCT FROM @LaCode DESC, code IS NOT DISTINCT FROM @OnsCode DESC, id
            LIMIT 1
            """, authority, transaction, cancellationToken: cancellationToken));

    private static async Task<(long Id, bool Created)> EnsureAreaAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, ImportAuthority authority, Actor who,
        CancellationToken cancellationToken)
    {
        var match = await FindAreaAsync(connection, transaction, authority, cancellationToken);
        if (match is not null)
        {
            if (match.DfeCode is null)
            {
                await connection.ExecuteAsync(new CommandDefinition(
                    "UPDATE outreach.areas SET dfe_code = @LaCode WHERE id = @Id",
                    new { authority.LaCode, match.Id }, transaction, cancellationToken: cancellationToken));
                await AuditLog.WriteAsync(connection, transaction, who, "import-update", "area", match.Id,
                    new { dfe_code = (string?)null }, new { dfe_code = authority.LaCode }, cancellationToken);
            }
            return (match.Id, false);
        }

        var codeTaken = authority.OnsCode is null || await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM outreach.areas WHERE code = @OnsCode)", authority, transaction,
            cancellationToken: cancellationToken));
        var area = new
        {
            code = codeTaken ? $"DfE {authority.LaCode}" : authority.OnsCode,
            name = authority.LaName,
            region = authority.Region ?? "",
            dfe_code = authority.LaCode,
        };
        var id = await connection.ExecuteScalarAsync<long?>(new CommandDefinition("""
            INSERT INTO outreach.areas (code, name, region, dfe_code) VALUES (@code, @name, @region, @dfe_code)
            ON CONFLICT DO NOTHING
            RETURNING id
            """, area, transaction, cancellationToken: cancellationToken));
        if (id is null)
        {
            // Made by another import a moment ago.
            var again = await FindAreaAsync(connection, transaction, authority, cancellationToken)
                ?? throw new InvalidOperationException($"Area for local authority {authority.LaCode} could be neither found nor made.");
            return (again.Id, false);
        }
        await AuditLog.WriteAsync(connection, transaction, who, "import-create", "area", id, null, area, cancellationToken);
        return (id.Value, true);
    }

    /// <summary>Drops an import that has not been committed, with its staged rows and upload.</summary>
    public async Task<bool> DiscardAsync(long importId, Actor actor, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var discarded = await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE outreach.venue_imports SET status = 'discarded', content = NULL
            WHERE id = @importId AND status IN ('uploaded', 'checking', 'checked', 'committing')
            """, new { importId }, transaction, cancellationToken: cancellationToken));
        if (discarded == 0)
        {
            return false;
        }
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM outreach.venue_import_rows WHERE import_id = @importId", new { importId }, transaction,
            cancellationToken: cancellationToken));
        await AuditLog.WriteAsync(connection, transaction, actor, "discard", "venue_import", importId, null, null, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>
    /// The rejected rows as a CSV file: each row as it was read (under the file's own header for GIAS), then
    /// its line number, the columns at fault and the reasons, so the coordinator can fix and upload them.
    /// </summary>
    public async Task WriteRejectsAsync(long importId, Stream output, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var header = await connection.ExecuteScalarAsync<string[]?>(new CommandDefinition(
            "SELECT header FROM outreach.venue_imports WHERE id = @importId", new { importId },
            cancellationToken: cancellationToken));
        var rows = await connection.QueryAsync<(int Line, string[]? Fields, string Columns, string Reasons)>(new CommandDefinition("""
            SELECT r.line, r.fields,
                   string_agg(p.column_name, '; ' ORDER BY p.column_name) AS columns,
                   string_agg(p.reason, ' ' ORDER BY p.column_name) AS reasons
            FROM outreach.venue_import_rows r
            JOIN outreach.venue_import_problems p ON p.import_id = r.import_id AND p.line = r.line
            WHERE r.import_id = @importId AND r.rejected
            GROUP BY r.line, r.fields
            ORDER BY r.line
            """, new { importId }, cancellationToken: cancellationToken));

        // The values come from an uploaded file: one a spreadsheet would run as a formula is escaped, as in every
        // other CSV download. Reading the fixed file back takes the escape off again (CsvRows.Get).
        await using var writer = CsvWriter.Create(output,
            CsvWriterOptions.Default with { ValidateFieldCount = false, Injection = CsvInjection.Escape }, leaveOpen: true);
        var width = header?.Length ?? rows.Select(r => r.Fields?.Length ?? 0).DefaultIfEmpty(0).Max();
        if (header is not null)
        {
            await writer.WriteRecordAsync([.. header, "Import line", "Import problem columns", "Import problem reasons"], cancellationToken);
        }
        foreach (var row in rows)
        {
            var fields = new string[width + 3];
            Array.Fill(fields, "");
            (row.Fields ?? []).Take(width).ToArray().CopyTo(fields, 0);
            fields[width] = row.Line.ToString(System.Globalization.CultureInfo.InvariantCulture);
            fields[width + 1] = row.Columns;
            fields[width + 2] = row.Reasons;
            await writer.WriteRecordAsync(fields, cancellationToken);
        }
        await writer.FlushAsync(cancellationToken);
    }

    /// <summary>Reports progress from its own connection, outside the import's transaction, so the page can read it.</summary>
    private sealed class Progress(NpgsqlDataSource dataSource, long importId)
    {
        public async Task SetAsync(string phase, long done, long total, CancellationToken cancellationToken)
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            await connection.ExecuteAsync(new CommandDefinition("""
                UPDATE outreach.venue_import_progress
                   SET phase = @phase, done = @done, total = @total, error = NULL, updated_at = now()
                 WHERE import_id = @importId
                """, new { importId, phase, done = Math.Min(done, total), total }, cancellationToken: cancellationToken));
        }

        public async Task FailedAsync(string message)
        {
            await using var connection = await dataSource.OpenConnectionAsync(CancellationToken.None);
            await connection.ExecuteAsync(
                "UPDATE outreach.venue_import_progress SET error = @message, updated_at = now() WHERE import_id = @importId",
                new { importId, message });
        }
    }
}
