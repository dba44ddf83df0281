using Hangfire;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Outreach.Data;
using Outreach.Jobs;
using Outreach.Tests.Infrastructure;

namespace Outreach.Tests.Jobs;

/// <summary>
/// The job classes wired as in production (real data layer, real Twilio library), but run by the test
/// instead of a Hangfire server: the clock is fake and enqueued follow-up jobs are recorded.
/// </summary>
public sealed class JobHarness : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private JobHarness(ServiceProvider services, FakeTwilioServer twilio, FakeTimeProvider clock, RecordingJobClient jobs)
    {
        _services = services;
        Twilio = twilio;
        Clock = clock;
        Jobs = jobs;
    }

    public const string OnCallMobile = "+447400900111";

    public FakeTwilioServer Twilio { get; }

    public FakeTimeProvider Clock { get; }

    public RecordingJobClient Jobs { get; }

    public NpgsqlDataSource DataSource => _services.GetRequiredService<NpgsqlDataSource>();

    public T Get<T>() where T : notnull => _services.GetRequiredService<T>();

    /// <param name="settings">More configuration, e.g. ["Sms:DailyCap"] = "3".</param>
    public static async Task<JobHarness> StartAsync(
        string connectionString, DateTimeOffset now, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var clock = new FakeTimeProvider(now);
        // The fake dates its messages by the test's clock, as Twilio would by the same moment's real one.
        var twilio = await FakeTwilioServer.StartAsync(clock: clock);
        var values = new Dictionary<string, string?>
        {
            ["Twilio:AccountSid"] = twilio.AccountSid,
            ["Twilio:AuthToken"] = twilio.AuthToken,
            ["Twilio:FromNumber"] = "+447700900999",
            ["Twilio:ApiBaseUrl"] = twilio.BaseUrl.ToString(),
            // Pacing waits in real time; tests check the pacing itself through the slot allocation.
            ["Sms:MessagesPerSecond"] = "0",
            ["Sms:OnCallCoordinatorMobile"] = OnCallMobile,
            ["Site:PublicBaseUrl"] = "https://outreach.example",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var jobs = new RecordingJobClient();
        var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton<TimeProvider>(clock)
            .AddSingleton<IBackgroundJobClient>(jobs)
            .AddSingleton<IConfiguration>(configuration)
            .AddOutreachData(connectionString)
            .AddOutreachSms(configuration)
            .AddOutreachJobClasses(configuration)
            .BuildServiceProvider();
        return new JobHarness(services, twilio, clock, jobs);
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await Twilio.DisposeAsync();
    }
}
