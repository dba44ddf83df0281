using System.Globalization;
using CsvHelper;

namespace Outreach.Data.Reach;

/// <summary>A table as every commissioner view shows it: cells already formatted and suppressed.</summary>
public sealed record ReportTable(string Name, string Caption, IReadOnlyList<string> Headers, IReadOnlyList<IReadOnlyList<string>> Rows)
{
    public string ToCsv()
    {
        using var output = new MemoryStream();
        // Area names come from imported files: anything a spreadsheet would run as a formula is escaped.
        using (var csv = CsvWriter.Create(output, CsvWriterOptions.Default with { Injection = CsvInjection.Escape }, leaveOpen: true))
        {
            csv.WriteRecord([.. Headers]);
            foreach (var row in Rows)
            {
                csv.WriteRecord([.. row]);
            }
            csv.Flush();
        }
        return System.Text.Encoding.UTF8.GetString(output.ToArray());
    }
}

/// <summary>A chart's series: null where the table shows a suppressed figure.</summary>
public sealed record ChartSeries(string Label, IReadOnlyList<long?> Values);

public sealed record ReportChart(string Name, string Title, IReadOnlyList<string> Labels, IReadOnlyList<ChartSeries> Series);

public sealed record HeadlineFigure(string Id, string Label, string Value, string? Note = null);

/// <summary>
/// The compiled figures turned into what the page, its CSV exports and the monthly report show, with
/// <see cref="Suppression"/> applied once here so no view can forget it.
/// </summary>
public sealed class ReportView
{
    private static readonly CultureInfo Uk = CultureInfo.GetCultureInfo("en-GB");

