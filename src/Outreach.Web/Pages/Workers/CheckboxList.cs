namespace Outreach.Web.Pages.Workers;

/// <summary>A group of checkboxes posting ids under one field name (areas covered, skills).</summary>
public sealed record CheckboxList(
    string Field, string Legend, string Help, string Empty, IReadOnlyList<CheckboxItem> Items, IReadOnlyCollection<long> Selected);

public sealed record CheckboxItem(long Id, string Label, string Group = "");
