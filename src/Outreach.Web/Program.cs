using Hangfire;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Npgsql;
using Outreach.Data.Security;
using Outreach.Data;
using Outreach.Data.Identity;
using Outreach.Data.Database;
using Outreach.Data.Demo;
using Outreach.Data.Messages;
using Outreach.Data.Settings;
using Outreach.Jobs;
using Outreach.Web.Endpoints;
using Outreach.Web.Infrastructure;

var builder = WebApplication.CreateBuilder(args);
// `migrate` and `create-admin EMAIL` do their work and exit instead of serving.
var command = args.Length > 0 && !args[0].StartsWith('-') ? args[0] : null;

var connectionString = builder.Configuration.GetConnectionString("Outreach");
if (string.IsNullOrWhiteSpace(connectionString))
{
    Console.Error.WriteLine("No database configured: set ConnectionStrings__Outreach, or start the site with ./run.sh.");
    return 2;
}

builder.Services.AddOutreachData(connectionString);
var jobOptions = builder.Services.AddSettingsNow<JobOptions>(builder.Configuration, JobOptions.Section);
builder.Services.AddOutreachJobs(builder.Configuration, connectionString, runServer: command is null && jobOptions.RunServerInWeb);

builder.Services
    .AddIdentity<AppUser, AppRole>(options =>
    {
        // Length over composition rules (NIST SP 800-63B).
        options.Password.RequiredLength = 12;
        options.Password.RequireDigit = false;
        options.Password.RequireLowercase = false;
        options.Password.RequireUppercase = false;
        options.Password.RequireNonAlphanumeric = false;
        options.Lockout.MaxFailedAccessAttempts = 5;
        options.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
        options.User.RequireUniqueEmail = true;
    })
    .AddUserStore<UserStore>()
    .AddRoleStore<RoleStore>()
    // Only the providers in use: one-time links (data protector) and authenticator apps. No SMS or
    // email codes as a second factor.
    .AddTokenProvider<DataProtectorTokenProvider<AppUser>>(TokenOptions.DefaultProvider)
    .AddTokenProvider<AuthenticatorTokenProvider<AppUser>>(TokenOptions.DefaultAuthenticatorProvider)
    .AddPasswordValidator<CommonPasswordValidator>()
    .AddClaimsPrincipalFactory<OutreachClaimsFactory>();
builder.Services.AddOutreachSignInPolicy(builder.Configuration);
// PBKDF2-HMAC-SHA512 with 210,000 iterations (OWASP's figure); older hashes are upgraded at sign-in.
builder.Services.Configure<PasswordHasherOptions>(options => options.IterationCount = 210_000);
builder.Services.AddOutreachDataProtection(builder.Configuration);
builder.Services.AddOutreachRateLimits(builder.Configuration);
builder.Services.AddPublicAddress();
builder.Services.AddSingleton<TwilioRequestGuard>();
builder.Services.AddSingleton<SecurityEventLog>();
builder.Services.AddApiKeyAuthentication();
builder.Services.AddUploadLimits(builder.Configuration);
builder.Services.AddCalendarCache();
builder.Services.AddScoped<WorkerInvitations>();
builder.Services.AddProblemDetails();
builder.Services.AddApiErrors();
builder.Services.AddOpenApi(options =>
{
    OpenApiStrings.Describe(options);
    ApiDocument.Describe(options);
});
builder.Logging.KeepRequestLinesOut();
builder.Services.ConfigureHttpJsonOptions(options => options.SerializerOptions.Converters.Add(new RefuseNullCharacterConverter()));
builder.Services.Configure<Microsoft.AspNetCore.Mvc.MvcOptions>(options =>
{
    options.ModelBinderProviders.Insert(0, new BooleanModelBinderProvider());
    options.ModelBinderProviders.Insert(0, new WholeNumberModelBinderProvider());
});

