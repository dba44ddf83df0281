using Microsoft.Extensions.Caching.Memory;
using Npgsql;

namespace Outreach.Web.Infrastructure;

/// <summary>
/// Calendar answers (one area's or venue's week as JSON) are asked for far more often than sessions
/// change, so they are kept in memory and forgotten when anything they show changes. Triggers on
/// sessions, assignments and venues NOTIFY on commit; this service LISTENs and moves a version number on,
/// and a cached answer is only used under the version it was made in. A write made by this process
/// moves the version before its response starts, so the user who made it never sees the old calendar.
/// While the listening connection is down nothing is cached.
/// </summary>
public sealed class CalendarCache(NpgsqlDataSource dataSource, ILogger<CalendarCache> logger) : BackgroundService
{
    private const string Channel = "outreach_calendar_changed";

    private readonly MemoryCache cache = new(new MemoryCacheOptions { SizeLimit = 64 * 1024 * 1024 });
    private long version;
    private volatile bool listening;

    /// <summary>False while the listening connection is down (answers are then not cached).</summary>
    public bool Listening => listening;

    public void Changed() => Interlocked.Increment(ref version);

    public async Task<byte[]> GetOrCreateAsync(string key, Func<Task<byte[]>> create)
    {
        if (!listening)
        {
            return await create();
        }
        var versionedKey = (Interlocked.Read(ref version), key);
        if (cache.TryGetValue(versionedKey, out byte[]? cached) && cached is not null)
        {
            return cached;
        }
        var made = await create();
        cache.Set(versionedKey, made, new MemoryCacheEntryOptions
        {
            Size = made.Length + 64,
            SlidingExpiration = TimeSpan.FromMinutes(10),
        });
        return made;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
                connection.Notification += (_, _) => Changed();
                await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }
                // Changes made while nobody listened are unknown: start from a new version.
                Changed();
                listening = true;
                while (!stoppingToken.IsCancellationRequested)
                {
                    await connection.WaitAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Never stops the site: calendars are simply read from the database until listening resumes.
                logger.LogWarning(e, "Calendar change listener lost its database connection; calendars are not cached until it is back");
            }
            listening = false;
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(5), stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public override void Dispose()
    {
        cache.Dispose();
        base.Dispose();
    }
}

public static class CalendarCacheExtensions
{
    public static IServiceCollection AddCalendarCache(this IServiceCollection services)
    {
        services.AddSingleton<CalendarCache>();
        services.AddHostedService(sp => sp.GetRequiredService<CalendarCache>());
        return services;
    }

    /// <summary>Any request that may write moves the calendar version on before its response starts.</summary>
    public static IApplicationBuilder UseCalendarCacheInvalidation(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            if (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method))
            {
                await next(context);
                return;
            }
            var calendar = context.RequestServices.GetRequiredService<CalendarCache>();
            context.Response.OnStarting(() =>
            {
                calendar.Changed();
                return Task.CompletedTask;
            });
            try
            {
                await next(context);
            }
            finally
            {
                calendar.Changed();
            }
        });
}
