namespace Outreach.Data;

/// <summary>One page of a list, with the total so clients can page through it.</summary>
public sealed record Paged<T>(IReadOnlyList<T> Items, int Page, int PageSize, long Total)
{
    public const int MaxPageSize = 200;

    public static (int Page, int PageSize, int Offset) Normalise(int? page, int? pageSize)
    {
        var size = Math.Clamp(pageSize ?? 50, 1, MaxPageSize);
        var number = Math.Max(page ?? 1, 1);
        return (number, size, (number - 1) * size);
    }
}
