namespace Outreach.Data;

/// <summary>
/// What a change returns when the database can refuse it for a reason the user can fix
/// (a double booking, a duplicate). Field names match the page's input model so the page can
/// show the message beside the field.
/// </summary>
public sealed record Outcome<T>(T? Value, IReadOnlyList<FieldError> Errors)
{
    public bool Succeeded => Errors.Count == 0;

    public static Outcome<T> Ok(T value) => new(value, []);

    public static Outcome<T> Fail(string field, string message) => new(default, [new FieldError(field, message)]);
}

public sealed record FieldError(string Field, string Message);
