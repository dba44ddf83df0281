using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace Outreach.Tests.Infrastructure;

/// <summary>
/// Every object of at least a given size that the process allocates while it watches, from the runtime's own
/// allocation events: a file read into one array shows up as an array of the file's size, whichever thread made it.
/// </summary>
public sealed class LargeAllocations : EventListener
{
    private const string RuntimeSource = "Microsoft-Windows-DotNETRuntime";
    private const EventKeywords GcKeyword = (EventKeywords)0x1;

    // Odd sizes no code would ask for: seeing one means every allocation before it has been reported.
    private const int StartMarker = 3_000_017;
    private const int StopMarker = 3_100_027;

    private readonly ConcurrentQueue<(string Type, long Bytes)> _seen = new();
    private readonly SemaphoreSlim _started = new(0);
    private readonly SemaphoreSlim _stopped = new(0);
    private long _minimumBytes = long.MaxValue;

    private LargeAllocations()
    {
    }

    public static async Task<LargeAllocations> WatchAsync(long minimumBytes)
    {
        var listener = new LargeAllocations();
        await AwaitMarkerAsync(StartMarker, listener._started);
        listener._minimumBytes = minimumBytes;
        return listener;
    }

    /// <summary>The large objects allocated since the watch began, once the runtime has reported all of them.</summary>
    public async Task<IReadOnlyList<(string Type, long Bytes)>> StopAsync()
    {
        await AwaitMarkerAsync(StopMarker, _stopped);
        _minimumBytes = long.MaxValue;
        return [.. _seen];
    }

    private static async Task AwaitMarkerAsync(int size, SemaphoreSlim seen)
    {
        // The listener starts receiving a moment after it is made: allocate the marker until it is reported.
        for (var attempt = 0; attempt < 100; attempt++)
        {
            GC.KeepAlive(new byte[size]);
            if (await seen.WaitAsync(TimeSpan.FromMilliseconds(200)))
            {
                return;
            }
        }
        throw new TimeoutException("The runtime did not report its allocations.");
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == RuntimeSource)
        {
            // Allocation ticks (one per ~100 KB allocated, naming the object that crossed it) are verbose GC events.
            EnableEvents(eventSource, EventLevel.Verbose, GcKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (eventData.EventName?.StartsWith("GCAllocationTick", StringComparison.Ordinal) != true || eventData.PayloadNames is null)
        {
            return;
        }
        var sizeAt = eventData.PayloadNames.IndexOf("ObjectSize");
        var typeAt = eventData.PayloadNames.IndexOf("TypeName");
        if (sizeAt < 0 || typeAt < 0)
        {
            return;
        }
        var bytes = Convert.ToInt64(eventData.Payload![sizeAt], System.Globalization.CultureInfo.InvariantCulture);
        var type = eventData.Payload[typeAt] as string ?? "";
        // An array's size includes its header, a few bytes.
        if (type == "System.Byte[]" && bytes - StartMarker is >= 0 and < 64)
        {
            _started.Release();
        }
        else if (type == "System.Byte[]" && bytes - StopMarker is >= 0 and < 64)
        {
            _stopped.Release();
        }
        else if (bytes >= Interlocked.Read(ref _minimumBytes))
        {
            _seen.Enqueue((type, bytes));
        }
    }

    public override void Dispose()
    {
        base.Dispose();
        _started.Dispose();
        _stopped.Dispose();
    }
}
