using System.Globalization;
using Dapper;
using Npgsql;
using Outreach.Data.Audit;
using Outreach.Data.ClosedDays;

namespace Outreach.Data.Sessions;

/// <summary>What a coordinator asks for: a weekly pattern at one venue.</summary>
public sealed record NewSeries(
    long VenueId, string Kind, string Title, SeriesPattern Pattern, int RequiredWorkers, string Notes,
    bool LeaveOutNonexistent = false, bool PlanOnClosedDays = false, IReadOnlyList<long>? SkillIds = null)
{
    public IReadOnlyList<long> Skills => SkillIds?.Distinct().Order().ToList() ?? [];
}


/// <summary>One line of the preview: the occurrence, and the school closure it falls on, if any.</summary>
public sealed record PreviewOccurrence(PlannedOccurrence Occurrence, Closure? Closure, bool InPast);

public sealed record SeriesPreview(IReadOnlyList<PreviewOccurrence> Occurrences, bool TooMany)
{
    public IEnumerable<PreviewOccurrence> Nonexistent => Occurrences.Where(o => !o.Occurrence.Exists);

    public IEnumerable<PreviewOccurrence> OnClosedDays => Occurrences.Where(o => o.Closure is not null);
}

public sealed record CreatedSeries(long SeriesId, IReadOnlyList<long> SessionIds, int LeftOut);

public sealed class SeriesData(NpgsqlDataSource dataSource, ClosedDayData closedDays, TimeProvider clock)
{
    private static readonly CultureInfo EnGb = CultureInfo.GetCultureInfo("en-GB");

    /// <summary>The occurrences the pattern gives, with the clock-change and closed-day problems marked.</summary>
    public async Task<SeriesPreview> PreviewAsync(NewSeries series, CancellationToken cancellationToken)
    {
        var planned = series.Pattern.Occurrences();
        var tooMany = planned.Count > SeriesPattern.MaxOccurrences;
        if (tooMany)
        {
            planned = planned.Take(SeriesPattern.MaxOccurrences).ToList();
        }
        var closures = (await closedDays.ClosuresAsync(
                planned.Select(o => (series.VenueId, o.Date)).ToList(), cancellationToken))
            .ToDictionary(c => c.Day);
        var now = clock.GetUtcNow().UtcDateTime;
        return new SeriesPreview(
            planned.Select(o => new PreviewOccurrence(o, closures.GetValueOrDefault(o.Date), o.StartUtc is { } s && s <= now)).ToList(),
            tooMany);
    }

