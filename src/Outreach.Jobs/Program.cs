using Hangfire;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Outreach.Data;

namespace Outreach.Jobs;

/// <summary>
/// A job worker: runs Outreach's Hangfire jobs against the same PostgreSQL as the site. Start as many
/// as the load needs; the database must already be migrated (the site does it, or its `migrate` command).
/// </summary>
public static class WorkerProgram
{
    public static async Task<int> Main(string[] args)
    {
        var builder = Host.CreateApplicationBuilder(args);
        var connectionString = builder.Configuration.GetConnectionString("Outreach");
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            await Console.Error.WriteLineAsync("Set ConnectionStrings__Outreach to the PostgreSQL connection string.");
            return 2;
        }

        builder.Services.AddOutreachData(connectionString);
        builder.Services.AddOutreachJobs(builder.Configuration, connectionString, runServer: true);

        using var host = builder.Build();
        RecurringJobs.Register(host.Services.GetRequiredService<IRecurringJobManager>(),
            host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Outreach.Data.Messages.SmsOptions>>().Value.RosterCron());
        await host.RunAsync();
        return 0;
    }
}
