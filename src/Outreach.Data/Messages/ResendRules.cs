using System.Globalization;
using System.Text.RegularExpressions;
using Dapper;
using Npgsql;

namespace Outreach.Data.Messages;

/// <summary>A text someone asks to send again: what it is, who it is for and what their texting state is now.</summary>
public sealed record ResendCandidate(
    string RootKey, string Purpose, long? WorkerId, long? SessionId, DateTime CreatedAt, DateTime? ExpiresAt,
    string? WorkerName, bool? WorkerActive, bool? WorkerOptedOut, bool? WorkerFailing);

/// <summary>
/// Whether a text that did not arrive still makes sense to send as it was written. A resend copies the old words,
/// so anything that has happened since (the session cancelled, moved or over, the booking answered, the cover
/// taken, the worker off the session or opted out) makes it wrong or pointless. Every resend asks here, so the
/// answer is the same wherever the resend comes from. When to send (quiet hours, the daily cap) is still the
/// send job's decision, through the copied urgent flag and <see cref="SmsSendPolicy"/>.
/// </summary>
public static partial class ResendRules
{
    /// <returns>Why the text must not be resent, for the coordinator who asked; null when it may be.</returns>
    public static async Task<string?> WhyNotAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, ResendCandidate text, DateTime nowUtc, CancellationToken cancellationToken)
    {
        if (text.WorkerId is not null)
        {
            if (text.WorkerOptedOut == true)
            {
                return $"Not resent: {text.WorkerName} has opted out of texts (they replied STOP). They can reply START to opt back in.";
            }
            if (text.WorkerFailing == true)
            {
                return $"Not resent: texts to {text.WorkerName}'s mobile number are failing. Check the number with them and correct it on their profile first.";
            }
            if (text.WorkerActive == false)
            {
                return $"Not resent: {text.WorkerName} is no longer an active youth worker.";
            }
        }

        var sessions = await SessionsAsync(connection, transaction, text, cancellationToken);
        foreach (var s in sessions)
        {
            if (SessionProblem(text, s, nowUtc) is { } problem)
            {
                return problem;
            }
        }

        var purposeProblem = text.Purpose switch
        {
            "confirmation" => await ConfirmationProblemAsync(connection, transaction, text, cancellationToken),
            "cover_offer" or "cover_escalation" => await CoverProblemAsync(connection, transaction, text, cancellationToken),
            _ => null,
        };
        if (purposeProblem is not null)
        {
            return purposeProblem;
        }

        if (text.ExpiresAt is { } expires && expires <= nowUtc)
        {
            return "Not resent: this message was only useful until " + UkTime.Format(expires) + " (UK time), which has passed.";
        }
        return null;
    }

    private static string? SessionProblem(ResendCandidate text, SessionState s, DateTime nowUtc)
    {
        var what = Describe(s);
        switch (text.Purpose)
        {
            // Written after the session, about its record: only a cancellation or a record made since ends the need.
            case "record-chase":
                if (s.Status == "cancelled")
                {
                    return $"Not resent: {what} has been cancelled, so it needs no record.";
                }
                return s.Recorded ? $"Not resent: {what} has been recorded since this text was written." : null;
            // To the on-call coordinator about a concern raised at the session: it stands whatever the session does.
            case "safeguarding":
                return null;
        }
        if (s.Status == "cancelled" && text.Purpose != "cancellation")
        {
            return $"Not resent: {what} has been cancelled. Only the cancellation notice can still be sent.";
        }
        if (s.EndsAt <= nowUtc)
        {
            return $"Not resent: {what} has already ended.";
        }
        if (s.MovedSince && text.Purpose != "cancellation")
        {
            return $"Not resent: the time or venue of {what} has changed since this text was written, so it is out of date. The workers booked on it are told of the change by its own text.";
        }
        if (text.Purpose is "reminder" or "change" && !s.WorkerBooked)
        {
            return $"Not resent: {text.WorkerName ?? "the worker"} is no longer booked on {what}.";
        }
        return null;
    }

    private static async Task<string?> ConfirmationProblemAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, ResendCandidate text, CancellationToken cancellationToken)
    {
        if (ConfirmationKey().Match(text.RootKey) is not { Success: true } match)
        {
            return null;
        }
        var requestId = long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        var state = await connection.QuerySingleOrDefaultAsync<ConfirmationState>(new CommandDefinition("""
            SELECT r.status AS request_status, a.status AS booking_status FROM outreach.confirmation_requests r JOIN outreach.assignments a ON a.id = r.assignment_id
            WHERE r.id = @requestId
            """, new { requestId }, transaction, cancellationToken: cancellationToken));
        return state switch
        {
            null => null,
            { BookingStatus: "confirmed" } => "Not resent: this booking has already been confirmed, so there is nothing left to ask.",
            { BookingStatus: "declined" } => "Not resent: the worker has declined this booking, so there is nothing left to ask.",
            { BookingStatus: "withdrawn" } => "Not resent: the worker has been taken off this booking, so there is nothing left to ask.",
            { RequestStatus: "pending" or "expired" } => null,
            _ => "Not resent: this booking is no longer waiting for the worker's answer.",
        };
    }

    private static async Task<string?> CoverProblemAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, ResendCandidate text, CancellationToken cancellationToken)
    {
        if (CoverKey().Match(text.RootKey) is not { Success: true } match)
        {
            return null;
        }
        var offerId = long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        var state = await connection.QuerySingleOrDefaultAsync<CoverState>(new CommandDefinition("""
            SELECT o.status, c.response, c.offer_id IS NOT NULL AS recipient
            FROM outreach.cover_offers o LEFT JOIN outreach.cover_offer_recipients c ON c.offer_id = o.id AND c.worker_id = @WorkerId
            WHERE o.id = @offerId
            """, new { offerId, text.WorkerId }, transaction, cancellationToken: cancellationToken));
        return state switch
        {
            null => null,
            { Status: "filled" } => "Not resent: this cover has been filled since the text was written.",
            { Status: "void" } => "Not resent: this cover offer has been withdrawn (the place is no longer needed).",
            { Response: not null } => "Not resent: the worker has already answered this cover offer.",
            { Recipient: false } when text.Purpose == "cover_offer" =>
                "Not resent: this cover is no longer offered to this worker (they were replaced while they had opted out of texts).",
            _ => null,
        };
    }

    /// <summary>The sessions the text is about: its own, or for one text covering several notices, theirs.</summary>
    private static async Task<IReadOnlyList<SessionState>> SessionsAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, ResendCandidate text, CancellationToken cancellationToken)
    {
        long[] noticeIds = text.SessionId is null && GroupedNoticeKey().Match(text.RootKey) is { Success: true } grouped
            ? [.. grouped.Groups[1].Value.Split('+').Select(n => long.Parse(n, CultureInfo.InvariantCulture))]
            : [];
        if (text.SessionId is null && noticeIds.Length == 0)
        {
            return [];
        }
        var rows = await connection.QueryAsync<SessionState>(new CommandDefinition("""
            SELECT s.id, s.title, s.status, s.starts_at, s.ends_at,
                   EXISTS (SELECT 1 FROM outreach.session_notices n
                           WHERE n.session_id = s.id AND n.kind = 'changed' AND n.created_at > @CreatedAt) AS moved_since,
                   EXISTS (SELECT 1 FROM outreach.session_records r WHERE r.session_id = s.id) AS recorded,
                   EXISTS (SELECT 1 FROM outreach.assignments a
                           WHERE a.session_id = s.id AND a.worker_id = @WorkerId AND a.status IN ('assigned', 'confirmed')) AS worker_booked
            FROM outreach.sessions s
            WHERE s.id = @SessionId OR s.id IN (SELECT n.session_id FROM outreach.session_notices n WHERE n.id = ANY(@noticeIds))
            ORDER BY s.starts_at, s.id
            """, new { text.SessionId, text.WorkerId, text.CreatedAt, noticeIds }, transaction, cancellationToken: cancellationToken));
        return rows.AsList();
    }

    private static string Describe(SessionState s) =>
        $"{(string.IsNullOrWhiteSpace(s.Title) ? "the session" : s.Title)} on {UkTime.Format(s.StartsAt)}";

    private sealed record ConfirmationState(string RequestStatus, string BookingStatus);

    private sealed record CoverState(string Status, string? Response, bool Recipient);

    private sealed record SessionState(
        long Id, string Title, string Status, DateTime StartsAt, DateTime EndsAt, bool MovedSince, bool Recorded, bool WorkerBooked);

    [GeneratedRegex(@"^confirm:request:([0-9]+)$", RegexOptions.CultureInvariant)]
    private static partial Regex ConfirmationKey();

    [GeneratedRegex(@"^cover-(?:offer|escalated):([0-9]+)(?::|$)", RegexOptions.CultureInvariant)]
    private static partial Regex CoverKey();

    [GeneratedRegex(@"^notice:([0-9]+(?:\+[0-9]+)*):worker:", RegexOptions.CultureInvariant)]
    private static partial Regex GroupedNoticeKey();
}
