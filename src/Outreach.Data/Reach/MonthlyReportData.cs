using Dapper;
using Npgsql;

namespace Outreach.Data.Reach;

public sealed record IssuedReport(long Id, DateTime Month, string Title, DateTime IssuedAt, bool HasPdf, string FileList)
{
    public IReadOnlyList<string> Files => FileList.Length == 0 ? [] : FileList.Split(',');
}

public sealed record ReportFile(string Name, string Content);

/// <summary>The archive of issued monthly reports: one per month, never replaced.</summary>
public sealed class MonthlyReportData(NpgsqlDataSource dataSource)
{
    public async Task<bool> ExistsAsync(DateTime month, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM outreach.monthly_reports WHERE month = @month::date)", new { month },
            cancellationToken: cancellationToken));
    }

    /// <summary>Stores the report and its files in one transaction; false when the month was already issued.</summary>
    public async Task<bool> IssueAsync(
        DateTime month, string title, string html, byte[]? pdf, IEnumerable<ReportFile> files, DateTime issuedAt,
        CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var id = await connection.ExecuteScalarAsync<long?>(new CommandDefinition("""
            INSERT INTO outreach.monthly_reports (month, title, html, pdf, issued_at)
            VALUES (@month::date, @title, @html, @pdf, @issuedAt)
            ON CONFLICT (month) DO NOTHING RETURNING id
            """, new { month, title, html, pdf, issuedAt }, transaction, cancellationToken: cancellationToken));
        if (id is null)
        {
            return false;
        }
        foreach (var file in files)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO outreach.monthly_report_files (report_id, name, content) VALUES (@id, @Name, @Content)",
                new { id, file.Name, file.Content }, transaction, cancellationToken: cancellationToken));
        }
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    public async Task<IReadOnlyList<IssuedReport>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<IssuedReport>(new CommandDefinition("""
            SELECT r.id, r.month::timestamp AS month, r.title, r.issued_at, r.pdf IS NOT NULL AS has_pdf,
                   coalesce((SELECT string_agg(f.name, ',' ORDER BY f.name) FROM outreach.monthly_report_files f WHERE f.report_id = r.id), '') AS file_list
            FROM outreach.monthly_reports r ORDER BY r.month DESC
            """, cancellationToken: cancellationToken))).AsList();
    }

    public async Task<string?> HtmlAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT html FROM outreach.monthly_reports WHERE id = @id", new { id }, cancellationToken: cancellationToken));
    }

    public async Task<byte[]?> PdfAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<byte[]?>(new CommandDefinition(
            "SELECT pdf FROM outreach.monthly_reports WHERE id = @id", new { id }, cancellationToken: cancellationToken));
    }

    public async Task<ReportFile?> FileAsync(long id, string name, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<ReportFile>(new CommandDefinition(
            "SELECT name, content FROM outreach.monthly_report_files WHERE report_id = @id AND name = @name",
            new { id, name }, cancellationToken: cancellationToken));
    }
}
