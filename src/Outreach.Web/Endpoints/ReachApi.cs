using System.Globalization;
using Outreach.Data.Reach;

namespace Outreach.Web.Endpoints;

/// <summary>The API's reach answer: compiled figures per month and local authority, suppressed like every commissioner view.</summary>
public static class ReachApi
{
    /// <summary>A figure is a number, or the string "&lt;5" (1 to 4) or "*" (hidden so a small one can't be worked out).</summary>
    public sealed record Row(
        string Month, string AreaCode, string Area, string Region, object SessionsPlanned, object SessionsDelivered,
        object SessionsCancelled, object YoungPeopleReached, object SchoolsReached, object AeEngagements, object AeConsented,
        double? ConsentRate, object FollowUps4WeeksDue, object FollowUps4WeeksDone, object FollowUps12WeeksDue,
        object FollowUps12WeeksDone, object FollowUps6MonthsDue, object FollowUps6MonthsDone, object Referrals,
        decimal? SurveyMeanChange, decimal StaffHours, decimal StaffCost, decimal? CostPerYoungPerson);

    public static IReadOnlyList<Row> Answer(IReadOnlyList<ApiReachRow> rows)
    {
        // Each month's authorities add up to the month's total, which the reports page publishes: hide a second
        // figure per month and column wherever one is hidden.
        var hidden = new Dictionary<(int Row, string Column), bool>();
        var columns = new (string Name, Func<ApiReachRow, long> Value)[]
        {
            ("planned", r => r.SessionsPlanned), ("delivered", r => r.SessionsDelivered), ("cancelled", r => r.SessionsCancelled),
            ("reached", r => r.YoungPeopleReached), ("schools", r => r.SchoolsReached), ("engagements", r => r.AeEngagements),
            ("consented", r => r.AeConsented), ("due4", r => r.FollowUps4wDue), ("done4", r => r.FollowUps4wDone),
            ("due12", r => r.FollowUps12wDue), ("done12", r => r.FollowUps12wDone), ("due6", r => r.FollowUps6mDue),
            ("done6", r => r.FollowUps6mDone), ("referrals", r => r.Referrals),
        };
        foreach (var month in Enumerable.Range(0, rows.Count).GroupBy(i => rows[i].Month))
        {
            var indexes = month.ToList();
            foreach (var (name, value) in columns)
            {
                var flags = Suppression.HideWithTotal(indexes.Select(i => value(rows[i])).ToList());
                for (var k = 0; k < indexes.Count; k++)
                {
                    hidden[(indexes[k], name)] = flags[k];
                }
            }
        }
        return rows.Select((r, i) =>
        {
            object F(string column, long value) => Suppression.Json(value, hidden[(i, column)]);
            bool Shown(string column, long value) => !hidden[(i, column)] && !Suppression.IsSmall(value);
            return new Row(
                r.Month.ToString("yyyy-MM", CultureInfo.InvariantCulture), r.AreaCode, r.AreaName, r.Region,
                F("planned", r.SessionsPlanned), F("delivered", r.SessionsDelivered), F("cancelled", r.SessionsCancelled),
                F("reached", r.YoungPeopleReached), F("schools", r.SchoolsReached), F("engagements", r.AeEngagements),
                F("consented", r.AeConsented),
                Shown("consented", r.AeConsented) && Shown("engagements", r.AeEngagements) ? Suppression.RateValue(r.AeConsented, r.AeEngagements) : null,
                F("due4", r.FollowUps4wDue), F("done4", r.FollowUps4wDone), F("due12", r.FollowUps12wDue), F("done12", r.FollowUps12wDone),
                F("due6", r.FollowUps6mDue), F("done6", r.FollowUps6mDone), F("referrals", r.Referrals),
                r.SurveyWeight == 0 || Suppression.IsSmall(r.SurveyWeight) ? null : Math.Round(r.SurveyChangeSum / r.SurveyWeight, 2),
                r.StaffHours, r.StaffCost,
                Shown("reached", r.YoungPeopleReached) && r.YoungPeopleReached > 0 ? Math.Round(r.StaffCost / r.YoungPeopleReached, 2) : null);
        }).ToList();
    }
}
