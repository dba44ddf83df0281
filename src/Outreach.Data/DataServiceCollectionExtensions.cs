using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;
using Outreach.Data.ApiKeys;
using Outreach.Data.ClosedDays;
using Outreach.Data.Database;
using Outreach.Data.Demo;
using Outreach.Data.Messages;
using Outreach.Data.Reach;
using Outreach.Data.Reminders;
using Outreach.Data.Rosters;
using Outreach.Data.Records;
using Outreach.Data.Sessions;
using Outreach.Data.Venues;
using Outreach.Data.Workers;
using Outreach.Data.Settings;
using Microsoft.Extensions.Options;

namespace Outreach.Data;

public static class DataServiceCollectionExtensions
{
    /// <param name="maxConnections">
    /// At most this many database connections at once; without it, the <c>Database:MaxConnections</c> setting, or
    /// else the connection string's Maximum Pool Size. Requests beyond it wait their turn in this process, which
    /// keeps response times even: PostgreSQL given many more busy connections than it has cores spends the
    /// difference switching between them.
    /// </param>
    public static IServiceCollection AddOutreachData(this IServiceCollection services, string connectionString, int? maxConnections = null)
    {
        services.TryAddSingleton(TimeProvider.System);
        if (maxConnections is < 2)
        {
            // One connection is held all the time by the site's calendar-change listener.
            throw new InvalidOperationException("Database:MaxConnections must be at least 2.");
        }
        services.AddSettings<DatabaseOptions>(DatabaseOptions.Section);
        services.AddSettings<DemoOptions>(DemoOptions.Section);
        services.AddSettings<SmsOptions>(SmsOptions.Section);
        services.AddSettings<SiteOptions>(SiteOptions.Section);
        services.AddSettings<SchedulingOptions>(SchedulingOptions.Section)
            .Validate(o => o.TravelBufferMinutes is >= 0 and <= 24 * 60, "Scheduling:TravelBufferMinutes must be whole minutes from 0 to 1440.");
        services.AddSingleton(provider =>
        {
            // No automatic preparing: a prepared statement may get PostgreSQL's generic plan, which for an ordinary
            // query can be many times slower than the plan for the actual values. The few statements that gain
            // are prepared explicitly, written so that their plan does not depend on the values.
            var builder = new NpgsqlDataSourceBuilder(connectionString) { Name = "outreach" };
            if ((maxConnections ?? provider.GetRequiredService<IOptions<DatabaseOptions>>().Value.MaxConnections) is { } max)
            {
                builder.ConnectionStringBuilder.MaxPoolSize = max;
            }
            return builder.Build();
        });
        services.AddSingleton<Migrator>();
        services.AddSingleton<DemoData>();
        services.AddSingleton<VenueData>();
        services.AddSingleton<VenueImportData>();
        services.AddSingleton<VenueDetailsData>();
        services.AddSingleton<WorkerData>();
        services.AddSingleton<InvitationData>();
        services.AddSingleton<SkillData>();
        services.AddSingleton<AvailabilityData>();
        services.AddSingleton<CandidateData>();
        services.AddSingleton<SessionData>();
        services.AddSingleton<SeriesData>();
        services.AddSingleton<SessionEditData>();
        services.AddSingleton<ClosedDayData>();
        services.AddSingleton<RecordData>();
        services.AddSingleton<TopicData>();
        services.AddSingleton<Outreach.Data.Safeguarding.SafeguardingData>();
        services.AddSingleton<Outreach.Data.Engagements.EngagementData>();
        services.AddSingleton<Outreach.Data.Alerts.AlertData>();
        services.AddSingleton<OutboxData>();
        services.AddSingleton<WebhookData>();
        services.AddSingleton<MessageLogData>();
        services.AddSingleton<ReplyData>();
        services.AddSingleton<ConfirmationData>();
        services.AddSingleton<CoverData>();
        services.AddSingleton<NoticeData>();
        services.AddSingleton<RosterData>();
        services.AddSingleton<ComposeData>();
        services.AddSingleton<ImpactData>();
        services.AddSingleton<ReportData>();
        services.AddSingleton<MonthlyReportData>();
        services.AddSingleton<ReminderData>();
        services.AddSingleton<CalendarFeedData>();
        services.AddSingleton<SessionCalendarData>();
        services.AddSingleton<AutoFillData>();
        services.AddSingleton<ApiKeyData>();
        services.AddSingleton<VenueListData>();
        services.AddSingleton<WorkerListData>();
        services.AddSingleton<SessionListData>();
        services.AddSingleton<Outreach.Data.Audit.AuditQueryData>();
        services.AddSingleton<Outreach.Data.Retention.RetentionData>();
        services.AddSingleton<Outreach.Data.Identity.UserListData>();
        services.AddSingleton<Outreach.Data.Identity.UserAuditData>();
        services.AddSingleton<Outreach.Data.Identity.SignInData>();
        return services;
    }
}
