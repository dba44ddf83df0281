using Hangfire;
using Hangfire.PostgreSql;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Outreach.Data;
using Outreach.Data.Messages;
using Outreach.Data.Settings;
using Outreach.Jobs.Reach;
using Outreach.Jobs.Reminders;
using Outreach.Jobs.Sms;
using Outreach.Jobs.Venues;

namespace Outreach.Jobs;

public static class JobsServiceCollectionExtensions
{
    /// <summary>Hangfire on PostgreSQL (its own "hangfire" schema), the SMS gateway and the job classes.</summary>
    public static IServiceCollection AddOutreachJobs(
        this IServiceCollection services, IConfiguration configuration, string connectionString, bool runServer)
    {
        services.AddOutreachSms(configuration);
        services.AddOutreachJobClasses(configuration);
        // Hangfire's storage and server are shaped by these, so they are read (and checked) now.
        var jobOptions = services.AddSettingsNow<JobOptions>(configuration, JobOptions.Section);

        services.AddHangfire(config => config
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UsePostgreSqlStorage(
                options => options.UseNpgsqlConnection(connectionString),
                new PostgreSqlStorageOptions
                {
                    SchemaName = "hangfire",
                    PrepareSchemaIfNecessary = true,
                    QueuePollInterval = jobOptions.PollInterval,
                    UseSlidingInvisibilityTimeout = true,
                    InvisibilityTimeout = TimeSpan.FromMinutes(5),
                }));

        if (runServer)
        {
            services.AddHangfireServer(options =>
            {
                options.WorkerCount = jobOptions.WorkerCount;
                options.SchedulePollingInterval = jobOptions.PollInterval;
                options.ServerCheckInterval = TimeSpan.FromMinutes(1);
            });
        }
        return services;
    }

    /// <summary>The SMS gateway: Twilio when credentials are configured, else the development gateway.</summary>
    public static IServiceCollection AddOutreachSms(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<TwilioOptions>().Bind(configuration.GetSection(TwilioOptions.Section))
            .Configure<IOptions<SiteOptions>>((options, site) => options.StatusCallbackUrl ??= new Uri(site.Value.Link("/twilio/status")))
            .ValidateDataAnnotations().ValidateOnStart();
        // Sms itself is bound by AddOutreachData: the data layer texts the on-call coordinator too.
        // The timeout bounds how long a request can be out, which the sending lease relies on.
        services.AddHttpClient<TwilioSmsGateway>((sp, http) => http.Timeout = sp.GetRequiredService<IOptions<SmsOptions>>().Value.RequestTimeout)
            .AddHttpMessageHandler(sp => new TwilioBaseUrlHandler(sp.GetRequiredService<IOptions<TwilioOptions>>().Value.ApiBaseUrl));
        services.AddTransient<DevelopmentSmsGateway>();
        services.AddTransient<ISmsGateway>(sp => sp.GetRequiredService<IOptions<TwilioOptions>>().Value.IsConfigured
            ? sp.GetRequiredService<TwilioSmsGateway>()
            : sp.GetRequiredService<DevelopmentSmsGateway>());
        return services;
    }

    /// <summary>The job classes Hangfire activates (one class per job).</summary>
    public static IServiceCollection AddOutreachJobClasses(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ReminderOptions>().Bind(configuration.GetSection(ReminderOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddTransient<SendOutboxJob>();
        services.AddTransient<ReminderJob>();
        services.AddTransient<ReminderScheduler>();
        services.AddTransient<CompileImpactJob>();
        services.AddTransient<Reports.MonthlyReportJob>();
        services.AddTransient<Reports.MonthlyReportRenderer>();
        services.AddTransient<CheckVenueImportJob>();
        services.AddTransient<CommitVenueImportJob>();
        services.AddOptions<Retention.RetentionOptions>().Bind(configuration.GetSection(Retention.RetentionOptions.Section))
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddTransient<Retention.RetentionJob>();
        services.AddTransient<Messages.ConfirmationJob>();
        services.AddTransient<Messages.CoverOfferJob>();
        services.AddTransient<Messages.SessionNoticeJob>();
        services.AddTransient<Messages.WeeklyRosterJob>();
        services.AddTransient<Messages.ReplyHandler>();
        services.AddTransient<FollowUpJobs>();
        services.AddTransient<Records.RecordChaserJob>();
        services.AddTransient<Engagements.FollowUpReminderJob>();
        return services;
    }
}
