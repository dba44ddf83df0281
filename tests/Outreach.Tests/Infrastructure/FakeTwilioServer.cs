using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Outreach.Tests.Infrastructure;

public sealed record FakeTwilioRequest(
    string Method,
    string Path,
    IReadOnlyDictionary<string, string> Query,
    IReadOnlyDictionary<string, string> Form,
    int StatusCode,
    DateTimeOffset ReceivedAt);

public sealed record FakeTwilioMessage(
    string Sid,
    string AccountSid,
    string To,
    string? From,
    string? MessagingServiceSid,
    string Body,
    string? StatusCallback,
    DateTimeOffset DateCreated);

/// <summary>
/// Twilio's Messages API on a loopback port: enough of it for the product's SMS gateway and for the real
/// Twilio library to talk to. Twilio's library always calls https://api.twilio.com, so point it here
/// through an HttpClient whose handler rewrites the scheme, host and port to <see cref="BaseUrl"/>.
/// </summary>
public sealed partial class FakeTwilioServer : IAsyncDisposable
{
    private const string ApiVersion = "2010-04-01";

    private readonly WebApplication app;
    private readonly TimeProvider clock;
    private readonly Lock gate = new();
    private readonly List<FakeTwilioRequest> requests = [];
    private readonly List<FakeTwilioMessage> sent = [];
    private readonly Queue<(int Status, int Code, string Message)> failures = new();
    private readonly Queue<Fault> createFaults = new();
    private readonly Dictionary<string, int> receivedByBody = new(StringComparer.Ordinal);
    private Random? faultDice;
    private double faultRate;
    private TimeSpan slowAnswer;

    private FakeTwilioServer(WebApplication app, string accountSid, string authToken, TimeProvider clock)
    {
        this.app = app;
        AccountSid = accountSid;
        AuthToken = authToken;
        this.clock = clock;
    }

    public string AccountSid { get; }

    public string AuthToken { get; }

    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>Every request received, in order, including the refused ones.</summary>
    public IReadOnlyList<FakeTwilioRequest> Requests
    {
        get
        {
            lock (gate)
            {
                return [.. requests];
            }
        }
    }

    /// <summary>The messages accepted (answered 201), in order.</summary>
    public IReadOnlyList<FakeTwilioMessage> Sent
    {
        get
        {
            lock (gate)
            {
                return [.. sent];
            }
        }
    }

    /// <param name="accountSid">Defaults to a random AC… SID.</param>
    /// <param name="authToken">Defaults to a random token.</param>
    /// <param name="clock">Stamps date_created; pass the test's FakeTimeProvider to control it.</param>
    public static async Task<FakeTwilioServer> StartAsync(
        string? accountSid = null, string? authToken = null, TimeProvider? clock = null)
    {
        // The empty builder reads no appsettings or environment, so nothing can move it off loopback.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().UseUrls("http://127.0.0.1:0");
        var app = builder.Build();

        var server = new FakeTwilioServer(
            app,
            accountSid ?? "AC" + Guid.NewGuid().ToString("N"),
            authToken ?? Guid.NewGuid().ToString("N"),
            clock ?? TimeProvider.System);
        app.Run(server.HandleAsync);

        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        server.BaseUrl = new Uri(address);
        return server;
    }

    /// <summary>
    /// Answers the next <paramref name="count"/> requests with <paramref name="status"/> and Twilio error
    /// <paramref name="code"/> (e.g. 500/20500, 429/20429, 400/21211) instead of handling them.
    /// </summary>
    public void FailNext(int count, int status, int code, string? message = null)
    {
        lock (gate)
        {
            for (var i = 0; i < count; i++)
            {
                failures.Enqueue((status, code, message ?? $"Injected failure {code}"));
            }
        }
    }

    /// <summary>The next <paramref name="count"/> messages are stored, then the connection is cut with no answer.</summary>
    public void DropNextAfterAccept(int count = 1) => PlanCreateFaults(count, new Fault(FaultKind.DropAfterAccept, TimeSpan.Zero));

    /// <summary>The next <paramref name="count"/> messages are stored and answered after <paramref name="delay"/>.</summary>
    public void DelayNext(int count, TimeSpan delay) => PlanCreateFaults(count, new Fault(FaultKind.Delay, delay));

