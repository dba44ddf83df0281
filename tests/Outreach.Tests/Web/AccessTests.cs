using System.Net;
using Outreach.Data.Identity;
using Outreach.Tests.Infrastructure;

namespace Outreach.Tests.Web;

/// <summary>Each role against each area of the site: allowed, sent to sign in, or refused.</summary>
[Collection("App")]
public sealed class AccessTests(OutreachApp app)
{
    private const string Anonymous = "Anonymous";

    // Which roles may open each page; everyone else signed in is refused, anonymous users are sent to sign in.
    public static readonly TheoryData<string, string[]> Pages = new()
    {
        { "/", [Roles.Administrator, Roles.Coordinator] },
        { "/Sessions", [Roles.Administrator, Roles.Coordinator] },
        { "/Sessions/Create", [Roles.Administrator, Roles.Coordinator] },
        { "/Venues", [Roles.Administrator, Roles.Coordinator] },
        { "/Venues/Create", [Roles.Administrator, Roles.Coordinator] },
        { "/Workers", [Roles.Administrator, Roles.Coordinator] },
        { "/Workers/Create", [Roles.Administrator, Roles.Coordinator] },
        { "/Workers/Skills", [Roles.Administrator, Roles.Coordinator] },
        { "/Messages", [Roles.Administrator, Roles.Coordinator] },
        { "/Records", [Roles.Administrator, Roles.Coordinator, Roles.YouthWorker] },
        { "/Reports", [Roles.Administrator, Roles.Coordinator, Roles.Commissioner] },
        { "/Reports/Archive", [Roles.Administrator, Roles.Coordinator, Roles.Commissioner] },
        { "/Admin", [Roles.Administrator] },
        { "/hangfire", [Roles.Administrator] },
    };

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task Each_role_reaches_only_its_own_pages(string path, string[] allowed)
    {
        foreach (var role in Roles.All.Append(Anonymous))
        {
            using var client = role == Anonymous ? app.Anonymous() : await app.SignedInAsync(role);
            using var response = await client.GetAsync(path);
            var location = response.Headers.Location?.ToString() ?? "";

            if (role == Anonymous)
            {
                Assert.True(response.StatusCode == HttpStatusCode.Redirect && location.Contains("/Account/Login", StringComparison.Ordinal),
                    $"{path} for an anonymous visitor: {(int)response.StatusCode} {location}");
            }
            else if (allowed.Contains(role))
            {
                Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path} for {role}: {(int)response.StatusCode} {location}");
            }
            else if (path == "/")
            {
                // The start page sends youth workers and the commissioner's office to their own pages.
                Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
                Assert.Contains(role == Roles.YouthWorker ? "/Records" : "/Reports", location, StringComparison.Ordinal);
            }
            else
            {
                Assert.True(
                    response.StatusCode == HttpStatusCode.Forbidden
                    || (response.StatusCode == HttpStatusCode.Redirect && location.Contains("/Account/AccessDenied", StringComparison.Ordinal)),
                    $"{path} for {role}: {(int)response.StatusCode} {location}");
            }
        }
    }

    [Fact]
    public async Task Health_endpoints_answer_without_signing_in()
    {
        using var client = app.Anonymous();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
        using var ready = await client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("Healthy", await ready.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_wrong_password_is_refused_with_a_message()
    {
        using var client = app.Anonymous();
        using var response = await client.PostFormAsync("/Account/Login",
            new() { ["Input.Email"] = app.Emails[Roles.Coordinator], ["Input.Password"] = "not the password at all" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("The email or password is not right.", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_post_without_an_anti_forgery_token_is_refused()
    {
        using var client = await app.SignedInAsync(Roles.Coordinator);
        using var content = new FormUrlEncodedContent(new Dictionary<string, string> { ["Input.Name"] = "No token school" });
        using var response = await client.Http.PostAsync("/Venues/Create", content);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }
}
