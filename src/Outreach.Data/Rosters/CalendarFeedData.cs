using System.Security.Cryptography;
using System.Text;
using Dapper;
using Ical.Net;
using Ical.Net.CalendarComponents;
using Ical.Net.DataTypes;
using Ical.Net.Serialization;
using Npgsql;

namespace Outreach.Data.Rosters;

public sealed record FeedSession(
    long Id, string Title, string Kind, string VenueName, string Address, string Postcode, DateTime StartsAt,
    DateTime EndsAt, string Status, int Version);

/// <summary>
/// A youth worker's sessions as an iCalendar feed at a secret address, for their phone's calendar.
/// Times carry TZID=Europe/London so phones show UK time across both clock changes.
/// </summary>
public sealed class CalendarFeedData(NpgsqlDataSource dataSource, TimeProvider clock)
{
    private const string TimeZoneId = "Europe/London";

    /// <summary>Makes a new secret for the worker signed in as <paramref name="userId"/>, replacing any old one.</summary>
    /// <returns>The token to put in the address, or null when the user is not a youth worker.</returns>
    public async Task<string?> ResetTokenAsync(long userId, CancellationToken cancellationToken)
    {
        var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', '-').Replace('/', '_');
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE outreach.youth_workers SET calendar_token_hash = @hash, updated_at = now() WHERE user_id = @userId",
            new { userId, hash = Hash(token) }, cancellationToken: cancellationToken));
        return rows == 1 ? token : null;
    }

    public async Task<bool> HasTokenAsync(long userId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM outreach.youth_workers WHERE user_id = @userId AND calendar_token_hash IS NOT NULL)",
            new { userId }, cancellationToken: cancellationToken));
    }

    /// <returns>The feed's text, or null when no worker has this token.</returns>
    public async Task<string?> FeedAsync(string token, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var workerId = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT id FROM outreach.youth_workers WHERE calendar_token_hash = @hash AND active",
            new { hash = Hash(token) }, cancellationToken: cancellationToken));
        if (workerId is null)
        {
            return null;
        }
        var now = clock.GetUtcNow().UtcDateTime;
        var sessions = await connection.QueryAsync<FeedSession>(new CommandDefinition("""
            SELECT s.id, s.title, s.kind, v.name AS venue_name, v.address, v.postcode, s.starts_at, s.ends_at, s.status, s.version
            FROM outreach.assignments a
            JOIN outreach.sessions s ON s.id = a.session_id
            JOIN outreach.venues v ON v.id = s.venue_id
            WHERE a.worker_id = @workerId AND a.status IN ('assigned', 'confirmed')
              AND s.ends_at >= @from AND s.starts_at < @to
            ORDER BY s.starts_at
            """, new { workerId, from = now.AddDays(-30), to = now.AddDays(180) }, cancellationToken: cancellationToken));
        return Render(sessions);
    }

    public static string Render(IEnumerable<FeedSession> sessions)
    {
        var calendar = new Calendar();
        calendar.AddProperty("X-WR-CALNAME", "Outreach sessions");
        calendar.AddTimeZone(VTimeZone.FromDateTimeZone(TimeZoneId));
        foreach (var s in sessions)
        {
            var title = string.IsNullOrWhiteSpace(s.Title) ? Sessions.SessionKinds.Label(s.Kind) : s.Title;
            calendar.Events.Add(new CalendarEvent
            {
                Uid = $"session-{s.Id}@outreach",
                Sequence = s.Version,
                Summary = s.Status == "cancelled" ? "Cancelled: " + title : title,
                Location = string.Join(", ", new[] { s.VenueName, s.Address, s.Postcode }.Where(p => !string.IsNullOrWhiteSpace(p))),
                DtStart = new CalDateTime(UkTime.ToLocal(s.StartsAt), TimeZoneId),
                DtEnd = new CalDateTime(UkTime.ToLocal(s.EndsAt), TimeZoneId),
                Status = s.Status == "cancelled" ? "CANCELLED" : "CONFIRMED",
            });
        }
        return new CalendarSerializer().SerializeToString(calendar) ?? "";
    }

    private static string Hash(string token) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}
