using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Outreach.Tests.Infrastructure;

/// <summary>
/// Every log line the site and its in-process jobs write while a recording is open: the formatted message,
/// each structured value, the scopes around it and any exception, as text. The provider is added to the
/// shared app once; it records nothing (and costs nothing) while no recording is open.
/// </summary>
public static class CapturedLogs
{
    private static readonly ConcurrentDictionary<Recording, byte> Open = new();

    public static ILoggerProvider Provider { get; } = new CapturingProvider();

    /// <summary>
    /// Adds the provider at every level, so it sees what the app's configuration would hide too, except the
    /// request lines the site keeps out of every log whatever the configuration (LogHygiene.KeepRequestLinesOut,
    /// tested on its own).
    /// </summary>
    public static ILoggingBuilder AddCapturedLogs(this ILoggingBuilder logging) =>
        logging.AddProvider(Provider)
            .AddFilter<CapturingProvider>(null, LogLevel.Trace)
            .AddFilter<CapturingProvider>(Outreach.Web.Infrastructure.LogHygiene.RequestLines, LogLevel.Warning);

    /// <summary>Starts recording every category at every level; dispose to stop.</summary>
    public static Recording Start()
    {
        var recording = new Recording();
        Open[recording] = 0;
        return recording;
    }

    public sealed record Entry(string Category, LogLevel Level, string Message, IReadOnlyList<string> Values)
    {
        public IEnumerable<string> Texts => Values.Prepend(Message);

        public override string ToString() => $"{Level} {Category}: {Message}";
    }

    public sealed class Recording : IDisposable
    {
        private readonly ConcurrentQueue<Entry> _entries = new();

        public IReadOnlyList<Entry> Entries => _entries.ToArray();

        internal void Add(Entry entry) => _entries.Enqueue(entry);

        public void Dispose() => Open.TryRemove(this, out _);
    }

    private sealed class CapturingProvider : ILoggerProvider, ISupportExternalScope
    {
        private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

        public ILogger CreateLogger(string categoryName) => new CapturingLogger(categoryName, this);

        public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

        public void Dispose()
        {
        }

        private sealed class CapturingLogger(string category, CapturingProvider provider) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => provider._scopes.Push(state);

            public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None && !Open.IsEmpty;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (!IsEnabled(logLevel))
                {
                    return;
                }
                var values = new List<string>();
                AddValues(values, state);
                provider._scopes.ForEachScope((scope, list) => AddValues(list, scope), values);
                if (exception is not null)
                {
                    values.Add(exception.ToString());
                }
                var entry = new Entry(category, logLevel, formatter(state, exception), values);
                foreach (var recording in Open.Keys)
                {
                    recording.Add(entry);
                }
            }

            private static void AddValues(List<string> values, object? state)
            {
                if (state is IEnumerable<KeyValuePair<string, object?>> pairs)
                {
                    foreach (var (key, value) in pairs)
                    {
                        values.Add($"{key}={Text(value)}");
                    }
                }
                else if (state is not null)
                {
                    values.Add(state.ToString() ?? "");
                }
            }

            private static string Text(object? value) => value switch
            {
                null => "",
                string s => s,
                System.Collections.IEnumerable items => string.Join(", ", items.Cast<object?>().Select(i => i?.ToString())),
                _ => value.ToString() ?? "",
            };
        }
    }
}
