using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Outreach.Data.Settings;

/// <summary>
/// One options class per configuration section, bound once and checked by its data annotations when the process
/// starts, so a bad setting stops it with a message that names the setting instead of surfacing later in a job.
/// </summary>
public static class SettingsServiceCollectionExtensions
{
    /// <summary>
    /// Binds <paramref name="section"/> from the container's configuration when the options are first made (the
    /// site, the job workers and a bare test container all get it; defaults without configuration).
    /// </summary>
    public static OptionsBuilder<T> AddSettings<T>(this IServiceCollection services, string section) where T : class =>
        services.AddOptions<T>()
            .Configure<IServiceProvider>((options, provider) => provider.GetService<IConfiguration>()?.GetSection(section).Bind(options))
            .ValidateDataAnnotations()
            .ValidateOnStart();

    /// <summary>
    /// For a section that shapes the services themselves (Hangfire's workers, cookie names, the key certificate):
    /// bound and checked now, while services are being added, and the same object is what <see cref="IOptions{T}"/>
    /// gives later. Adding it again returns the first object.
    /// </summary>
    public static T AddSettingsNow<T>(this IServiceCollection services, IConfiguration configuration, string section) where T : class, new()
    {
        if (services.FirstOrDefault(d => d.ServiceType == typeof(IOptions<T>))?.ImplementationInstance is IOptions<T> existing)
        {
            return existing.Value;
        }
        var value = configuration.GetSection(section).Get<T>() ?? new T();
        var result = new DataAnnotationValidateOptions<T>(Options.DefaultName).Validate(Options.DefaultName, value);
        if (result.Failed)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(T), result.Failures);
        }
        services.TryAddSingleton(Options.Create(value));
        return value;
    }
}

/// <summary>A UK wall-clock time written as hh:mm (or hh:mm:ss).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class ClockTimeAttribute : ValidationAttribute
{
    private static readonly string[] Formats = ["HH:mm", "HH:mm:ss"];

    public static bool TryParse(string? value, out TimeOnly time) =>
        TimeOnly.TryParseExact(value?.Trim(), Formats, CultureInfo.InvariantCulture, DateTimeStyles.None, out time);

    public static TimeOnly Parse(string value) =>
        TryParse(value, out var time) ? time : throw new FormatException($"'{value}' is not a time like 21:00.");

    public override bool IsValid(object? value) => value is string text && TryParse(text, out _);
}
