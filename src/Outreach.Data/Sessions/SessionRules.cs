namespace Outreach.Data.Sessions;

/// <summary>
/// The rules every planned or changed session keeps, whichever door the change came through (a page, the API).
/// The operations (<see cref="SessionData.CreateAsync"/>, <see cref="SessionEditData.ChangeAsync"/>,
/// <see cref="SeriesData"/>) run them first; the schema keeps the same limits as CHECKs. Refusals are keyed by
/// the pages' field names and worded for anyone: the API shows the same words under its own property names.
/// </summary>
public static class SessionRules
{
    /// <summary>The schema's CHECK (ends_at - starts_at &lt;= 24 hours); every read bounded by "starts after X - 24h" relies on it.</summary>
    public static readonly TimeSpan LongestSession = TimeSpan.FromHours(24);

    public const int MaxTitle = 200, MaxNotes = 2000, MaxWorkers = 50, MaxAudience = 5000;

    public const string EndNotAfterStart = "The end must be after the start.";

    public const string TooLong = "A session can last at most 24 hours.";

    public const string StartInPast = "The start is in the past. Choose a time in the future.";

    /// <summary>
    /// An end typed as a time earlier than the start is read as the next day, for night shifts (18:00 to 02:00).
    /// Read that way it may make a session at most this long: a longer one (10:00 to 09:00 is 23 hours) is far
    /// likelier a mistyped end than a night shift, so it is refused instead of saved. A longer overnight session
    /// is planned with an end date (the API's end instant).
    /// </summary>
    public static readonly TimeSpan LongestOvernight = TimeSpan.FromHours(16);

    /// <summary>Why an end time earlier than the start (so on the next day) is not taken, or null.</summary>
    public static string? OvernightProblem(TimeOnly start, TimeOnly end)
    {
        if (end >= start)
        {
            return null;
        }
        var length = end.ToTimeSpan() + TimeSpan.FromDays(1) - start.ToTimeSpan();
        return length <= LongestOvernight
            ? null
            : string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"The end ({end:HH:mm}) is earlier than the start ({start:HH:mm}), so it would be the next day and the session {length.TotalHours:0.#} hours long. Set an end after the start, or a next-day end at most {LongestOvernight.TotalHours:0} hours after it.");
    }

    /// <summary>Why a session from <paramref name="startUtc"/> to <paramref name="endUtc"/> cannot be planned, or null.</summary>
    public static string? LengthProblem(DateTime startUtc, DateTime endUtc) =>
        endUtc <= startUtc ? EndNotAfterStart
        : endUtc - startUtc > LongestSession ? TooLong
        : null;

    /// <summary>
    /// What a new session's own values break, before anything is read from the database. Null values are the
    /// ones a door could not read (missing or malformed); their checks are left to the door's own message.
    /// </summary>
    public static List<FieldError> CheckNew(
        string? kind, string? title, DateTime? startUtc, DateTime? endUtc, int requiredWorkers, int? expectedSize, string? notes,
        DateTime nowUtc)
    {
        var errors = CheckDescription(kind, title, requiredWorkers, notes);
        if (expectedSize is < 0 or > MaxAudience)
        {
            errors.Add(new FieldError("ExpectedSize", $"Enter an expected audience between 0 and {MaxAudience}."));
        }
        if (startUtc is { } start && start <= nowUtc)
        {
            errors.Add(new FieldError(SessionData.StartField, StartInPast));
        }
        if (startUtc is { } s && endUtc is { } e && LengthProblem(s, e) is { } length)
        {
            errors.Add(new FieldError(SessionData.EndField, length));
        }
        return errors;
    }

    /// <summary>What every session says about itself: its kind, title, workers needed and notes.</summary>
    public static List<FieldError> CheckDescription(string? kind, string? title, int requiredWorkers, string? notes)
    {
        var errors = new List<FieldError>();
        if (kind is null || !SessionKinds.Labels.ContainsKey(kind))
        {
            errors.Add(new FieldError("Kind", "Choose the kind of session."));
        }
        if (title is not null && title.Trim().Length == 0)
        {
            errors.Add(new FieldError("Title", "Give the session a title."));
        }
        else if (title is not null && title.Trim().Length > MaxTitle)
        {
            errors.Add(new FieldError("Title", $"Keep the title under {MaxTitle} characters."));
        }
        if (requiredWorkers is < 1 or > MaxWorkers)
        {
            errors.Add(new FieldError("RequiredWorkers", $"A session needs between 1 and {MaxWorkers} workers."));
        }
        if (notes is not null && notes.Trim().Length > MaxNotes)
        {
            errors.Add(new FieldError("Notes", $"Keep the notes under {MaxNotes} characters."));
        }
        return errors;
    }
}
