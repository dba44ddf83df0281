using System.Globalization;
using System.Text;

namespace Outreach.Data.Messages;

public enum SmsEncoding
{
    Gsm7,
    Ucs2,
}

/// <summary>How a text travels: its encoding, how many parts the phone network bills, and its length in that encoding's units.</summary>
public sealed record RosterItem(string Title, string VenueName, DateTime StartsAt, DateTime EndsAt);

public sealed record SmsSize(SmsEncoding Encoding, int Segments, int Units);

/// <summary>
/// Plain-text SMS: the templates Outreach sends, and the GSM-7 rules behind them. A single character outside
/// GSM-7 (a smart quote pasted from a word processor) turns the whole message into UCS-2, which fits 70
/// characters a part instead of 160, so such characters are swapped for their GSM-7 look-alikes first.
/// </summary>
public static partial class SmsText
{
    /// <summary>What the log, the worker's texts page and every CSV show instead of a set-password link.</summary>
    public const string HiddenLink = "[set-password link: only the worker can see it]";

    [System.Text.RegularExpressions.GeneratedRegex(@"\S*/Account/Activate\?\S*", System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex SetPasswordLink();

    /// <summary>
    /// A text as anyone but its recipient may see it: a set-password link in it is replaced by <see cref="HiddenLink"/>,
    /// so nobody who reads the log (a coordinator, an administrator, a CSV) can use a worker's link as their own.
    /// </summary>
    public static string ForReaders(string body) => body.Contains("/Account/Activate", StringComparison.Ordinal)
        ? SetPasswordLink().Replace(body, HiddenLink)
        : body;

    private const string Basic =
        "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

    // Sent as an escape plus a character: each counts two.
    private const string Extension = "^{}\\[~]|€\f";

    private static readonly CultureInfo EnGb = CultureInfo.GetCultureInfo("en-GB");

    private static readonly Dictionary<char, string> Replacements = new()
    {
        ['\u2018'] = "'", ['\u2019'] = "'", ['\u201A'] = "'", ['\u201B'] = "'", ['\u2032'] = "'", ['\u00B4'] = "'", ['`'] = "'",
        ['\u2039'] = "'", ['\u203A'] = "'",
        ['\u201C'] = "\"", ['\u201D'] = "\"", ['\u201E'] = "\"", ['\u201F'] = "\"", ['\u2033'] = "\"", ['\u00AB'] = "\"", ['\u00BB'] = "\"",
        ['\u2010'] = "-", ['\u2011'] = "-", ['\u2012'] = "-", ['\u2013'] = "-", ['\u2014'] = "-", ['\u2015'] = "-", ['\u2212'] = "-",
        ['\u2026'] = "...", ['\u2022'] = "-", ['\u00B7'] = "-", ['\t'] = " ",
        ['\u00A0'] = " ", ['\u2007'] = " ", ['\u202F'] = " ", ['\u205F'] = " ", ['\u3000'] = " ",
        ['\u200B'] = "", ['\u200C'] = "", ['\u200D'] = "", ['\u2060'] = "", ['\uFEFF'] = "", ['\u00AD'] = "",
        ['\u00E7'] = "Ç", ['\u2122'] = "TM", ['\u00A9'] = "(c)", ['\u00AE'] = "(R)", ['\u00BD'] = "1/2", ['\u00BC'] = "1/4",
        ['\u00D7'] = "x", ['\u00F7'] = "/", ['\u2192'] = "->", ['\u2190'] = "<-", ['\r'] = "",
    };

    public static bool IsGsm(char c) => Basic.Contains(c, StringComparison.Ordinal) || Extension.Contains(c, StringComparison.Ordinal);

    /// <summary>
    /// The text with characters that would force UCS-2 replaced by GSM-7 equivalents (quotes, dashes, ellipsis,
    /// odd spaces; accents dropped where GSM-7 lacks the accented letter). Anything with no equivalent (emoji,
    /// other scripts) is kept, and <see cref="Size"/> then reports UCS-2.
    /// </summary>
    public static string ToGsm(string text)
    {
        var result = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (IsGsm(c) && c != '\r')
            {
                result.Append(c);
            }
            else if (Replacements.TryGetValue(c, out var replacement))
            {
                result.Append(replacement);
            }
            else if (char.IsWhiteSpace(c))
            {
                result.Append(' ');
            }
            else if (char.IsSurrogate(c))
            {
                result.Append(c);
            }
            else
            {
                // An accented letter GSM-7 lacks (á, ê, ï, ō ...) becomes its base letter when that one is GSM-7.
                var decomposed = c.ToString().Normalize(NormalizationForm.FormD);
                result.Append(decomposed.Length > 1 && IsGsm(decomposed[0]) ? decomposed[0] : c);
            }
        }
        return result.ToString();
    }

    /// <summary>Segments as the network counts them: 160 or 153 a part in GSM-7 (escaped characters count two and are never split), 70 or 67 in UCS-2.</summary>
    public static SmsSize Size(string text)
    {
        if (text.All(IsGsm))
        {
            var widths = text.Select(c => Extension.Contains(c, StringComparison.Ordinal) ? 2 : 1).ToList();
            return new SmsSize(SmsEncoding.Gsm7, Parts(widths, 160, 153), widths.Sum());
        }
        // UCS-2 counts UTF-16 code units; a surrogate pair (an emoji) is never split across parts.
        var units = new List<int>();
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                units.Add(2);
                i++;
            }
            else
            {
                units.Add(1);
            }
        }
        return new SmsSize(SmsEncoding.Ucs2, Parts(units, 70, 67), units.Sum());
    }

    public static int Segments(string text) => Size(text).Segments;

    private static int Parts(List<int> widths, int single, int perPart)
    {
        var total = widths.Sum();
        if (total == 0)
        {
            return 0;
        }
        if (total <= single)
        {
            return 1;
        }
        int parts = 1, used = 0;
        foreach (var w in widths)
        {
            if (used + w > perPart)
            {
                parts++;
                used = 0;
            }
            used += w;
        }
        return parts;
    }

    // The templates. Each is run through ToGsm, so a venue name typed with a smart apostrophe costs nothing.

    public static string When(DateTime startsAtUtc, DateTime endsAtUtc) =>
        $"{UkTime.ToLocal(startsAtUtc).ToString("ddd d MMM HH:mm", EnGb)}-{UkTime.ToLocal(endsAtUtc).ToString("HH:mm", EnGb)}";

    public static string What(string title, string venueName) =>
        $"{(string.IsNullOrWhiteSpace(title) ? "Outreach session" : title.Trim())} at {venueName.Trim()}";

    public static string ConfirmationRequest(string title, string venueName, DateTime startsAtUtc, DateTime endsAtUtc, string? code) =>
        ToGsm(code is null
            ? $"Outreach: you are booked for {What(title, venueName)}, {When(startsAtUtc, endsAtUtc)}. Reply YES to confirm or NO if you cannot go."
            : $"Outreach: you are booked for {What(title, venueName)}, {When(startsAtUtc, endsAtUtc)}. Reply YES {code} to confirm or NO {code} if you cannot go.");

    public static string CoverOffer(string title, string venueName, DateTime startsAtUtc, DateTime endsAtUtc, string code) =>
        ToGsm($"Outreach: cover needed for {What(title, venueName)}, {When(startsAtUtc, endsAtUtc)}. Reply YES {code} to take it (first YES gets it) or NO {code}.");

    public static string ChangeNotice(string title, string venueName, DateTime startsAtUtc, DateTime endsAtUtc) =>
        ToGsm($"Outreach CHANGE: your session is now {What(title, venueName)}, {When(startsAtUtc, endsAtUtc)}. Reply HELP if you cannot make it.");

    public static string CancelNotice(string title, string venueName, DateTime startsAtUtc, DateTime endsAtUtc, string reason) =>
        ToGsm($"Outreach CANCELLED: {What(title, venueName)}, {When(startsAtUtc, endsAtUtc)} will not go ahead ({reason.Trim()}). No need to attend.");

    public static string CoverFilledNotice(string title, DateTime startsAtUtc) =>
        ToGsm($"Outreach: cover for {(string.IsNullOrWhiteSpace(title) ? "the session" : title.Trim())} on {UkTime.ToLocal(startsAtUtc).ToString("ddd d MMM", EnGb)} is filled. No need to reply. Thanks.");

    public static string PlaceGivenAway(string title, string venueName, DateTime startsAtUtc, DateTime endsAtUtc) =>
        ToGsm($"Outreach: you did not confirm {What(title, venueName)}, {When(startsAtUtc, endsAtUtc)}, so it has gone to someone else. You are no longer booked.");

    public static string Escalation(string title, string venueName, DateTime startsAtUtc, DateTime endsAtUtc) =>
        ToGsm($"Outreach ALERT: no cover yet for {What(title, venueName)}, {When(startsAtUtc, endsAtUtc)}. Please arrange cover (see the dashboard).");

    /// <summary>
    /// The week's roster in at most <paramref name="maxSegments"/> parts: every session when they fit, else the count,
    /// as many of the first sessions as fit, and the link to the worker's sessions.
    /// </summary>
    public static string Roster(DateOnly monday, IReadOnlyList<RosterItem> items, string mySessionsUrl, int maxSegments = 3)
    {
        var head = $"Outreach roster w/c {monday.ToString("ddd d MMM", EnGb)}: ";
        var lines = items.Select(i => $"{When(i.StartsAt, i.EndsAt)} {What(i.Title, i.VenueName)}").Select(ToGsm).ToList();
        var full = ToGsm($"{head}{string.Join("; ", lines)}. My sessions: {mySessionsUrl}");
        if (Segments(full) <= maxSegments)
        {
            return full;
        }
        var count = $"{items.Count} sessions. ";
        var tail = $" All: {mySessionsUrl}";
        var summary = ToGsm($"{head}{count.TrimEnd()}{tail}");
        for (var n = 1; n <= lines.Count; n++)
        {
            var candidate = ToGsm($"{head}{count}First: {string.Join("; ", lines.Take(n))}.{tail}");
            if (Segments(candidate) > maxSegments)
            {
                break;
            }
            summary = candidate;
        }
        return summary;
    }

    /// <summary>
    /// Several sessions of one worker changed or cancelled at once (a series, this and following): one text, not one
    /// per session, listing as many as fit in <paramref name="maxSegments"/> parts.
    /// </summary>
    public static string GroupedNotice(bool cancelled, IReadOnlyList<RosterItem> items, string? reason, int maxSegments = 3)
    {
        var head = cancelled
            ? $"Outreach CANCELLED: {items.Count} of your sessions will not go ahead{(string.IsNullOrWhiteSpace(reason) ? "" : $" ({reason.Trim()})")}: "
            : $"Outreach CHANGE: {items.Count} of your sessions have moved. Now: ";
        var tail = cancelled ? " No need to attend." : " Reply HELP if you cannot make them.";
        var lines = items.Select(i => ToGsm($"{When(i.StartsAt, i.EndsAt)} {What(i.Title, i.VenueName)}")).ToList();
        var text = ToGsm($"{head}{lines[0]}.{tail}");
        for (var n = 1; n <= lines.Count; n++)
        {
            var more = lines.Count - n;
            var candidate = ToGsm($"{head}{string.Join("; ", lines.Take(n))}{(more > 0 ? $"; and {more} more" : "")}.{tail}");
            if (Segments(candidate) > maxSegments)
            {
                break;
            }
            text = candidate;
        }
        return text;
    }

    public const string Help =
        "Outreach texts: reply YES or NO (with the code if one is given) to confirm or decline, STOP to stop texts, START to restart. For anything else call your coordinator.";

    public const string OptedOut = "Outreach: you will get no more texts from us. Reply START to turn them back on.";

    public const string OptedIn = "Outreach: texts are back on. Reply STOP at any time to stop them.";

    public const string NothingWaiting = "Outreach: nothing is waiting for a YES or NO from you just now. Your coordinator will see your message.";

    public const string PassedOn = "Outreach: thanks, your message has been passed to your coordinator.";
}
