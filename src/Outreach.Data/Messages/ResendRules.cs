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
/// taken, the worker off the session or opted out) makes it wrong or pointless. The resend itself and the log that
/// offers it both ask here, with the same queries and the same decision, so the page never offers a resend the
/// resend then refuses (short of something changing in between, when the resend's own check has the last word).
/// When to send (quiet hours, the daily cap) is still the send job's decision, through the copied urgent flag and
/// <see cref="SmsSendPolicy"/>.
/// </summary>
public static partial class ResendRules
{
    /// <returns>
    /// For each text, in order, why it must not be resent (a sentence for the coordinator, to follow "Not resent: ");
    /// null when it may be. A whole page of texts costs at most three queries, whatever its length.
    /// </returns>
    public static async Task<IReadOnlyList<string?>> WhyNotAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, IReadOnlyList<ResendCandidate> texts, DateTime nowUtc,
        CancellationToken cancellationToken)
    {
        var sessions = await SessionsAsync(connection, transaction, texts, cancellationToken);
        var confirmations = await ConfirmationsAsync(connection, transaction, texts, cancellationToken);
        var covers = await CoversAsync(connection, transaction, texts, cancellationToken);
        var reasons = new string?[texts.Count];
        for (var i = 0; i < texts.Count; i++)
        {
            reasons[i] = Decide(texts[i], sessions[i] ?? [], confirmations.GetValueOrDefault(i), covers.GetValueOrDefault(i), nowUtc);
        }
        return reasons;
    }

    private static string? Decide(
        ResendCandidate text, IReadOnlyList<SessionState> sessions, ConfirmationState? confirmation, CoverState? cover, DateTime nowUtc)
    {
        if (text.WorkerId is not null)
        {
            if (text.WorkerOptedOut == true)
            {
                return $"{text.WorkerName} has opted out of texts (they replied STOP). They can reply START to opt back in.";
            }
            if (text.WorkerFailing == true)
            {
                return $"texts to {text.WorkerName}'s mobile number are failing. Check the number with them and correct it on their profile first.";
            }
            if (text.WorkerActive == false)
            {
                return $"{text.WorkerName} is no longer an active youth worker.";
            }
        }

        foreach (var s in sessions)
        {
            if (SessionProblem(text, s, nowUtc) is { } problem)
            {
                return problem;
            }
        }

        var purposeProblem = text.Purpose switch
        {
            "confirmation" => ConfirmationProblem(confirmation),
            "cover_offer" or "cover_escalation" => CoverProblem(text, cover),
            _ => null,
        };
        if (purposeProblem is not null)
        {
            return purposeProblem;
        }

        if (text.ExpiresAt is { } expires && expires <= nowUtc)
        {
            return "this message was only useful until " + UkTime.Format(expires) + " (UK time), which has passed.";
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
                    return $"{what} has been cancelled, so it needs no record.";
                }
                return s.Recorded ? $"{what} has been recorded since this text was written." : null;
            // To the on-call coordinator about a concern raised at the session: it stands whatever the session does.
            case "safeguarding":
                return null;
        }
        if (s.Status == "cancelled" && text.Purpose != "cancellation")
        {
            return $"{what} has been cancelled. Only the cancellation notice can still be sent.";
        }
        if (s.EndsAt <= nowUtc)
        {
            return $"{what} has already ended.";
        }
        if (s.MovedSince && text.Purpose != "cancellation")
        {
            return $"the time or venue of {what} has changed since this text was written, so it is out of date. The workers booked on it are told of the change by its own text.";
        }
        if (text.Purpose is "reminder" or "change" && !s.WorkerBooked)
        {
            return $"{text.WorkerName ?? "the worker"} is no longer booked on {what}.";
        }
        return null;
    }

    private static string? ConfirmationProblem(ConfirmationState? state) => state switch
    {
        null => null,
        { BookingStatus: "confirmed" } => "this booking has already been confirmed, so there is nothing left to ask.",
        { BookingStatus: "declined" } => "the worker has declined this booking, so there is nothing left to ask.",
        { BookingStatus: "withdrawn" } => "the worker has been taken off this booking, so there is nothing left to ask.",
        { RequestStatus: "pending" or "expired" } => null,
        _ => "this booking is no longer waiting for the worker's answer.",
    };

    private static string? CoverProblem(ResendCandidate text, CoverState? state) => state switch
    {
        null => null,
        { Status: "filled" } => "this cover has been filled since the text was written.",
        { Status: "void" } => "this cover offer has been withdrawn (the place is no longer needed).",
        { Response: not null } => "the worker has already answered this cover offer.",
        { Recipient: false } when text.Purpose == "cover_offer" =>
            "this cover is no longer offered to this worker (they were replaced while they had opted out of texts).",
        _ => null,
    };

    /// <summary>
    /// The sessions each text is about, by the text's place in the list: its own, or for one text covering several
    /// notices, theirs. Texts about no session have no entry.
    /// </summary>
    private static async Task<List<SessionState>?[]> SessionsAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, IReadOnlyList<ResendCandidate> texts, CancellationToken cancellationToken)
    {
        var result = new List<SessionState>?[texts.Count];
        var own = new List<(int Text, long Session)>();
        var grouped = new List<(int Text, long Notice)>();
        for (var i = 0; i < texts.Count; i++)
        {
            if (texts[i].SessionId is { } session)
            {
                own.Add((i, session));
            }
            else if (GroupedNoticeKey().Match(texts[i].RootKey) is { Success: true } match)
            {
                grouped.AddRange(match.Groups[1].Value.Split('+').Select(n => (i, long.Parse(n, CultureInfo.InvariantCulture))));
            }
        }
        if (own.Count == 0 && grouped.Count == 0)
        {
            return result;
        }
        // Booked and moved-since depend on the text's worker and age, so each text is joined to its sessions first.
        var rows = await connection.QueryAsync<SessionState>(new CommandDefinition("""
            WITH about (item, session_id) AS (
                SELECT * FROM unnest(@ownItems, @ownSessions)
                UNION
                SELECT g.item, n.session_id
                FROM unnest(@groupedItems, @groupedNotices) AS g (item, notice_id)
                JOIN outreach.session_notices n ON n.id = g.notice_id
            ), t (item, worker_id, created_at) AS (
                SELECT * FROM unnest(@items, @workerIds, @createdAts)
            )
            SELECT about.item, s.id, s.title, s.status, s.starts_at, s.ends_at,
                   EXISTS (SELECT 1 FROM outreach.session_notices n
                           WHERE n.session_id = s.id AND n.kind = 'changed' AND n.created_at > t.created_at) AS moved_since,
                   EXISTS (SELECT 1 FROM outreach.session_records r WHERE r.session_id = s.id) AS recorded,
                   EXISTS (SELECT 1 FROM outreach.assignments a
                           WHERE a.session_id = s.id AND a.worker_id = t.worker_id AND a.status IN ('assigned', 'confirmed')) AS worker_booked
            FROM about
            JOIN t ON t.item = about.item
            JOIN outreach.sessions s ON s.id = about.session_id
            ORDER BY about.item, s.starts_at, s.id
            """, new
        {
            ownItems = own.Select(o => o.Text).ToArray(),
            ownSessions = own.Select(o => o.Session).ToArray(),
            groupedItems = grouped.Select(g => g.Text).ToArray(),
            groupedNotices = grouped.Select(g => g.Notice).ToArray(),
            items = Enumerable.Range(0, texts.Count).ToArray(),
            workerIds = texts.Select(t => t.WorkerId).ToArray(),
            createdAts = texts.Select(t => t.CreatedAt).ToArray(),
        }, transaction, cancellationToken: cancellationToken));
        foreach (var row in rows)
        {
            (result[row.Item] ??= []).Add(row);
        }
        return result;
    }

    private static async Task<Dictionary<int, ConfirmationState>> ConfirmationsAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, IReadOnlyList<ResendCandidate> texts, CancellationToken cancellationToken)
    {
        var asked = new List<(int Text, long Request)>();
        for (var i = 0; i < texts.Count; i++)
        {
            if (texts[i].Purpose == "confirmation" && ConfirmationKey().Match(texts[i].RootKey) is { Success: true } match)
            {
                asked.Add((i, long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture)));
            }
        }
        if (asked.Count == 0)
        {
            return [];
        }
        var rows = await connection.QueryAsync<ConfirmationState>(new CommandDefinition("""
            SELECT q.item, r.status AS request_status, a.status AS booking_status
            FROM unnest(@items, @requests) AS q (item, request_id)
            JOIN outreach.confirmation_requests r ON r.id = q.request_id
            JOIN outreach.assignments a ON a.id = r.assignment_id
            """, new { items = asked.Select(a => a.Text).ToArray(), requests = asked.Select(a => a.Request).ToArray() },
            transaction, cancellationToken: cancellationToken));
        return rows.ToDictionary(r => r.Item);
    }

    private static async Task<Dictionary<int, CoverState>> CoversAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, IReadOnlyList<ResendCandidate> texts, CancellationToken cancellationToken)
    {
        var offered = new List<(int Text, long Offer, long? Worker)>();
        for (var i = 0; i < texts.Count; i++)
        {
            if (texts[i].Purpose is "cover_offer" or "cover_escalation" && CoverKey().Match(texts[i].RootKey) is { Success: true } match)
            {
                offered.Add((i, long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), texts[i].WorkerId));
            }
        }
        if (offered.Count == 0)
        {
            return [];
        }
        var rows = await connection.QueryAsync<CoverState>(new CommandDefinition("""
            SELECT q.item, o.status, c.response, c.offer_id IS NOT NULL AS recipient
            FROM unnest(@items, @offers, @workers) AS q (item, offer_id, worker_id)
            JOIN outreach.cover_offers o ON o.id = q.offer_id
            LEFT JOIN outreach.cover_offer_recipients c ON c.offer_id = o.id AND c.worker_id = q.worker_id
            """, new
        {
            items = offered.Select(o => o.Text).ToArray(),
            offers = offered.Select(o => o.Offer).ToArray(),
            workers = offered.Select(o => o.Worker).ToArray(),
        }, transaction, cancellationToken: cancellationToken));
        return rows.ToDictionary(r => r.Item);
    }

    private static string Describe(SessionState s) =>
        $"{(string.IsNullOrWhiteSpace(s.Title) ? "the session" : s.Title)} on {UkTime.Format(s.StartsAt)}";

    private sealed record ConfirmationState(int Item, string RequestStatus, string BookingStatus);

    private sealed record CoverState(int Item, string Status, string? Response, bool Recipient);

    private sealed record SessionState(
        int Item, long Id, string Title, string Status, DateTime StartsAt, DateTime EndsAt, bool MovedSince, bool Recorded, bool WorkerBooked);

    [GeneratedRegex(@"^confirm:request:([0-9]+)$", RegexOptions.CultureInvariant)]
    private static partial Regex ConfirmationKey();

    [GeneratedRegex(@"^cover-(?:offer|escalated):([0-9]+)(?::|$)", RegexOptions.CultureInvariant)]
    private static partial Regex CoverKey();

    [GeneratedRegex(@"^notice:([0-9]+(?:\+[0-9]+)*):worker:", RegexOptions.CultureInvariant)]
    private static partial Regex GroupedNoticeKey();
}
