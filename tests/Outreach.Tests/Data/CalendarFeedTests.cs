using Ical.Net;
using Outreach.Data.Rosters;

namespace Outreach.Tests.Data;

public sealed class CalendarFeedTests
{
    [Fact]
    public void The_feed_parsed_back_gives_the_same_instants_across_both_clock_changes()
    {
        var sessions = new[]
        {
            // Saturday night A&E shifts over the 2027 clock changes, and a summer assembly.
            new FeedSession(1, "A&E shift", "ae_shift", "Heartlands Hospital", "Bordesley Green East", "B9 5SS",
                new DateTime(2027, 3, 27, 18, 0, 0, DateTimeKind.Utc), new DateTime(2027, 3, 28, 1, 0, 0, DateTimeKind.Utc), "planned", 1),
            new FeedSession(2, "A&E shift", "ae_shift", "Heartlands Hospital", "", "B9 5SS",
                new DateTime(2027, 10, 30, 17, 0, 0, DateTimeKind.Utc), new DateTime(2027, 10, 31, 2, 0, 0, DateTimeKind.Utc), "planned", 2),
            new FeedSession(3, "Assembly", "assembly", "Hodge Hill Girls' School", "", "B36 8EY",
                new DateTime(2027, 7, 1, 8, 30, 0, DateTimeKind.Utc), new DateTime(2027, 7, 1, 9, 30, 0, DateTimeKind.Utc), "cancelled", 3),
        };

        var text = CalendarFeedData.Render(sessions);
        var parsed = Calendar.Load(text)!;

        Assert.Contains("TZID=Europe/London", text, StringComparison.Ordinal);
        Assert.Contains("BEGIN:VTIMEZONE", text, StringComparison.Ordinal);
        var events = parsed.Events.OrderBy(e => e.Uid, StringComparer.Ordinal).ToList();
        Assert.Equal(3, events.Count);
        for (var i = 0; i < sessions.Length; i++)
        {
            Assert.Equal(sessions[i].StartsAt, events[i].DtStart!.AsUtc);
            Assert.Equal(sessions[i].EndsAt, events[i].DtEnd!.AsUtc);
        }
        Assert.Equal(TimeSpan.FromHours(7), events[0].DtEnd!.AsUtc - events[0].DtStart!.AsUtc);
        Assert.Equal(TimeSpan.FromHours(9), events[1].DtEnd!.AsUtc - events[1].DtStart!.AsUtc);
        Assert.Equal("CANCELLED", events[2].Status);
        Assert.StartsWith("Cancelled: ", events[2].Summary, StringComparison.Ordinal);
    }
}
