using Microsoft.Extensions.Time.Testing;
using Twilio.Clients;
using Twilio.Exceptions;
using Twilio.Rest.Api.V2010.Account;
using Twilio.Types;

namespace Outreach.Tests.Infrastructure;

// The fake is only worth having if the real Twilio library accepts its answers.
public sealed class FakeTwilioServerTests
{
    private static readonly PhoneNumber Sender = new("+447700900001");

    [Fact]
    public async Task The_Twilio_library_sends_a_message_through_the_fake()
    {
        await using var fake = await FakeTwilioServer.StartAsync();
        using var http = HttpClientFor(fake);

        var message = await MessageResource.CreateAsync(
            to: new PhoneNumber("+447400123456"),
            from: Sender,
            body: "Assembly at Park School, Tue 09:00",
            statusCallback: new Uri("https://outreach.example/sms/status"),
            client: Client(fake, http));

        Assert.Matches("^SM[0-9a-f]{32}$", message.Sid);
        Assert.Equal(MessageResource.StatusEnum.Queued, message.Status);
        Assert.Equal(fake.AccountSid, message.AccountSid);
        Assert.Equal("+447400123456", message.To);
        Assert.Equal("Assembly at Park School, Tue 09:00", message.Body);
        Assert.Equal(MessageResource.DirectionEnum.OutboundApi, message.Direction);
        Assert.NotNull(message.DateCreated);

        var request = Assert.Single(fake.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal($"/2010-04-01/Accounts/{fake.AccountSid}/Messages.json", request.Path);
        Assert.Equal(201, request.StatusCode);
        Assert.Equal("+447400123456", request.Form["To"]);
        Assert.Equal("+447700900001", request.Form["From"]);
        Assert.Equal("Assembly at Park School, Tue 09:00", request.Form["Body"]);
        Assert.Equal("https://outreach.example/sms/status", request.Form["StatusCallback"]);
        Assert.Equal(message.Sid, Assert.Single(fake.Sent).Sid);
    }

    [Fact]
    public async Task The_Twilio_library_lists_the_messages_sent_to_a_number_on_a_day()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2030, 3, 14, 16, 30, 0, TimeSpan.Zero));
        await using var fake = await FakeTwilioServer.StartAsync(clock: clock);
        using var http = HttpClientFor(fake);
        var client = Client(fake, http);

        var wanted = await MessageResource.CreateAsync(to: new PhoneNumber("+447700900200"), from: Sender, body: "one", client: client);
        await MessageResource.CreateAsync(to: new PhoneNumber("+447700900300"), from: Sender, body: "other number", client: client);
        clock.Advance(TimeSpan.FromDays(1));
        await MessageResource.CreateAsync(to: new PhoneNumber("+447700900200"), from: Sender, body: "next day", client: client);

        var toNumber = await MessageResource.ReadAsync(to: new PhoneNumber("+447700900200"), client: client);
        var onTheDay = await MessageResource.ReadAsync(
            to: new PhoneNumber("+447700900200"), dateSent: new DateTime(2030, 3, 14, 0, 0, 0, DateTimeKind.Utc), client: client);

        Assert.Equal(["next day", "one"], toNumber.Select(m => m.Body));
        var listed = Assert.Single(onTheDay);
        Assert.Equal(wanted.Sid, listed.Sid);
        Assert.Equal(new DateTime(2030, 3, 14, 16, 30, 0, DateTimeKind.Utc), listed.DateCreated?.ToUniversalTime());
    }

    [Fact]
    public async Task The_Twilio_library_follows_the_pages_of_a_long_list()
    {
        await using var fake = await FakeTwilioServer.StartAsync();
        using var http = HttpClientFor(fake);
        var client = Client(fake, http);
        for (var i = 0; i < 5; i++)
        {
            await MessageResource.CreateAsync(to: new PhoneNumber("+447700900400"), from: Sender, body: $"message {i}", client: client);
        }

        var all = await MessageResource.ReadAsync(to: new PhoneNumber("+447700900400"), pageSize: 2, client: client);

        Assert.Equal(5, all.Select(m => m.Sid).Distinct().Count());
        Assert.Equal(3, fake.Requests.Count(r => r.Method == "GET"));
    }

    [Fact]
    public async Task An_injected_server_error_surfaces_as_a_Twilio_ApiException_once()
    {
        await using var fake = await FakeTwilioServer.StartAsync();
        using var http = HttpClientFor(fake);
        var client = Client(fake, http);
        fake.FailNext(1, 500, 20500, "Internal Server Error");

        var error = await Assert.ThrowsAsync<ApiException>(() =>
            MessageResource.CreateAsync(to: new PhoneNumber("+447700900500"), from: Sender, body: "retry me", client: client));
        var retried = await MessageResource.CreateAsync(to: new PhoneNumber("+447700900500"), from: Sender, body: "retry me", client: client);

        Assert.Equal(20500, error.Code);
        Assert.Equal(500, error.Status);
        Assert.Equal("https://www.twilio.com/docs/errors/20500", error.MoreInfo);
        Assert.Equal([500, 201], fake.Requests.Select(r => r.StatusCode));
        Assert.Equal(retried.Sid, Assert.Single(fake.Sent).Sid);
    }

    [Fact]
    public async Task Wrong_credentials_are_refused_like_Twilio_refuses_them()
    {
        await using var fake = await FakeTwilioServer.StartAsync();
        using var http = HttpClientFor(fake);
        var client = new TwilioRestClient(fake.AccountSid, "not-the-token", httpClient: new Twilio.Http.SystemNetHttpClient(http));

        var error = await Assert.ThrowsAsync<ApiException>(() =>
            MessageResource.CreateAsync(to: new PhoneNumber("+447700900600"), from: Sender, body: "nope", client: client));

        Assert.Equal(20003, error.Code);
        Assert.Equal(401, error.Status);
        Assert.Empty(fake.Sent);
    }

    [Fact]
    public async Task An_invalid_number_is_refused_with_error_21211()
    {
        await using var fake = await FakeTwilioServer.StartAsync();
        using var http = HttpClientFor(fake);

        var error = await Assert.ThrowsAsync<ApiException>(() =>
            MessageResource.CreateAsync(to: new PhoneNumber("07700 900"), from: Sender, body: "hello", client: Client(fake, http)));

        Assert.Equal(21211, error.Code);
        Assert.Equal(400, error.Status);
        Assert.Empty(fake.Sent);
    }

    [Fact]
    public async Task A_message_cut_off_after_accepting_is_stored_but_the_library_gets_no_answer()
    {
        await using var fake = await FakeTwilioServer.StartAsync();
        using var http = HttpClientFor(fake);
        fake.DropNextAfterAccept();

        await Assert.ThrowsAsync<ApiConnectionException>(() =>
            MessageResource.CreateAsync(to: new PhoneNumber("+447700900700"), from: Sender, body: "cut off", client: Client(fake, http)));
        var listed = await MessageResource.ReadAsync(
            new ReadMessageOptions { To = new PhoneNumber("+447700900700"), DateSentAfter = DateTime.UtcNow.AddMinutes(-5) }, Client(fake, http));

        Assert.Equal(1, fake.ReceivedCount("cut off"));
        Assert.Equal("cut off", Assert.Single(listed).Body);
    }

    [Fact]
    public async Task Injected_faults_are_repeatable_for_a_seed_and_only_hit_sending()
    {
        async Task<List<int>> RunAsync()
        {
            await using var fake = await FakeTwilioServer.StartAsync();
            using var http = HttpClientFor(fake);
            fake.InjectFaults(0.5, seed: 3, slow: TimeSpan.FromMilliseconds(10));
            for (var i = 0; i < 20; i++)
            {
                try
                {
                    await MessageResource.CreateAsync(to: new PhoneNumber("+447700900800"), from: Sender, body: $"m{i}", client: Client(fake, http));
                }
                catch (Exception e) when (e is ApiException or ApiConnectionException)
                {
                }
            }
            await MessageResource.ReadAsync(to: new PhoneNumber("+447700900800"), client: Client(fake, http));
            Assert.Equal(200, fake.Requests[^1].StatusCode);
            return [.. fake.Requests.Select(r => r.StatusCode)];
        }

        var first = await RunAsync();
        Assert.Equal(first, await RunAsync());
        Assert.Contains(500, first);
        Assert.Contains(429, first);
        Assert.Contains(0, first);
    }

    private static TwilioRestClient Client(FakeTwilioServer fake, HttpClient http) =>
        new(fake.AccountSid, fake.AuthToken, httpClient: new Twilio.Http.SystemNetHttpClient(http));

// The product's own handler points Twilio's library (which always calls api.twilio.com) at the fake.
#pragma warning disable CA2000 // The HttpClient owns the handler and disposes it.
    private static HttpClient HttpClientFor(FakeTwilioServer fake) =>
        new(new Outreach.Jobs.Sms.TwilioBaseUrlHandler(fake.BaseUrl) { InnerHandler = new SocketsHttpHandler() }, disposeHandler: true);
#pragma warning restore CA2000
}
