using System.Globalization;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace Outreach.Web.Infrastructure;

/// <summary>
/// A "from" and "to" pair of UK dates typed into a search form (31/01/2026, 2026-01-31 ...). A date that
/// cannot be read, or an end before the start, is a message beside its field, never an error page.
/// </summary>
public static class UkDateFilter
{
    private static readonly string[] Formats = ["yyyy-MM-dd", "d/M/yyyy", "d/M/yy", "d.M.yyyy", "d-M-yyyy"];
    private static readonly CultureInfo EnGb = CultureInfo.GetCultureInfo("en-GB");

    public static (DateOnly? From, DateOnly? To) Read(ModelStateDictionary modelState, string fromField, string? from, string toField, string? to)
    {
        var fromDay = Day(modelState, fromField, from);
        var toDay = Day(modelState, toField, to);
        if (fromDay is not null && toDay is not null && toDay < fromDay)
        {
            modelState.AddModelError(toField, "The end date is before the start date.");
        }
        return (fromDay, toDay);
    }

    private static DateOnly? Day(ModelStateDictionary modelState, string field, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }
        if (!DateOnly.TryParseExact(value.Trim(), Formats, EnGb, DateTimeStyles.None, out var day))
        {
            modelState.AddModelError(field, "Enter a date like 31/01/2026.");
            return null;
        }
        if (day.Year is < 2000 or > 2100)
        {
            modelState.AddModelError(field, "Enter a date between 2000 and 2100.");
            return null;
        }
        return day;
    }
}
