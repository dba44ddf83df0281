using System.Net;
using System.Text.RegularExpressions;
using Dapper;
using Outreach.Data.Identity;
using Outreach.Tests.Infrastructure;

namespace Outreach.Tests.Web;

[Collection("App")]
public sealed partial class ComposePageTests(OutreachApp app)
{
    [Fact]
    public async Task The_preview_shows_the_GSM_7_text_and_its_segments_and_sending_twice_sends_once()
    {
        var first = await TestData.WorkerAsync(app.DataSource);
        var second = await TestData.WorkerAsync(app.DataSource);
        var optedOut = await TestData.WorkerAsync(app.DataSource);
        await using (var c = await app.DataSource.OpenConnectionAsync())
        {
            await c.ExecuteAsync("UPDATE outreach.youth_workers SET sms_opted_out = true WHERE id = @optedOut", new { optedOut });
        }
        using var coordinator = await app.SignedInAsync(Roles.Coordinator);
        var body = "Team meeting moved to Tuesday \u2013 don\u2019t forget your ID\u2026 " + Guid.NewGuid().ToString("N")[..8];
        var fields = new Dictionary<string, string>
        {
            ["Input.WorkerIds[0]"] = first.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Input.WorkerIds[1]"] = second.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Input.WorkerIds[2]"] = optedOut.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Input.Body"] = body,
        };

        var preview = await coordinator.PostFormAsync("/Messages/Compose", new(fields), "/Messages/Compose?handler=Preview");
        Assert.Equal(HttpStatusCode.OK, preview.StatusCode);
        var html = WebUtility.HtmlDecode(await preview.Content.ReadAsStringAsync());
        var expected = body.Replace("\u2013", "-", StringComparison.Ordinal).Replace("\u2019", "'", StringComparison.Ordinal).Replace("\u2026", "...", StringComparison.Ordinal);
        Assert.Contains($">{expected}</p>", html, StringComparison.Ordinal);
        Assert.Matches(@"id=""preview-size"">\s*1 segment\s", html);
        Assert.Contains("To 2 workers", html, StringComparison.Ordinal);
        Assert.Contains("opted out of texts", html, StringComparison.Ordinal);
        var key = ComposeKey().Match(html).Groups[1].Value;
        Assert.Equal(32, key.Length);

        fields["Input.ComposeKey"] = key;
        var sent = await coordinator.PostFormAsync("/Messages/Compose", new(fields), "/Messages/Compose?handler=Send");
        Assert.Equal(HttpStatusCode.Redirect, sent.StatusCode);
        Assert.Contains("Message queued for 2 workers (1 segment each).", await coordinator.GetPageAsync("/Messages/Compose"), StringComparison.Ordinal);
        var again = await coordinator.PostFormAsync("/Messages/Compose", new(fields), "/Messages/Compose?handler=Send");
        Assert.Equal(HttpStatusCode.Redirect, again.StatusCode);
        Assert.Contains("This message was already sent; nothing was sent again.", await coordinator.GetPageAsync("/Messages/Compose"), StringComparison.Ordinal);

        await using var db = await app.DataSource.OpenConnectionAsync();
        var rows = (await db.QueryAsync<(long WorkerId, string Body)>(
            "SELECT worker_id, body FROM outreach.sms_outbox WHERE dedupe_key LIKE @prefix ORDER BY worker_id", new { prefix = $"compose:{key}:%" })).ToList();
        Assert.Equal(new[] { first, second }.Order(), rows.Select(r => r.WorkerId));
        Assert.All(rows, r => Assert.Equal(expected, r.Body));
    }

    [Fact]
    public async Task Sending_without_recipients_or_text_shows_the_messages_beside_the_fields()
    {
        using var coordinator = await app.SignedInAsync(Roles.Coordinator);
        var response = await coordinator.PostFormAsync("/Messages/Compose", new() { ["Input.Body"] = "" }, "/Messages/Compose?handler=Preview");

        var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Write the message.", html, StringComparison.Ordinal);
        Assert.Contains("Choose at least one youth worker, or a session.", html, StringComparison.Ordinal);
    }

    [GeneratedRegex("name=\"Input.ComposeKey\" value=\"([0-9a-f]{32})\"|value=\"([0-9a-f]{32})\"[^>]*name=\"Input.ComposeKey\"")]
    private static partial Regex ComposeKey();
}