builder.Services.AddAuthorization(Policies.Add);
builder.Services.AddRazorPages(options =>
{
    options.Conventions.AuthorizeFolder("/Venues", Policies.Coordinators);
    options.Conventions.AuthorizeFolder("/Workers", Policies.Coordinators);
    options.Conventions.AuthorizeFolder("/Sessions", Policies.Coordinators);
    options.Conventions.AuthorizeFolder("/ClosedDays", Policies.Coordinators);
    options.Conventions.AuthorizeFolder("/Messages", Policies.Coordinators);
    options.Conventions.AuthorizeFolder("/Records", Policies.Records);
    options.Conventions.AuthorizeFolder("/Engagements", Policies.Engagements);
    options.Conventions.AuthorizeFolder("/Safeguarding", Policies.Safeguarding);
    options.Conventions.AuthorizeFolder("/Reports", Policies.Reports);
    options.Conventions.AuthorizeFolder("/Admin", Policies.Administrators);
    // The rest of /Account (the user's own security settings) needs a signed-in user.
    options.Conventions.AllowAnonymousToPage("/Account/Login");
    options.Conventions.AllowAnonymousToPage("/Account/Logout");
    options.Conventions.AllowAnonymousToPage("/Account/AccessDenied");
    options.Conventions.AllowAnonymousToPage("/Account/Activate");
    options.Conventions.AllowAnonymousToPage("/Account/LoginWith2fa");
    options.Conventions.AllowAnonymousToPage("/Account/LoginWithRecoveryCode");
    options.Conventions.AllowAnonymousToPage("/Error");
});
// Readiness is asked by load balancers, and by anyone: its answer is kept for a second, so a flood of it costs
// the database one query a second (decision 0016).
builder.Services.AddOutputCache();
builder.Services.AddHealthChecks()
    .AddCheck<DatabaseHealthCheck>("database", tags: ["ready"])
    .AddCheck<JobStorageHealthCheck>("job-storage", tags: ["ready"]);

var app = builder.Build();

switch (command)
{
    case "migrate":
        await Setup.MigrateAsync(app.Services, CancellationToken.None);
        Console.WriteLine("Database is up to date.");
        return 0;
    case "create-admin":
        var email = args.Skip(1).FirstOrDefault();
        var password = Environment.GetEnvironmentVariable("OUTREACH_ADMIN_PASSWORD");
        if (string.IsNullOrWhiteSpace(email) || string.IsNullOrEmpty(password))
        {
            Console.Error.WriteLine("Usage: OUTREACH_ADMIN_PASSWORD=... dotnet run --project src/Outreach.Web -- create-admin EMAIL");
            return 2;
        }
        await Setup.MigrateAsync(app.Services, CancellationToken.None);
        return await Setup.CreateAdministratorAsync(app.Services, email, password);
    case "create-api-key":
        await Setup.MigrateAsync(app.Services, CancellationToken.None);
        return await Setup.CreateApiKeyAsync(app.Services, args.Skip(1).FirstOrDefault(), args.Skip(2).FirstOrDefault());
    case not null:
        Console.Error.WriteLine($"Unknown command '{command}'. Commands: migrate, create-admin EMAIL, create-api-key NAME ROLE.");
        return 2;
}

// Settings are checked here, before anything touches the database, so a bad one stops the site with its name.
app.Services.GetRequiredService<IStartupValidator>().Validate();
if (app.Services.GetRequiredService<IOptions<DatabaseOptions>>().Value.MigrateOnStartup)
{
    await Setup.MigrateAsync(app.Services, CancellationToken.None);
}
RecurringJobs.Register(app.Services.GetRequiredService<IRecurringJobManager>(),
    app.Services.GetRequiredService<IOptions<SmsOptions>>().Value.RosterCron());
var demo = app.Services.GetRequiredService<IOptions<DemoOptions>>().Value;
if (demo.Load)
{
    await Setup.LoadDemoAsync(app.Services, demo.Password, CancellationToken.None);
}

app.UsePublicAddress();
app.UseSecurityHeaders();
if (!app.Environment.IsDevelopment())
{
    app.UseExceptionHandler("/Error");
    app.UseHsts();
}
app.UseStatusCodePagesWithReExecute("/Error", "?code={0}");
app.UseApiErrors();
app.UseStaticFiles();
app.UseRouting();
app.UseNullCharacterRefusal();
app.UseAuthentication();
app.UseTwoFactorEnforcement(app.Services.GetRequiredService<IOptions<SecurityOptions>>().Value.RequireTwoFactorForStaff);
app.UseAuthorization();
app.UseRateLimiter();
app.UseOutputCache();
app.UseCalendarCacheInvalidation();

app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready") }).AllowAnonymous()
    .CacheOutput(policy => policy.Expire(TimeSpan.FromSeconds(1)));
app.MapHangfireDashboard("/hangfire", new DashboardOptions
{
    Authorization = [new HangfireDashboardAuthorization()],
    DashboardTitle = "Outreach jobs",
}).RequireAuthorization(Policies.Administrators);
app.MapCalendarFeed();
app.MapTwilioWebhooks();
app.MapOpenApi().AllowAnonymous();
app.MapOutreachApi();
app.MapRazorPages();

app.Lifetime.ApplicationStarted.Register(() =>
    app.Logger.LogInformation("Outreach is serving on {Urls}", string.Join(", ", app.Urls)));
await app.RunAsync();
return 0;

public partial class Program;
