namespace Outreach.Data;

/// <summary>One page of a list, with the total so clients can page through it.</summary>
public sealed record Paged<T>(IReadOnlyList<T> Items, int Page, int PageSize, long Total)
{
    public const int MaxPageSize = 200;

    public static (int Page, int PageSize, int Offset) Normalise(int? page, int? pageSize)
    {
        var size = Math.Clamp(pageSize ?? 50, 1, MaxPageSize);
        // Capped so the offset fits an int: page=2147483647 is an empty page, not an overflow.
        var number = Math.Clamp(page ?? 1, 1, int.MaxValue / size);
        return (number, size, (number - 1) * size);
    }
}
