using System.Net;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Outreach.Data.Identity;
using Outreach.Jobs.Reports;
using Outreach.Tests.Infrastructure;

namespace Outreach.Tests.Web;

[Collection("App")]
public sealed class ReportsPageTests(OutreachApp app)
{
    [Fact]
    public async Task The_commissioner_reads_reports_and_the_archive_but_no_record_or_engagement()
    {
        var area = await TestData.AreaAsync(app.DataSource);
        var hospital = await TestData.VenueAsync(app.DataSource, "emergency_department", area);
        var shift = await TestData.SessionAsync(app.DataSource, new DateTime(2031, 5, 9, 18, 0, 0, DateTimeKind.Utc), TimeSpan.FromHours(6), hospital, "delivered");
        var reference = "AE-" + Guid.NewGuid().ToString("N")[..6].ToUpperInvariant();
        long engagement;
        await using (var c = await app.DataSource.OpenConnectionAsync())
        {
            await c.ExecuteAsync("INSERT INTO outreach.session_records (session_id, delivered, notes) VALUES (@shift, true, 'Busy night')", new { shift });
            engagement = await c.ExecuteScalarAsync<long>("""
                INSERT INTO outreach.ae_engagements (reference, session_id, age_band, presenting_reason, consent, referral_source, referred_at)
                VALUES (@reference, @shift, '16_17', 'knife', true, 'ed_staff', '2031-05-09T19:00:00Z') RETURNING id
                """, new { reference, shift });
        }
        await app.Services.GetRequiredService<MonthlyReportJob>().RunAsync(new DateTime(2031, 5, 1), CancellationToken.None);
        var reportId = await TestData.CountAsync(app.DataSource, "SELECT id FROM outreach.monthly_reports WHERE month = '2031-05-01'");

        using var commissioner = await app.SignedInAsync(Roles.Commissioner);
        var reports = await commissioner.GetPageAsync($"/Reports?from=2031-05&to=2031-05&area={area}");
        var archive = await commissioner.GetPageAsync("/Reports/Archive");
        Assert.Contains("May 2031", archive, StringComparison.Ordinal);
        var document = await commissioner.GetPageAsync($"/Reports/Archive?handler=View&id={reportId}");
        Assert.Contains("Outreach impact report, May 2031", document, StringComparison.Ordinal);
        var csv = await commissioner.GetPageAsync($"/Reports/Archive?handler=Csv&id={reportId}&name=follow-ups.csv");
        Assert.StartsWith("Stage,Due,Completed,Completion", csv, StringComparison.Ordinal);
        foreach (var text in new[] { reports, archive, document, csv })
        {
            Assert.DoesNotContain(reference, text, StringComparison.Ordinal);
            Assert.DoesNotContain("Busy night", text, StringComparison.Ordinal);
        }
        Assert.Equal(HttpStatusCode.NotFound, (await commissioner.GetAsync($"/Reports/Archive?handler=Csv&id={reportId}&name=../secrets.csv")).StatusCode);

        // Records and engagements themselves are out of the commissioner's reach.
        using var records = await commissioner.GetAsync($"/Records/Details/{shift}");
        Assert.NotEqual(HttpStatusCode.OK, records.StatusCode);
        using var engagementPage = await commissioner.GetAsync($"/Records/Engagements/{engagement}");
        Assert.NotEqual(HttpStatusCode.OK, engagementPage.StatusCode);
    }

    [Fact]
    public async Task A_bad_period_gives_a_message_not_an_error()
    {
        using var commissioner = await app.SignedInAsync(Roles.Commissioner);
        var page = await commissioner.GetPageAsync("/Reports?from=2026-13&to=2026-01&area=nowhere");
        Assert.Contains("Give months as year and month", page, StringComparison.Ordinal);
    }
}
