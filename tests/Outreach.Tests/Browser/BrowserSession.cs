using Microsoft.Playwright;
using Outreach.Tests.Infrastructure;

namespace Outreach.Tests.Browser;

/// <summary>Debian's Chromium, driven by Playwright (no browser download), with screenshots kept in tests/screenshots/.</summary>
public sealed class BrowserSession : IAsyncDisposable
{
    private static readonly string[] ChromiumArgs =
    [
        "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic",
    ];

    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;
    private readonly string _screenshots;
    private int _shot;

    private BrowserSession(IPlaywright playwright, IBrowser browser, string screenshots)
    {
        _playwright = playwright;
        _browser = browser;
        _screenshots = screenshots;
    }

    public static async Task<BrowserSession> StartAsync(string testName)
    {
        Assertions.SetDefaultExpectTimeout(30_000);
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Environment.GetEnvironmentVariable("OUTREACH_CHROMIUM") ?? "/usr/bin/chromium",
            Headless = true,
            Args = ChromiumArgs,
        });
        var folder = Path.Combine(RepositoryRoot(), "tests", "screenshots", testName);
        Directory.CreateDirectory(folder);
        return new BrowserSession(playwright, browser, folder);
    }

    /// <summary>A fresh browser context: its own cookies, so each person signs in separately.</summary>
    public async Task<IPage> NewPageAsync(Uri baseUrl, bool phone = false)
    {
        var context = await _browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseUrl.ToString(),
            ViewportSize = phone ? new ViewportSize { Width = 390, Height = 844 } : new ViewportSize { Width = 1280, Height = 900 },
            Locale = "en-GB",
            TimezoneId = "Europe/London",
        });
        var page = await context.NewPageAsync();
        // Generous: a loaded 2-core CI machine hashing passwords at 210,000 iterations can be slow to answer.
        page.SetDefaultTimeout(60_000);
        return page;
    }

    /// <summary>
    /// Signs in through the form; staff then type the code their authenticator app would show. If the code
    /// is refused (a time step can turn over between reading and checking) it tries once more with the next
    /// code, and otherwise fails with what the page said.
    /// </summary>
    public static async Task SignInAsync(IPage page, OutreachApp app, string email, string password = OutreachApp.Password)
    {
        await page.GotoAsync("/Account/Login");
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        try
        {
            await page.WaitForURLAsync(url => !url.EndsWith("/Account/Login", StringComparison.Ordinal)
                || url.Contains("/Account/Login?", StringComparison.Ordinal));
        }
        catch (TimeoutException)
        {
            Assert.Fail($"Signing in as {email} stayed on the sign-in page: {await page.Locator("body").InnerTextAsync()}");
        }
        for (var attempt = 1; page.Url.Contains("/Account/LoginWith2fa", StringComparison.Ordinal); attempt++)
        {
            await page.GetByLabel("Code from your app").FillAsync(await app.AuthenticatorCodeAsync(email));
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
            try
            {
                await page.WaitForURLAsync(url => !url.Contains("/Account/LoginWith2fa", StringComparison.Ordinal), new() { Timeout = 20_000 });
            }
            catch (TimeoutException)
            {
                var said = await page.Locator("main").InnerTextAsync();
                Assert.True(attempt < 2, $"Two-factor sign-in for {email} was refused twice: {said}");
                await Task.Delay(TimeSpan.FromSeconds(31 - (DateTime.UtcNow.Second % 30)));
            }
        }
        Assert.DoesNotContain("/Account/Login", page.Url, StringComparison.Ordinal);
    }

    public async Task ScreenshotAsync(IPage page, string name)
    {
        var file = Path.Combine(_screenshots, $"{++_shot:00}-{name}.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = file, FullPage = true });
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Outreach.sln")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? AppContext.BaseDirectory;
    }
}
