using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;
using Outreach.Data.ApiKeys;
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

namespace Outreach.Data;

public static class DataServiceCollectionExtensions
{
    public static IServiceCollection AddOutreachData(this IServiceCollection services, string connectionString)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(_ => new NpgsqlDataSourceBuilder(connectionString) { Name = "outreach" }.Build());
        services.AddSingleton<Migrator>();
        services.AddSingleton<DemoData>();
        services.AddSingleton<VenueData>();
        services.AddSingleton<WorkerData>();
        services.AddSingleton<InvitationData>();
        services.AddSingleton<SessionData>();
        services.AddSingleton<RecordData>();
        services.AddSingleton<OutboxData>();
        services.AddSingleton<ReachData>();
        services.AddSingleton<ReminderData>();
        services.AddSingleton<CalendarFeedData>();
        services.AddSingleton<SessionCalendarData>();
        services.AddSingleton<ApiKeyData>();
        services.AddSingleton<VenueListData>();
        services.AddSingleton<WorkerListData>();
        services.AddSingleton<SessionListData>();
        return services;
    }
}