    /// <summary>
    /// From now on each message sent fails with probability <paramref name="rate"/>, evenly among: 500 and
    /// 429 (not stored), stored then cut off, and stored then answered after <paramref name="slow"/>.
    /// Seeded, so a run's mix of faults is repeatable.
    /// </summary>
    public void InjectFaults(double rate, int seed, TimeSpan slow)
    {
        lock (gate)
        {
            faultDice = new Random(seed);
            faultRate = rate;
            slowAnswer = slow;
        }
    }

    public void StopFaults()
    {
        lock (gate)
        {
            faultDice = null;
        }
    }

    /// <summary>How many times a message with this exact text was stored (sent), whatever the caller heard.</summary>
    public int ReceivedCount(string body)
    {
        lock (gate)
        {
            return receivedByBody.GetValueOrDefault(body);
        }
    }

    /// <summary>Stored messages per text.</summary>
    public IReadOnlyDictionary<string, int> ReceivedByBody
    {
        get
        {
            lock (gate)
            {
                return new Dictionary<string, int>(receivedByBody, StringComparer.Ordinal);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var form = request.HasFormContentType
            ? Flatten(await request.ReadFormAsync(context.RequestAborted))
            : new Dictionary<string, string>(StringComparer.Ordinal);
        var query = Flatten(request.Query);
        var received = clock.GetUtcNow();

        var fault = request.Method == "POST" ? NextCreateFault() : null;
        var (status, body) = fault is { Kind: FaultKind.Error } error
            ? Error(error.Status, error.Code, $"Injected failure {error.Code}")
            : Answer(request.Method, request.Path.Value ?? "", query, form, received, Authorized(request));

        lock (gate)
        {
            // Recorded before the response leaves, so a caller that has its answer also sees the record.
            requests.Add(new FakeTwilioRequest(request.Method, request.Path.Value ?? "", query, form,
                fault is { Kind: FaultKind.DropAfterAccept } ? 0 : status, received));
        }
        if (fault is { Kind: FaultKind.DropAfterAccept })
        {
            context.Abort();
            return;
        }
        if (fault is { Kind: FaultKind.Delay } slow)
        {
            await Task.Delay(slow.Delay, CancellationToken.None);
        }

        context.Response.StatusCode = status;
        if (status == StatusCodes.Status401Unauthorized)
        {
            context.Response.Headers.WWWAuthenticate = "Basic realm=\"Twilio API\"";
        }
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted);
    }

    private (int Status, JsonNode Body) Answer(
        string method,
        string path,
        Dictionary<string, string> query,
        Dictionary<string, string> form,
        DateTimeOffset now,
        bool authorized)
    {
        if (!authorized)
        {
            return Error(StatusCodes.Status401Unauthorized, 20003, "Authenticate");
        }

        lock (gate)
        {
            if (failures.TryDequeue(out var failure))
            {
                return Error(failure.Status, failure.Code, failure.Message);
            }
        }

        var route = MessagesRoute().Match(path);
        if (!route.Success)
        {
            return Error(StatusCodes.Status404NotFound, 20404, $"The requested resource {path} was not found");
        }
        if (!string.Equals(route.Groups["account"].Value, AccountSid, StringComparison.Ordinal))
        {
            return Error(StatusCodes.Status404NotFound, 20404, $"The requested resource {path} was not found");
        }

        var sid = route.Groups["sid"];
        return (method, sid.Success) switch
        {
            ("POST", false) => Create(form, now),
            ("GET", false) => List(query),
            ("GET", true) => Fetch(sid.Value, path),
            _ => Error(StatusCodes.Status405MethodNotAllowed, 20004, "Method not allowed"),
        };
    }

    private (int, JsonNode) Create(Dictionary<string, string> form, DateTimeOffset now)
    {
        var to = form.GetValueOrDefault("To");
        var from = form.GetValueOrDefault("From");
        var service = form.GetValueOrDefault("MessagingServiceSid");
        var body = form.GetValueOrDefault("Body");

        if (string.IsNullOrEmpty(to))
        {
            return Error(StatusCodes.Status400BadRequest, 21604, "A 'To' phone number is required.");
        }
        if (!E164().IsMatch(to))
        {
            return Error(StatusCodes.Status400BadRequest, 21211, $"Invalid 'To' Phone Number: {to}");
        }
        if (string.IsNullOrEmpty(from) && string.IsNullOrEmpty(service))
        {
            return Error(StatusCodes.Status400BadRequest, 21603, "A 'From' phone number is required.");
        }
        if (string.IsNullOrEmpty(body))
        {
            return Error(StatusCodes.Status400BadRequest, 21602, "Message body is required.");
        }

        var message = new FakeTwilioMessage(
            "SM" + Guid.NewGuid().ToString("N"),
            AccountSid,
            to,
            string.IsNullOrEmpty(from) ? null : from,
            string.IsNullOrEmpty(service) ? null : service,
            body,
            form.GetValueOrDefault("StatusCallback"),
            now);
        lock (gate)
        {
            sent.Add(message);
            receivedByBody[body] = receivedByBody.GetValueOrDefault(body) + 1;
        }
        return (StatusCodes.Status201Created, Resource(message, listed: false));
    }

    private (int, JsonNode) Fetch(string sid, string path)
    {
        var message = Sent.FirstOrDefault(m => string.Equals(m.Sid, sid, StringComparison.Ordinal));
        return message is null
            ? Error(StatusCodes.Status404NotFound, 20404, $"The requested resource {path} was not found")
            : (StatusCodes.Status200OK, Resource(message, listed: true));
    }

    private (int, JsonNode) List(Dictionary<string, string> query)
    {
        IEnumerable<FakeTwilioMessage> matches = Sent;
        if (query.TryGetValue("To", out var to))
        {
            matches = matches.Where(m => string.Equals(m.To, to, StringComparison.Ordinal));
        }
        if (query.TryGetValue("From", out var from))
        {
            matches = matches.Where(m => string.Equals(m.From, from, StringComparison.Ordinal));
        }
        // The library sends DateSent</DateSent> (on the wire "DateSent<=" and "DateSent>="): inclusive.
        if (query.TryGetValue("DateSent", out var on))
        {
            var day = ParseDate(on).UtcDateTime.Date;
            matches = matches.Where(m => m.DateCreated.UtcDateTime.Date == day);
        }
        if (query.TryGetValue("DateSent<", out var before))
        {
            matches = matches.Where(m => Compare(m.DateCreated, before) <= 0);
        }
        if (query.TryGetValue("DateSent>", out var after))
        {
            matches = matches.Where(m => Compare(m.DateCreated, after) >= 0);
        }

        var all = matches.Reverse().ToList(); // Twilio lists the newest first.
        var pageSize = query.TryGetValue("PageSize", out var size) ? Math.Clamp(int.Parse(size, CultureInfo.InvariantCulture), 1, 1000) : 50;
        var page = query.TryGetValue("Page", out var number) ? int.Parse(number, CultureInfo.InvariantCulture) : 0;
        var records = all.Skip(page * pageSize).Take(pageSize).ToList();

        var filters = query
            .Where(p => p.Key is not ("Page" or "PageSize" or "PageToken"))
            .Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}")
            .ToList();
        string PageUri(int n) =>
            $"/{ApiVersion}/Accounts/{AccountSid}/Messages.json?{string.Join('&', [.. filters, $"PageSize={pageSize}", $"Page={n}"])}";

        var messages = new JsonArray();
        foreach (var message in records)
        {
            messages.Add(Resource(message, listed: true));
        }
        var json = new JsonObject
        {
            ["messages"] = messages,
            ["page"] = page,
            ["page_size"] = pageSize,
            ["start"] = page * pageSize,
            ["end"] = page * pageSize + Math.Max(records.Count - 1, 0),
            ["uri"] = PageUri(page),
            ["first_page_uri"] = PageUri(0),
            ["previous_page_uri"] = page > 0 ? PageUri(page - 1) : null,
            ["next_page_uri"] = (page + 1) * pageSize < all.Count ? PageUri(page + 1) : null,
        };
        return (StatusCodes.Status200OK, json);
    }