    public ReportView(ReportFigures figures)
    {
        Figures = figures;
        var t = figures.Totals;
        Headline =
        [
            new("sessions-delivered", "Sessions delivered", Suppression.Format(t.SessionsDelivered), $"of {Suppression.Format(t.SessionsPlanned)} planned; {Suppression.Format(t.SessionsCancelled)} cancelled"),
            new("young-people-reached", "Young people reached", Suppression.Format(t.YoungPeopleReached),
                $"{Suppression.Format(t.GroupAttendance)} at sessions, {Suppression.Format(t.AeYoungPeople)} in A&E"),
            new("schools-reached", "Schools reached", Suppression.Format(figures.SchoolsReached),
                $"of {Suppression.Format(figures.SchoolsInArea)} open schools ({Suppression.Rate(figures.SchoolsReached, figures.SchoolsInArea)})"),
            new("ae-engagements", "A&E engagements", Suppression.Format(t.AeEngagements),
                $"consent {Suppression.Rate(t.AeConsented, t.AeEngagements)} ({Suppression.Format(t.AeConsented)} of {Suppression.Format(t.AeEngagements)})"),
            new("referrals", "Referrals", Suppression.Format(t.Referrals)),
            new("survey-change", "Mean survey change", t.SurveyWeight == 0 ? "–" : Suppression.IsSmall(t.SurveyWeight) ? Suppression.Small
                : t.SurveyMeanChange!.Value.ToString("+0.00;-0.00;0.00", Uk), "points on a 1–5 scale; positive is better"),
            new("staff-hours", "Staff hours", t.StaffHours.ToString("N0", Uk)),
            new("cost", "Staff cost", t.StaffCost.ToString("C0", Uk),
                $"{(t.CostPerYoungPerson is { } per && !Suppression.IsSmall(t.YoungPeopleReached) ? per.ToString("C2", Uk) : "–")} per young person reached"),
        ];

        var months = figures.Months;
        var planned = Suppression.HideWithTotal(months.Select(m => m.SessionsPlanned).ToList());
        var delivered = Suppression.HideWithTotal(months.Select(m => m.SessionsDelivered).ToList());
        var cancelled = Suppression.HideWithTotal(months.Select(m => m.SessionsCancelled).ToList());
        var reached = Suppression.HideWithTotal(months.Select(m => m.YoungPeopleReached).ToList());
        var engagements = Suppression.HideWithTotal(months.Select(m => m.AeEngagements).ToList());
        var monthLabels = months.Select(m => m.Month.ToString("MMM yyyy", Uk)).ToList();
        Monthly = new ReportTable("monthly", "Sessions and young people reached by month",
            ["Month", "Sessions planned", "Sessions delivered", "Sessions cancelled", "Young people reached", "A&E engagements"],
            [
                .. months.Select((m, i) => (IReadOnlyList<string>)
                [
                    monthLabels[i], Suppression.Format(m.SessionsPlanned, planned[i]), Suppression.Format(m.SessionsDelivered, delivered[i]),
                    Suppression.Format(m.SessionsCancelled, cancelled[i]), Suppression.Format(m.YoungPeopleReached, reached[i]),
                    Suppression.Format(m.AeEngagements, engagements[i]),
                ]),
                ["Total", Suppression.Format(t.SessionsPlanned), Suppression.Format(t.SessionsDelivered), Suppression.Format(t.SessionsCancelled),
                    Suppression.Format(t.YoungPeopleReached), Suppression.Format(t.AeEngagements)],
            ]);
        MonthlyChart = new ReportChart("monthly", "Sessions delivered and young people reached by month", monthLabels,
        [
            new("Sessions delivered", Shown(months.Select(m => m.SessionsDelivered).ToList(), delivered)),
            new("Young people reached", Shown(months.Select(m => m.YoungPeopleReached).ToList(), reached)),
        ]);

        var areas = figures.Areas;
        var areaDelivered = Suppression.HideWithTotal(areas.Select(a => a.SessionsDelivered).ToList());
        var areaReached = Suppression.HideWithTotal(areas.Select(a => a.YoungPeopleReached).ToList());
        var areaSchools = Suppression.HideWithTotal(areas.Select(a => a.SchoolsReached).ToList());
        var byRegion = figures.Filter.Region is null && figures.Filter.AreaId is null;
        Areas = new ReportTable("areas", byRegion ? "Coverage by commissioner area" : "Coverage by local authority",
            [byRegion ? "Commissioner area" : "Local authority", "Sessions delivered", "Young people reached", "Schools reached", "Open schools", "Coverage"],
            [
                .. areas.Select((a, i) => (IReadOnlyList<string>)
                [
                    a.Name, Suppression.Format(a.SessionsDelivered, areaDelivered[i]), Suppression.Format(a.YoungPeopleReached, areaReached[i]),
                    Suppression.Format(a.SchoolsReached, areaSchools[i]), Suppression.Format(a.SchoolsInArea),
                    areaSchools[i] && !Suppression.IsSmall(a.SchoolsReached) ? Suppression.Secondary : Suppression.Rate(a.SchoolsReached, a.SchoolsInArea),
                ]),
                ["Total", Suppression.Format(t.SessionsDelivered), Suppression.Format(t.YoungPeopleReached),
                    Suppression.Format(figures.SchoolsReached), Suppression.Format(figures.SchoolsInArea),
                    Suppression.Rate(figures.SchoolsReached, figures.SchoolsInArea)],
            ]);
        AreasChart = new ReportChart("areas", "Schools coverage by area (% of open schools reached)", areas.Select(a => a.Name).ToList(),
        [
            new("Coverage %", areas.Select((a, i) => areaSchools[i] || Suppression.RateValue(a.SchoolsReached, a.SchoolsInArea) is not { } rate
                ? (long?)null : (long)Math.Round(rate * 100)).ToList()),
        ]);

        var referrals = figures.Referrals;
        var referralHidden = Suppression.HideWithTotal(referrals.Select(r => r.Referrals).ToList());
        var serviceLabels = referrals.Select(r => ReportData.ServiceLabels[r.Service]).ToList();
        Referrals = new ReportTable("referrals", "Referrals by service", ["Service", "Referrals"],
        [
            .. referrals.Select((r, i) => (IReadOnlyList<string>)[serviceLabels[i], Suppression.Format(r.Referrals, referralHidden[i])]),
            ["Total", Suppression.Format(t.Referrals)],
        ]);
        ReferralsChart = new ReportChart("referrals", "Referrals by service", serviceLabels,
            [new("Referrals", Shown(referrals.Select(r => r.Referrals).ToList(), referralHidden))]);

        FollowUps = new ReportTable("follow-ups", "A&E engagements and follow-ups", ["Stage", "Due", "Completed", "Completion"],
        [
            ["Engagements", Suppression.Format(t.AeEngagements), "", ""],
            ["Consented", Suppression.Format(t.AeConsented), "", Suppression.Rate(t.AeConsented, t.AeEngagements)],
            ["4 weeks", Suppression.Format(t.FollowUps4wDue), Suppression.Format(t.FollowUps4wDone), Suppression.Rate(t.FollowUps4wDone, t.FollowUps4wDue)],
            ["12 weeks", Suppression.Format(t.FollowUps12wDue), Suppression.Format(t.FollowUps12wDone), Suppression.Rate(t.FollowUps12wDone, t.FollowUps12wDue)],
            ["6 months", Suppression.Format(t.FollowUps6mDue), Suppression.Format(t.FollowUps6mDone), Suppression.Rate(t.FollowUps6mDone, t.FollowUps6mDue)],
        ]);
        long? Primary(long value) => Suppression.IsSmall(value) ? null : value;
        FollowUpChart = new ReportChart("follow-ups", "A&E follow-up funnel",
            ["Engagements", "Consented", "4 weeks done", "12 weeks done", "6 months done"],
            [new("Young people", [Primary(t.AeEngagements), Primary(t.AeConsented), Primary(t.FollowUps4wDone), Primary(t.FollowUps12wDone), Primary(t.FollowUps6mDone)])]);

        Summary = new ReportTable("summary", "Headline figures", ["Figure", "Value", "Detail"],
            Headline.Select(h => (IReadOnlyList<string>)[h.Label, h.Value, h.Note ?? ""]).ToList());
    }

    public ReportFigures Figures { get; }

    public IReadOnlyList<HeadlineFigure> Headline { get; }

    public ReportTable Summary { get; }

    public ReportTable Monthly { get; }

    public ReportTable Areas { get; }

    public ReportTable Referrals { get; }

    public ReportTable FollowUps { get; }

    public ReportChart MonthlyChart { get; }

    public ReportChart AreasChart { get; }

    public ReportChart ReferralsChart { get; }

    public ReportChart FollowUpChart { get; }

    public IReadOnlyList<ReportTable> Tables => [Summary, Monthly, Areas, Referrals, FollowUps];

    private static List<long?> Shown(IReadOnlyList<long> values, bool[] secondary) =>
        values.Select((v, i) => Suppression.IsSmall(v) || secondary[i] ? (long?)null : v).ToList();
}
