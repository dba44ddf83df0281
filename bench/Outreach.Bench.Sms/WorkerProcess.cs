using System.Diagnostics;
using Outreach.Tests.Infrastructure;

namespace Outreach.Bench.Sms;

/// <summary>The real job worker (src/Outreach.Jobs), configured through its environment like a deployment.</summary>
internal sealed class WorkerProcess(string dll, string connectionString, FakeTwilioServer twilio)
{
    private Process? process;

    public void Start()
    {
        var start = new ProcessStartInfo("dotnet", [dll])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(Path.GetFullPath(dll))!,
        };
        start.Environment["ConnectionStrings__Outreach"] = connectionString;
        start.Environment["Twilio__AccountSid"] = twilio.AccountSid;
        start.Environment["Twilio__AuthToken"] = twilio.AuthToken;
        start.Environment["Twilio__FromNumber"] = "+447700900999";
        start.Environment["Twilio__ApiBaseUrl"] = twilio.BaseUrl.ToString();
        start.Environment["Sms__MessagesPerSecond"] = "0";
        start.Environment["Sms__QuietHoursStart"] = "00:00";
        start.Environment["Sms__QuietHoursEnd"] = "00:00";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        process = Process.Start(start) ?? throw new InvalidOperationException("The worker did not start.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine($"  worker: {e.Data}"); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>SIGKILL: no shutdown, no flushing, like a machine lost mid-batch.</summary>
    public void Kill()
    {
        if (process is { HasExited: false })
        {
            process.Kill(entireProcessTree: false);
            process.WaitForExit();
        }
        process?.Dispose();
        process = null;
    }
}
