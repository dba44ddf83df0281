namespace Outreach.Data.Venues;

/// <summary>One data row of an import as checked: what it says, or why it was rejected.</summary>
internal sealed class StagedRow
{
    public int Line { get; init; }

    public List<(string Column, string Reason)> Problems { get; } = [];

    public bool Rejected => Problems.Count > 0;

    /// <summary>The row's fields as read, kept only for a rejected row so it can be handed back.</summary>
    public string[]? Fields { get; set; }

    public string? Ref { get; set; }

    public string? LaCode { get; set; }

    public string? LaName { get; set; }

    public string? LaOnsCode { get; set; }

    public string? Region { get; set; }

    public string? Name { get; set; }

    public string? Address { get; set; }

    public string? Postcode { get; set; }

    public string? Phone { get; set; }

    public string? Website { get; set; }

    public string? EstablishmentType { get; set; }

    public string? Phase { get; set; }

    public string? Status { get; set; }

    public int? Pupils { get; set; }

    public decimal? PercentageFsm { get; set; }

    public string? LsoaCode { get; set; }

    public DateOnly? OpenedOn { get; set; }

    public DateOnly? ClosedOn { get; set; }

    public void Problem(string column, string reason) => Problems.Add((column, reason));

    /// <summary>The value or null when it is blank, for optional columns.</summary>
    public static string? OrNull(string value) => value.Length == 0 ? null : value;
}
