namespace Outreach.Data;

/// <summary>
/// What a change returns: done, with the follow-up work its rows are waiting for; or refused for reasons the
/// user can fix (a double booking, a closed day), each keyed by the page's field name so the page can show it
/// beside the field. Messages are neutral: the API shows the same words under its own property names.
/// </summary>
public sealed record Outcome<T>(T? Value, IReadOnlyList<FieldError> Errors)
{
    public bool Succeeded => Errors.Count == 0;

    /// <summary>The jobs to enqueue after the commit, so the change's texts go at once rather than at the next sweep.</summary>
    public FollowUps FollowUps { get; init; } = FollowUps.None;

    public static Outcome<T> Ok(T value) => new(value, []);

    public static Outcome<T> Ok(T value, FollowUps followUps) => new(value, []) { FollowUps = followUps };

    /// <summary>
    /// Refused on the values alone, before anything was read: the input is wrong whatever the database holds
    /// (the API answers 400 for these, 422 or 409 for refusals that depend on what is stored).
    /// </summary>
    public bool IsInvalidInput { get; init; }

    public static Outcome<T> Fail(string field, string message) => new(default, [new FieldError(field, message)]);

    public static Outcome<T> Invalid(IReadOnlyList<FieldError> errors) => new(default, errors) { IsInvalidInput = true };
}

public sealed record FieldError(string Field, string Message);

/// <summary>A booking whose reminders are due before its session's start.</summary>
public sealed record ReminderDue(long AssignmentId, DateTime SessionStartsAtUtc);

/// <summary>
/// Work a committed change leaves for the jobs. The rows it stands for (requests to confirm, notices, cover
/// offers, queued texts) are already written in the change's transaction; the jobs only send them sooner than
/// the recurring sweeps would.
/// </summary>
public sealed record FollowUps(
    IReadOnlyList<ReminderDue> Reminders, bool ConfirmationRequests, bool SessionNotices, bool CoverOffers, bool QueuedTexts)
{
    public static readonly FollowUps None = new([], false, false, false, false);

    public bool IsEmpty => Reminders.Count == 0 && !ConfirmationRequests && !SessionNotices && !CoverOffers && !QueuedTexts;

    public static FollowUps Booked(IReadOnlyList<ReminderDue> reminders) =>
        None with { Reminders = reminders, ConfirmationRequests = true };

    /// <summary>A session moved, changed venue or was cancelled: its workers are told, and places may go on offer.</summary>
    public static FollowUps SessionsChanged(IReadOnlyList<ReminderDue> reminders) =>
        None with { Reminders = reminders, SessionNotices = true, CoverOffers = true };

    public static readonly FollowUps PlaceOffered = None with { CoverOffers = true };

    public static readonly FollowUps TextsQueued = None with { QueuedTexts = true };
}
