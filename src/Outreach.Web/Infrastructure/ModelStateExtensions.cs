using Microsoft.AspNetCore.Mvc.ModelBinding;
using Outreach.Data;

namespace Outreach.Web.Infrastructure;

public static class ModelStateExtensions
{
    /// <summary>Puts the database's refusals beside the fields they concern (prefix "Input." for input models).</summary>
    public static void AddErrors<T>(this ModelStateDictionary modelState, Outcome<T> outcome, string prefix = "Input.")
    {
        foreach (var error in outcome.Errors)
        {
            modelState.AddModelError(error.Field.Length == 0 ? "" : prefix + error.Field, error.Message);
        }
    }
}
