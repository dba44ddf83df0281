using Hangfire;
using Hangfire.PostgreSql;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
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
        var jobOptions = configuration.GetSection(JobOptions.Section).Get<JobOptions>() ?? new JobOptions();

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
        services.Configure<TwilioOptions>(options =>
        {
            configuration.GetSection(TwilioOptions.Section).Bind(options);
            if (options.StatusCallbackUrl is null
                && Uri.TryCreate(configuration["Site:PublicBaseUrl"]?.TrimEnd('/') + "/twilio/status", UriKind.Absolute, out var callback))
            {
                options.StatusCallbackUrl = callback;
            }
        });
        services.AddOptions<SmsOptions>().Bind(configuration.GetSection(SmsOptions.Section))
            .Validate(o => o.IsValid, "Sms settings: cap and rate must not be negative, and the sending lease must exceed the request timeout.");
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
        services.Configure<ReminderOptions>(configuration.GetSection(ReminderOptions.Section));
        services.AddTransient<SendOutboxJob>();
        services.AddTransient<ReminderJob>();
        services.AddTransient<ReminderScheduler>();
        services.AddTransient<CompileImpactJob>();
        services.AddTransient<Reports.MonthlyReportJob>();
        services.AddTransient<Reports.MonthlyReportRenderer>();
        services.AddTransient<CheckVenueImportJob>();
        services.AddTransient<CommitVenueImportJob>();
        services.AddOptions<Retention.RetentionOptions>().Bind(configuration.GetSection(Retention.RetentionOptions.Section))
            .Validate(o => o.IsValid, "Retention periods must be at least one month.");
        services.AddTransient<Retention.RetentionJob>();
        services.Configure<Messages.MessagingOptions>(configuration.GetSection(Messages.MessagingOptions.Section));
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
