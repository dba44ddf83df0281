using System.Globalization;
using System.Net;
using Outreach.Data;
using Outreach.Data.Identity;
using Outreach.Tests.Infrastructure;

namespace Outreach.Tests.Web;

/// <summary>Engagements and concerns whose identifying parts the retention job removed, as the site shows them.</summary>
[Collection("App")]
public sealed class RetentionPageTests(OutreachApp app)
{
    private static readonly DateTime RemovedAt = new(2026, 3, 14, 3, 15, 0, DateTimeKind.Utc);

    private static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);

    private async Task<(long Removed, long Kept, string KeptReference, string WorkerEmail)> EngagementsOnAnOldShiftAsync()
    {
        var email = $"retention-{Guid.NewGuid():N}@tests.outreach.test";
        var user = await app.CreateUserAsync(email, Roles.YouthWorker);
        var worker = await TestData.WorkerAsync(app.DataSource, user.Id);
        var shift = await RecordingData.AeShiftAsync(app.DataSource, DateTime.UtcNow.AddYears(-3), TimeSpan.FromHours(8));
        await TestData.AssignAsync(app.DataSource, shift, worker);
        var removed = await RecordingData.ScalarAsync<long>(app.DataSource, """
            INSERT INTO outreach.ae_engagements (reference, session_id, worker_id, age_band, presenting_reason, consent, referral_source,
                referred_at, details_removed_at, counted_as_young_person)
            VALUES (NULL, @shift, @worker, '16_17', 'knife', true, 'ed_staff', now() - interval '3 years', @RemovedAt, true) RETURNING id
            """, new { shift, worker, RemovedAt });
        // Left open, its last follow-up never recorded: the case ended when that was long overdue.
        await RecordingData.ExecuteAsync(app.DataSource, """
            INSERT INTO outreach.ae_follow_ups (engagement_id, stage, due_on, outcome, recorded_at) VALUES
                (@removed, '4_weeks', current_date - 1000, 'engaged', now() - interval '1000 days'),
                (@removed, '6_months', current_date - 900, NULL, NULL)
            """, new { removed });
        var keptReference = "AE-" + Guid.NewGuid().ToString("N")[..6].ToUpperInvariant();
        var kept = await RecordingData.ScalarAsync<long>(app.DataSource, """
            INSERT INTO outreach.ae_engagements (reference, session_id, worker_id, age_band, presenting_reason, consent, referral_source, referred_at)
            VALUES (@keptReference, @shift, @worker, '14_15', 'knife', true, 'ed_staff', now() - interval '3 years') RETURNING id
            """, new { keptReference, shift, worker });
        return (removed, kept, keptReference, email);
    }

    [Fact]
    public async Task An_engagement_whose_reference_was_removed_says_so_and_when_in_the_list_and_on_its_page()
    {
        var (removed, kept, keptReference, email) = await EngagementsOnAnOldShiftAsync();
        using var worker = await app.SignedInAsEmailAsync(email);
        using var coordinator = await app.SignedInAsync(Roles.Coordinator);

        var list = await worker.GetPageAsync("/Engagements?all=true");
        Assert.Contains($"/Engagements/Details/{removed}", list, StringComparison.Ordinal);
        Assert.Contains("Reference removed 14 Mar 2026 under the retention rule", list, StringComparison.Ordinal);
        Assert.Contains(keptReference, list, StringComparison.Ordinal);

        var page = await coordinator.GetPageAsync($"/Engagements/Details/{removed}");
        Assert.Contains("Engagement <span class=\"text-muted\">(reference removed)</span>", page, StringComparison.Ordinal);
        Assert.Contains("reference was removed on 14 Mar 2026 under the retention rule", page, StringComparison.Ordinal);
        Assert.Contains("16 to 17", page, StringComparison.Ordinal);
        Assert.DoesNotContain("Close the case", page, StringComparison.Ordinal);
        Assert.DoesNotContain("handler=FollowUp", page, StringComparison.Ordinal);
        Assert.Contains("Close the case", await coordinator.GetPageAsync($"/Engagements/Details/{kept}"), StringComparison.Ordinal);

        // Nobody is chased for a follow-up of a case that is gone.
        Assert.DoesNotContain($"/Engagements/Details/{removed}", await worker.GetPageAsync("/Engagements/FollowUps"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_change_posted_to_an_engagement_after_its_reference_was_removed_is_refused_with_a_message()
    {
        var (removed, _, _, _) = await EngagementsOnAnOldShiftAsync();
        using var coordinator = await app.SignedInAsync(Roles.Coordinator);
        var path = $"/Engagements/Details/{removed}";

        using var followUp = await coordinator.PostFormAsync(path, new() { ["Stage"] = "6_months", ["Outcome"] = "engaged" }, path + "?handler=FollowUp");
        using var close = await coordinator.PostFormAsync(path, new() { ["CloseReason"] = "support_completed" }, path + "?handler=Close");

        foreach (var response in new[] { followUp, close })
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("removed under the retention rule: it can no longer be changed", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        Assert.Equal(0, await TestData.CountAsync(app.DataSource,
            "SELECT count(*) FROM outreach.ae_follow_ups WHERE engagement_id = @removed AND stage = '6_months' AND outcome IS NOT NULL", new { removed }));
        Assert.Equal("open", await RecordingData.ScalarAsync<string>(app.DataSource, "SELECT status FROM outreach.ae_engagements WHERE id = @removed", new { removed }));
    }

    [Fact]
    public async Task A_concern_whose_details_were_removed_says_so_and_when_and_keeps_who_handled_it()
    {
        var session = await TestData.SessionAsync(app.DataSource, DateTime.UtcNow.AddYears(-2), TimeSpan.FromHours(1));
        var lead = TestData.Unique("Ms Lead");
        var concern = await RecordingData.ScalarAsync<long>(app.DataSource, """
            INSERT INTO outreach.safeguarding_concerns (session_id, raised_at, details, status, handed_over_to, handed_over_at,
                acknowledged_at, details_removed_at)
            VALUES (@session, now() - interval '2 years', NULL, 'acknowledged', @lead, now() - interval '23 months',
                now() - interval '22 months', @RemovedAt)
            RETURNING id
            """, new { session, lead, RemovedAt });
        using var coordinator = await app.SignedInAsync(Roles.Coordinator);

        var page = await coordinator.GetPageAsync($"/Safeguarding/Details/{concern}");
        Assert.Contains("Details removed on 14 Mar 2026 under the retention rule", page, StringComparison.Ordinal);
        Assert.Contains(lead, page, StringComparison.Ordinal);
        Assert.Contains("Acknowledged by the venue", page, StringComparison.Ordinal);

        var list = await coordinator.GetPageAsync("/Safeguarding?all=true");
        var link = list.IndexOf($"/Safeguarding/Details/{Id(concern)}\"", StringComparison.Ordinal);
        Assert.True(link > 0, "the concern is not in the list");
        var row = list[list.LastIndexOf("<tr>", link, StringComparison.Ordinal)..link];
        Assert.Contains("Details removed 14 Mar 2026 under the retention rule", row, StringComparison.Ordinal);
    }
}