    // A message as Twilio returns it: "queued" in the answer to the create; by the time anyone lists it,
    // Twilio would have handed it to the carrier, so a listed message is "sent" with a date_sent.
    private static JsonObject Resource(FakeTwilioMessage message, bool listed)
    {
        var uri = $"/{ApiVersion}/Accounts/{message.AccountSid}/Messages/{message.Sid}.json";
        return new JsonObject
        {
            ["sid"] = message.Sid,
            ["account_sid"] = message.AccountSid,
            ["api_version"] = ApiVersion,
            ["to"] = message.To,
            ["from"] = message.From,
            ["messaging_service_sid"] = message.MessagingServiceSid,
            ["body"] = message.Body,
            ["status"] = listed ? "sent" : "queued",
            ["num_segments"] = "1",
            ["num_media"] = "0",
            ["direction"] = "outbound-api",
            ["date_created"] = Rfc2822(message.DateCreated),
            ["date_updated"] = Rfc2822(message.DateCreated),
            ["date_sent"] = listed ? Rfc2822(message.DateCreated) : null,
            ["price"] = null,
            ["price_unit"] = "USD",
            ["error_code"] = null,
            ["error_message"] = null,
            ["uri"] = uri,
            ["subresource_uris"] = new JsonObject
            {
                ["media"] = uri.Replace(".json", "/Media.json", StringComparison.Ordinal),
                ["feedback"] = uri.Replace(".json", "/Feedback.json", StringComparison.Ordinal),
            },
        };
    }

