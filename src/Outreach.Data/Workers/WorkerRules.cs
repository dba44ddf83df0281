using System.Net.Mail;

namespace Outreach.Data.Workers;

/// <summary>
/// What a youth worker's details must be, whichever door they come through (the Workers pages or the API): checked by
/// <see cref="WorkerData.CreateAsync"/> and <see cref="WorkerData.UpdateAsync"/>, with errors keyed by the field they
/// concern. The mobile's rule is <see cref="MobileNumber.TryNormalise"/>; the DBS check's is <see cref="Dbs.Check"/>.
/// </summary>
public static class WorkerRules
{
    public const int NameLength = 120;
    public const int EmailLength = 200;
    public const decimal MaxHourlyCost = 500;
    public const decimal MaxContractedHours = 80;

    public static IReadOnlyList<FieldError> Check(string? fullName, string? email, decimal? hourlyCost, decimal? contractedHours)
    {
        var errors = new List<FieldError>();
        var name = fullName?.Trim() ?? "";
        if (name.Length == 0)
        {
            errors.Add(new("FullName", "Enter the youth worker's full name."));
        }
        else if (name.Length > NameLength)
        {
            errors.Add(new("FullName", "Keep the name under 120 characters."));
        }
        var address = email?.Trim() ?? "";
        if (address.Length > EmailLength)
        {
            errors.Add(new("Email", "Keep the email address under 200 characters."));
        }
        else if (address.Length > 0 && (!MailAddress.TryCreate(address, out var parsed) || parsed.Address != address))
        {
            errors.Add(new("Email", "Enter an email address like name@example.org."));
        }
        if (hourlyCost is < 0 or > MaxHourlyCost)
        {
            errors.Add(new("HourlyCost", "Enter an hourly cost between £0 and £500."));
        }
        if (contractedHours is < 0 or > MaxContractedHours)
        {
            errors.Add(new("ContractedHours", "Enter contracted hours between 0 and 80 a week, or leave it empty for a sessional worker."));
        }
        return errors;
    }
}
