namespace Outreach.Data.Sessions;

/// <summary>School year groups, as England numbers them: 0 is Reception, 1 to 13 are Years 1 to 13.</summary>
public static class YearGroups
{
    public static readonly IReadOnlyList<int> All = Enumerable.Range(0, 14).ToList();

    public static string Label(int yearGroup) => yearGroup == 0 ? "Reception" : $"Year {yearGroup}";

    public static string Describe(IReadOnlyCollection<int>? yearGroups) =>
        yearGroups is null || yearGroups.Count == 0 ? "Any" : string.Join(", ", yearGroups.Order().Select(Label));

    public static bool AreValid(IEnumerable<int>? yearGroups) => yearGroups?.All(y => y is >= 0 and <= 13) ?? true;

    /// <returns>Sorted, without repeats; null when none are chosen.</returns>
    public static int[]? Normalise(IEnumerable<int>? yearGroups)
    {
        var chosen = yearGroups?.Distinct().Order().ToArray();
        return chosen is { Length: > 0 } ? chosen : null;
    }
}
