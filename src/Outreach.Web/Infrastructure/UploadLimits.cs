using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.ViewFeatures;
using Microsoft.Extensions.Options;

namespace Outreach.Web.Infrastructure;

/// <summary>The largest file any page takes (section "Uploads").</summary>
public sealed class UploadOptions
{
    public const string Section = "Uploads";

    /// <summary>
    /// In megabytes of 1,048,576 bytes. The full GIAS file is some 60 MB; PostgreSQL keeps a value of at most 1 GB,
    /// and a venue import is kept as one.
    /// </summary>
    [Range(1, 1000, ErrorMessage = "Uploads:MaxMegabytes must be between 1 and 1000.")]
    public int MaxMegabytes { get; set; } = 200;

    public long MaxBytes => MaxMegabytes * 1024L * 1024;

    /// <summary>The refusal of a file of a known size, "{size}" standing for its megabytes (the page's script fills it in too).</summary>
    public string TooLargeMessage => $"This file is {{size}} MB; the largest file you can upload is {MaxMegabytes} MB.";

    /// <summary>What a coordinator reads beside the file field; <paramref name="bytes"/> is null when the size is not known.</summary>
    public string TooLarge(long? bytes) => bytes is { } size
        ? TooLargeMessage.Replace("{size}", Math.Ceiling(size / (1024.0 * 1024)).ToString("N0", CultureInfo.InvariantCulture), StringComparison.Ordinal)
        : $"This file is larger than {MaxMegabytes} MB, the largest file you can upload.";
}

public static class UploadLimits
{
    public static IServiceCollection AddUploadLimits(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<UploadOptions>().Bind(configuration.GetSection(UploadOptions.Section))
            .ValidateDataAnnotations().ValidateOnStart();
        return services;
    }
}

/// <summary>
/// Gives the page's file upload the limit of <see cref="UploadOptions"/>, for the request and its form alike, and
/// refuses a larger file with a message beside the <see cref="Field"/> instead of an error page: without reading
/// the body when its declared length is over the limit, and when the body turns out to be (sent in chunks).
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class UploadLimitAttribute(string field) : Attribute, IFilterFactory, IOrderedFilter
{
    /// <summary>The form field the file comes in, whose validation message shows the refusal.</summary>
    public string Field { get; } = field;

    // Before the anti-forgery check (order 1000), which reads the form: ASP.NET's own size limits run at 900 too.
    public int Order => 900;

    public bool IsReusable => true;

    public IFilterMetadata CreateInstance(IServiceProvider serviceProvider) => new UploadLimitFilter(
        Field,
        serviceProvider.GetRequiredService<IOptions<UploadOptions>>().Value,
        serviceProvider.GetRequiredService<ITempDataDictionaryFactory>());
}

internal sealed class UploadLimitFilter(string field, UploadOptions uploads, ITempDataDictionaryFactory tempData)
    : IAsyncAuthorizationFilter, IPageFilter
{
    private const string RefusedKey = "UploadRefused";

    // The form's other fields (the anti-forgery token, choices) beside the file.
    private const long OtherFields = 1024 * 1024;

    public async Task OnAuthorizationAsync(AuthorizationFilterContext context)
    {
        var http = context.HttpContext;
        var request = http.Request;
        if (!HttpMethods.IsPost(request.Method)
            || request.ContentType?.StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase) != true)
        {
            return;
        }

        var limit = uploads.MaxBytes + OtherFields;
        var body = http.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (request.ContentLength > limit)
        {
            // Refused unread. After the answer Kestrel reads and drops an unread body for a few seconds, but never past
            // the size limit, hence the declared length: a browser still sending the file then gets the answer rather
            // than a broken connection.
            if (body is { IsReadOnly: false })
            {
                body.MaxRequestBodySize = request.ContentLength;
            }
            Refuse(context, request.ContentLength);
            return;
        }
        if (body is { IsReadOnly: false })
        {
            body.MaxRequestBodySize = limit;
        }
        if (http.Features.Get<IFormFeature>()?.Form is null)
        {
            // ASP.NET's other form limits, and this one for the file.
            http.Features.Set<IFormFeature>(new FormFeature(request, new FormOptions { MultipartBodyLengthLimit = limit }));
        }
        IFormCollection form;
        try
        {
            // Files go to temporary files as they arrive (past the first 64 KB), not into memory.
            form = await request.ReadFormAsync(http.RequestAborted);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            Refuse(context, null);
            return;
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            // Not a size: a form that cannot be read is refused by the anti-forgery check, as on any other page.
            return;
        }
        if (form.Files.FirstOrDefault(f => f.Length > uploads.MaxBytes) is { } file)
        {
            Refuse(context, file.Length);
        }
    }

    /// <summary>Back to the page (Post/Redirect/Get), which shows the message beside the file field.</summary>
    private void Refuse(AuthorizationFilterContext context, long? bytes)
    {
        var http = context.HttpContext;
        // The result runs without the page's other filters, the one that keeps TempData among them.
        var data = tempData.GetTempData(http);
        data[RefusedKey] = uploads.TooLarge(bytes);
        data.Save();
        context.Result = new LocalRedirectResult((http.Request.PathBase + http.Request.Path).Value!);
    }

    public void OnPageHandlerExecuting(PageHandlerExecutingContext context)
    {
        if (HttpMethods.IsGet(context.HttpContext.Request.Method)
            && tempData.GetTempData(context.HttpContext)[RefusedKey] is string message)
        {
            context.ModelState.AddModelError(field, message);
        }
    }

    public void OnPageHandlerSelected(PageHandlerSelectedContext context)
    {
    }

    public void OnPageHandlerExecuted(PageHandlerExecutedContext context)
    {
    }
}
