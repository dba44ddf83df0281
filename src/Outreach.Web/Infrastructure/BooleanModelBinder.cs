using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace Outreach.Web.Infrastructure;

/// <summary>
/// Binds yes/no fields. The framework's binder keeps a value such as "maybe" as the field's attempted value,
/// and the checkbox tag helper then throws converting it back to a bool while re-rendering the form (an
/// HTTP 500 instead of the form with its messages). This binder refuses the value with a message and keeps
/// "false" as what was attempted, so the form re-renders.
/// </summary>
public sealed class BooleanModelBinder : IModelBinder
{
    public Task BindModelAsync(ModelBindingContext bindingContext)
    {
        var name = bindingContext.ModelName;
        var values = bindingContext.ValueProvider.GetValue(name);
        if (values == ValueProviderResult.None)
        {
            return Task.CompletedTask;
        }
        var text = values.FirstValue?.Trim();
        if (string.IsNullOrEmpty(text) && bindingContext.ModelMetadata.IsReferenceOrNullableType)
        {
            bindingContext.ModelState.SetModelValue(name, values);
            bindingContext.Result = ModelBindingResult.Success(null);
        }
        else if (bool.TryParse(text, out var value))
        {
            bindingContext.ModelState.SetModelValue(name, values);
            bindingContext.Result = ModelBindingResult.Success(value);
        }
        else
        {
            bindingContext.ModelState.SetModelValue(name, false, "false");
            bindingContext.ModelState.TryAddModelError(name, $"Choose yes or no for {bindingContext.ModelMetadata.GetDisplayName()}.");
            bindingContext.Result = ModelBindingResult.Failed();
        }
        return Task.CompletedTask;
    }
}

public sealed class BooleanModelBinderProvider : IModelBinderProvider
{
    public IModelBinder? GetBinder(ModelBinderProviderContext context) =>
        context.Metadata.UnderlyingOrModelType == typeof(bool) ? new BooleanModelBinder() : null;
}