    private static (int, JsonNode) Error(int status, int code, string message) =>
        (status, new JsonObject
        {
            ["code"] = code,
            ["message"] = message,
            ["more_info"] = $"https://www.twilio.com/docs/errors/{code}",
            ["status"] = status,
        });

    private bool Authorized(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        try
        {
            var credentials = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..].Trim()));
            return string.Equals(credentials, $"{AccountSid}:{AuthToken}", StringComparison.Ordinal);
        }
        catch (FormatException)
        {
            return false;
        }
    }

    // "Thu, 30 Jul 2015 20:12:31 +0000", as Twilio writes dates.
    private static string Rfc2822(DateTimeOffset value) =>
        value.UtcDateTime.ToString("ddd, dd MMM yyyy HH:mm:ss '+0000'", CultureInfo.InvariantCulture);

    private static DateTimeOffset ParseDate(string value) =>
        DateTimeOffset.Parse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    // A bare date compares by day; a timestamp compares by instant.
    private static int Compare(DateTimeOffset sent, string filter)
    {
        var bound = ParseDate(filter);
        return filter.Length <= 10
            ? sent.UtcDateTime.Date.CompareTo(bound.UtcDateTime.Date)
            : sent.CompareTo(bound);
    }

    private static Dictionary<string, string> Flatten(IEnumerable<KeyValuePair<string, Microsoft.Extensions.Primitives.StringValues>> values) =>
        values.ToDictionary(p => p.Key, p => p.Value.ToString(), StringComparer.Ordinal);

    private void PlanCreateFaults(int count, Fault fault)
    {
        lock (gate)
        {
            for (var i = 0; i < count; i++)
            {
                createFaults.Enqueue(fault);
            }
        }
    }

    private Fault? NextCreateFault()
    {
        lock (gate)
        {
            if (createFaults.TryDequeue(out var planned))
            {
                return planned;
            }
            if (faultDice is null || faultDice.NextDouble() >= faultRate)
            {
                return null;
            }
            return faultDice.Next(4) switch
            {
                0 => new Fault(FaultKind.Error, TimeSpan.Zero, 500, 20500),
                1 => new Fault(FaultKind.Error, TimeSpan.Zero, 429, 20429),
                2 => new Fault(FaultKind.DropAfterAccept, TimeSpan.Zero),
                _ => new Fault(FaultKind.Delay, slowAnswer),
            };
        }
    }

    private enum FaultKind { Error, DropAfterAccept, Delay }

    private sealed record Fault(FaultKind Kind, TimeSpan Delay, int Status = 0, int Code = 0);

    [GeneratedRegex(@"^/2010-04-01/Accounts/(?<account>[^/]+)/Messages(/(?<sid>[^/]+))?\.json$")]
    private static partial Regex MessagesRoute();

    [GeneratedRegex(@"^\+[1-9][0-9]{6,14}$")]
    private static partial Regex E164();
}
