using System.Globalization;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace Outreach.Web.Infrastructure;

/// <summary>
/// Binds whole numbers (ids, counts) as plain decimal digits. The framework's converter also reads "0x1F"
/// and "#1F" as hexadecimal, so a form could name worker 31 without ever showing "31"; here such a value is
/// refused with the usual "not valid" message.
/// </summary>
public sealed class WholeNumberModelBinder(Type type) : IModelBinder
{
    public Task BindModelAsync(ModelBindingContext bindingContext)
    {
        var name = bindingContext.ModelName;
        var values = bindingContext.ValueProvider.GetValue(name);
        if (values == ValueProviderResult.None)
        {
            return Task.CompletedTask;
        }
        bindingContext.ModelState.SetModelValue(name, values);
        var text = values.FirstValue?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            if (bindingContext.ModelMetadata.IsReferenceOrNullableType)
            {
                bindingContext.Result = ModelBindingResult.Success(null);
            }
            else
            {
                bindingContext.ModelState.TryAddModelError(name,
                    bindingContext.ModelMetadata.ModelBindingMessageProvider.ValueMustNotBeNullAccessor(values.FirstValue ?? ""));
            }
            return Task.CompletedTask;
        }
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number)
            && (type == typeof(long) || number is >= int.MinValue and <= int.MaxValue))
        {
            bindingContext.Result = ModelBindingResult.Success(type == typeof(long) ? number : (object)(int)number);
            return Task.CompletedTask;
        }
        bindingContext.ModelState.TryAddModelError(name,
            bindingContext.ModelMetadata.ModelBindingMessageProvider.AttemptedValueIsInvalidAccessor(text, bindingContext.ModelMetadata.GetDisplayName()));
        bindingContext.Result = ModelBindingResult.Failed();
        return Task.CompletedTask;
    }
}

public sealed class WholeNumberModelBinderProvider : IModelBinderProvider
{
    public IModelBinder? GetBinder(ModelBinderProviderContext context) =>
        context.Metadata.UnderlyingOrModelType is var type && (type == typeof(long) || type == typeof(int))
            ? new WholeNumberModelBinder(type)
            : null;
}
