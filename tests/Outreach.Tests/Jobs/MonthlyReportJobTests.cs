using Dapper;
using Outreach.Jobs.Reports;
using Outreach.Tests.Infrastructure;

namespace Outreach.Tests.Jobs;

[Collection("Database")]
public sealed class MonthlyReportJobTests(DatabaseFixture db)
{
    [Fact]
    public async Task The_monthly_report_is_issued_once_for_the_previous_month_with_its_tables_and_no_pseudonymous_reference()
    {
        // 07:00 UK time on 1 February 2030: the report is January's.
        await using var harness = await JobHarness.StartAsync(db.ConnectionString, new DateTimeOffset(2030, 2, 1, 7, 0, 0, TimeSpan.Zero));
        var area = await TestData.AreaAsync(db.DataSource);
        var school = await TestData.VenueAsync(db.DataSource, "school", area);
        var hospital = await TestData.VenueAsync(db.DataSource, "emergency_department", area);
        var assembly = await TestData.SessionAsync(db.DataSource, new DateTime(2030, 1, 15, 9, 0, 0, DateTimeKind.Utc), TimeSpan.FromHours(1), school, "delivered");
        var shift = await TestData.SessionAsync(db.DataSource, new DateTime(2030, 1, 18, 18, 0, 0, DateTimeKind.Utc), TimeSpan.FromHours(6), hospital, "delivered");
        var reference = "AE-" + Guid.NewGuid().ToString("N")[..6].ToUpperInvariant();
        await using (var c = await db.DataSource.OpenConnectionAsync())
        {
            await c.ExecuteAsync("""
                INSERT INTO outreach.session_records (session_id, delivered, count_14_15) VALUES (@assembly, true, 140), (@shift, true, 0);
                INSERT INTO outreach.session_record_referrals (session_id, service, count) VALUES (@assembly, 'camhs', 2);
                INSERT INTO outreach.ae_engagements (reference, session_id, age_band, presenting_reason, consent, referral_source, referred_at)
                VALUES (@reference, @shift, '14_15', 'knife', true, 'ed_staff', '2030-01-18T19:00:00Z');
                """, new { assembly, shift, reference });
        }
        var job = harness.Get<MonthlyReportJob>();

        await job.RunAsync(null, CancellationToken.None);
        await job.RunAsync(null, CancellationToken.None);
        await job.RunAsync(new DateTime(2030, 1, 20), CancellationToken.None);

        await using var connection = await db.DataSource.OpenConnectionAsync();
        var reports = (await connection.QueryAsync<(long Id, string Title, string Html, byte[]? Pdf)>(
            "SELECT id, title, html, pdf FROM outreach.monthly_reports WHERE month = '2030-01-01'")).ToList();
        var report = Assert.Single(reports);
        Assert.Equal("Outreach impact report, January 2030", report.Title);
        Assert.StartsWith("<!DOCTYPE html>", report.Html, StringComparison.Ordinal);
        Assert.Contains("<h1>Outreach impact report, January 2030</h1>", report.Html, StringComparison.Ordinal);
        Assert.Contains("Referrals by service", report.Html, StringComparison.Ordinal);
        Assert.DoesNotContain(reference, report.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("AE-", report.Html, StringComparison.Ordinal);
        if (File.Exists(MonthlyReportRenderer.ChromiumPath))
        {
            Assert.NotNull(report.Pdf);
            Assert.Equal("%PDF"u8.ToArray(), report.Pdf![..4]);
        }

        var files = (await connection.QueryAsync<(string Name, string Content)>(
            "SELECT name, content FROM outreach.monthly_report_files WHERE report_id = @Id ORDER BY name", new { report.Id })).ToList();
        Assert.Equal(["areas.csv", "follow-ups.csv", "monthly.csv", "referrals.csv", "summary.csv"], files.Select(f => f.Name));
        Assert.All(files, f => Assert.DoesNotContain("AE-", f.Content, StringComparison.Ordinal));
        Assert.StartsWith("Month,Sessions planned,Sessions delivered", files.Single(f => f.Name == "monthly.csv").Content, StringComparison.Ordinal);
        // Suppressed in the files as on the page: 2 CAMHS referrals.
        Assert.Contains("CAMHS,<5", files.Single(f => f.Name == "referrals.csv").Content, StringComparison.Ordinal);
    }
}