    /// <summary>
    /// Creates the series and every occurrence in one transaction, or nothing. Refuses a pattern that
    /// gives no occurrences or too many, one with occurrences in the past, one with times the clocks
    /// skip (unless asked to leave those out) and a school series on closed days (unless confirmed).
    /// </summary>
    public async Task<Outcome<CreatedSeries>> CreateAsync(NewSeries series, Actor actor, CancellationToken cancellationToken)
    {
        var pattern = series.Pattern;
        var described = SessionRules.CheckDescription(series.Kind, series.Title, series.RequiredWorkers, series.Notes);
        if (described.Count > 0)
        {
            return Outcome<CreatedSeries>.Invalid(described);
        }
        if (pattern.EndTime == pattern.StartTime)
        {
            return Fail("EndTime", "The end time must differ from the start time.");
        }
        if (SessionRules.OvernightProblem(pattern.StartTime, pattern.EndTime) is { } overnight)
        {
            return Fail("EndTime", overnight);
        }
        var preview = await PreviewAsync(series, cancellationToken);
        if (preview.TooMany)
        {
            return Fail(pattern.UntilDate is null ? "Count" : "UntilDate",
                $"That makes more than {SeriesPattern.MaxOccurrences} occurrences. Choose an earlier end date or fewer occurrences.");
        }
        if (preview.Occurrences.Count == 0)
        {
            return Fail("Weekdays", "No occurrences fall between those dates on the chosen days.");
        }
        if (preview.Occurrences.FirstOrDefault(o => o.InPast) is { } past)
        {
            return Fail("FirstDate", $"The occurrence on {past.Occurrence.Date.ToString("ddd d MMM yyyy", EnGb)} would start in the past. Choose a later first date.");
        }
        var nonexistent = preview.Nonexistent.ToList();
        if (nonexistent.Count > 0 && !series.LeaveOutNonexistent)
        {
            return Fail("LeaveOutNonexistent",
                string.Join(" ", nonexistent.Select(o => o.Occurrence.Problem)) +
                " Change the times, or tick the box to leave those occurrences out.");
        }
        var occurrences = preview.Occurrences.Where(o => o.Occurrence.Exists).ToList();
        if (occurrences.Count == 0)
        {
            return Fail("StartTime", "None of the occurrences has a time that exists in the UK. Change the times.");
        }
        var closed = occurrences.Where(o => o.Closure is not null).ToList();
        if (closed.Count > 0 && !series.PlanOnClosedDays)
        {
            return Fail("PlanOnClosedDays", ClosedMessage(closed.Select(o => o.Closure!).ToList()));
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var venueOpen = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM outreach.venues WHERE id = @VenueId AND status = 'open')",
            series, transaction, cancellationToken: cancellationToken));
        if (!venueOpen)
        {
            return Fail("VenueId", "Choose an open venue from the list.");
        }
        var skills = series.Skills.ToArray();
        if (skills.Length > 0 && await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                "SELECT count(*) FROM outreach.skills WHERE id = ANY(@skills) AND active", new { skills }, transaction,
                cancellationToken: cancellationToken)) != skills.Length)
        {
            return Fail("SkillIds", "Choose skills from the list.");
        }

        var weekdays = pattern.Weekdays.Select(d => d == DayOfWeek.Sunday ? 7 : (int)d).Order().ToArray();
        var seriesId = await connection.ExecuteScalarAsync<long>(new CommandDefinition("""
            INSERT INTO outreach.session_series (venue_id, kind, title, weekdays, start_time, end_time, first_date,
                                                 until_date, occurrence_count, required_workers, required_skill_ids, notes)
            VALUES (@VenueId, @Kind, @Title, @weekdays, @startTime::time, @endTime::time, @firstDate::date,
                    @untilDate::date, @Count, @RequiredWorkers, @skills, @Notes)
            RETURNING id
            """,
            new
            {
                series.VenueId, series.Kind, series.Title, weekdays, series.RequiredWorkers, series.Notes, skills,
                startTime = pattern.StartTime.ToTimeSpan(),
                endTime = pattern.EndTime.ToTimeSpan(),
                firstDate = pattern.FirstDate.ToDateTime(TimeOnly.MinValue),
                untilDate = pattern.UntilDate?.ToDateTime(TimeOnly.MinValue),
                pattern.Count,
            }, transaction, cancellationToken: cancellationToken));

        var created = (await connection.QueryAsync<(long Id, DateTime Day)>(new CommandDefinition("""
            INSERT INTO outreach.sessions (venue_id, kind, title, starts_at, ends_at, required_workers, notes,
                                           series_id, occurrence_date)
            SELECT @VenueId, @Kind, @Title, o.starts_at, o.ends_at, @RequiredWorkers, @Notes, @seriesId, o.day
            FROM unnest(@starts::timestamptz[], @ends::timestamptz[], @days::date[]) AS o(starts_at, ends_at, day)
            RETURNING id, occurrence_date::timestamp
            """,
            new
            {
                series.VenueId, series.Kind, series.Title, series.RequiredWorkers, series.Notes, seriesId,
                starts = occurrences.Select(o => o.Occurrence.StartUtc!.Value).ToArray(),
                ends = occurrences.Select(o => o.Occurrence.EndUtc!.Value).ToArray(),
                days = occurrences.Select(o => o.Occurrence.Date.ToDateTime(TimeOnly.MinValue)).ToArray(),
            }, transaction, cancellationToken: cancellationToken))).ToDictionary(r => DateOnly.FromDateTime(r.Day), r => r.Id);
        var sessionIds = occurrences.Select(o => created[o.Occurrence.Date]).ToList();
        if (skills.Length > 0)
        {
            await connection.ExecuteAsync(new CommandDefinition("""
                INSERT INTO outreach.session_required_skills (session_id, skill_id)
                SELECT s.id, k.id FROM unnest(@sessionIds) AS s(id) CROSS JOIN unnest(@skills) AS k(id)
                """, new { sessionIds = sessionIds.ToArray(), skills }, transaction, cancellationToken: cancellationToken));
        }

        await AuditLog.WriteAsync(connection, transaction, actor, "create", "session_series", seriesId, null,
            new
            {
                series.VenueId, series.Kind, series.Title, Weekdays = weekdays,
                StartTime = pattern.StartTime.ToString("HH:mm", CultureInfo.InvariantCulture),
                EndTime = pattern.EndTime.ToString("HH:mm", CultureInfo.InvariantCulture),
                FirstDate = pattern.FirstDate.ToString("O"), UntilDate = pattern.UntilDate?.ToString("O"), pattern.Count,
                series.RequiredWorkers, RequiredSkillIds = skills, series.Notes, Sessions = sessionIds.Count,
                LeftOut = nonexistent.Select(o => o.Occurrence.Date.ToString("O")).ToArray(),
                OnClosedDays = closed.Select(o => o.Occurrence.Date.ToString("O")).ToArray(),
            }, cancellationToken);
        for (var i = 0; i < sessionIds.Count; i++)
        {
            var o = occurrences[i].Occurrence;
            await AuditLog.WriteAsync(connection, transaction, actor, "create", "session", sessionIds[i], null,
                new
                {
                    series.VenueId, series.Kind, series.Title, StartsAtUtc = o.StartUtc, EndsAtUtc = o.EndUtc,
                    series.RequiredWorkers, RequiredSkillIds = skills, series.Notes, SeriesId = seriesId, OccurrenceDate = o.Date.ToString("O"),
                }, cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return Outcome<CreatedSeries>.Ok(new CreatedSeries(seriesId, sessionIds, nonexistent.Count));
    }

    /// <summary>"The school is closed on ...": the dates and reasons, shortened when there are many.</summary>
    public static string ClosedMessage(IReadOnlyList<Closure> closures)
    {
        const int shown = 5;
        var listed = string.Join("; ", closures.Take(shown).Select(c => $"{c.Day.ToString("ddd d MMM yyyy", EnGb)} ({c.Reason})"));
        var more = closures.Count > shown ? $" and {closures.Count - shown} more" : "";
        return $"The school is closed on {listed}{more}. Planning on a closed day needs an explicit \"plan it anyway\".";
    }

    private static Outcome<CreatedSeries> Fail(string field, string message) => Outcome<CreatedSeries>.Fail(field, message);
}
