using System.Diagnostics;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Outreach.Data.Reach;

namespace Outreach.Jobs.Reports;

/// <summary>
/// Renders the monthly report's Razor components to a print-ready HTML document with ASP.NET Core's HtmlRenderer,
/// and prints it to PDF with headless Chromium when the machine has it.
/// </summary>
public sealed class MonthlyReportRenderer(IServiceScopeFactory scopes, ILoggerFactory loggerFactory, ILogger<MonthlyReportRenderer> logger)
{
    public const string ChromiumPath = "/usr/bin/chromium";

    public async Task<string> RenderAsync(ReportView view, string title, DateTime issuedAt)
    {
        // The renderer wants scoped services (as in a request), whether the job runs in the site or a worker.
        await using var scope = scopes.CreateAsyncScope();
        await using var renderer = new HtmlRenderer(scope.ServiceProvider, loggerFactory);
        var html = await renderer.Dispatcher.InvokeAsync(async () =>
        {
            var output = await renderer.RenderComponentAsync<MonthlyReportDocument>(ParameterView.FromDictionary(new Dictionary<string, object?>
            {
                [nameof(MonthlyReportDocument.View)] = view,
                [nameof(MonthlyReportDocument.Title)] = title,
                [nameof(MonthlyReportDocument.IssuedAt)] = issuedAt,
            }));
            return output.ToHtmlString();
        });
        return "<!DOCTYPE html>\n" + html;
    }

    /// <summary>The document as a PDF, or null when Chromium is missing or fails (the HTML prints as well).</summary>
    public async Task<byte[]?> PrintToPdfAsync(string html, CancellationToken cancellationToken)
    {
        if (!File.Exists(ChromiumPath))
        {
            return null;
        }
        var folder = Directory.CreateTempSubdirectory("outreach-report-");
        try
        {
            var input = Path.Combine(folder.FullName, "report.html");
            var output = Path.Combine(folder.FullName, "report.pdf");
            await File.WriteAllTextAsync(input, html, cancellationToken);
            var start = new ProcessStartInfo(ChromiumPath)
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            };
            foreach (var argument in new[]
            {
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-pdf-header-footer",
                $"--user-data-dir={Path.Combine(folder.FullName, "profile")}", $"--print-to-pdf={output}", new Uri(input).AbsoluteUri,
            })
            {
                start.ArgumentList.Add(argument);
            }
            using var process = Process.Start(start)!;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(60));
            var drainOut = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var drainError = process.StandardError.ReadToEndAsync(timeout.Token);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
                await Task.WhenAll(drainOut, drainError);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                process.Kill(entireProcessTree: true);
                logger.LogWarning("Chromium took over a minute to print the monthly report; issuing it without a PDF");
                return null;
            }
            if (process.ExitCode != 0 || !File.Exists(output))
            {
                logger.LogWarning("Chromium could not print the monthly report (exit code {ExitCode}); issuing it without a PDF", process.ExitCode);
                return null;
            }
            return await File.ReadAllBytesAsync(output, cancellationToken);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
