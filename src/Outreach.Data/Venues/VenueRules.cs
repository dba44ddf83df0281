using System.Text.RegularExpressions;

namespace Outreach.Data.Venues;

/// <summary>
/// What a venue's details must be, whichever door they come through (the Venues pages or the API): checked by
/// <see cref="VenueData.CreateAsync"/> and <see cref="VenueDetailsData.UpdateAsync"/>, with errors keyed by the
/// field of <see cref="NewVenue"/> or <see cref="VenueEdit"/> they concern. A form may ask first, to show every
/// message at once when its own binding already refused a field.
/// </summary>
public static partial class VenueRules
{
    public const int NameLength = 200;
    public const int AddressLength = 300;
    public const int AccessNotesLength = 2000;

    public static IReadOnlyList<FieldError> CheckNew(string? kind, string? name, string? address, string? postcode, string? urn)
    {
        var errors = new List<FieldError>();
        if (kind is null || !VenueKinds.Labels.ContainsKey(kind))
        {
            errors.Add(new(nameof(NewVenue.Kind), "Choose what kind of venue this is."));
        }
        CheckCommon(errors, name, address, postcode);
        if (!string.IsNullOrWhiteSpace(urn) && !Urn().IsMatch(urn.Trim()))
        {
            errors.Add(new(nameof(NewVenue.Urn), "A school's URN is 6 digits."));
        }
        return errors;
    }

    public static IReadOnlyList<FieldError> CheckEdit(string? name, string? address, string? postcode, string? phone, string? accessNotes, string? status)
    {
        var errors = new List<FieldError>();
        CheckCommon(errors, name, address, postcode);
        if (!string.IsNullOrWhiteSpace(phone) && !Phone().IsMatch(phone))
        {
            errors.Add(new(nameof(VenueEdit.Phone), "Enter a phone number like 0121 464 2000."));
        }
        if ((accessNotes?.Trim().Length ?? 0) > AccessNotesLength)
        {
            errors.Add(new(nameof(VenueEdit.AccessNotes), "Keep the access notes under 2,000 characters."));
        }
        if (status is not ("open" or "closed"))
        {
            errors.Add(new(nameof(VenueEdit.Status), "Say whether the venue is open or closed."));
        }
        return errors;
    }

    private static void CheckCommon(List<FieldError> errors, string? name, string? address, string? postcode)
    {
        var tidyName = ImportFile.Tidy(name);
        if (tidyName.Length == 0)
        {
            errors.Add(new("Name", "Enter the venue's name."));
        }
        else if (tidyName.Length > NameLength)
        {
            errors.Add(new("Name", "Keep the name under 200 characters."));
        }
        if (ImportFile.Tidy(address).Length > AddressLength)
        {
            errors.Add(new("Address", "Keep the address under 300 characters."));
        }
        if (string.IsNullOrWhiteSpace(postcode))
        {
            errors.Add(new("Postcode", "Enter the postcode."));
        }
        else if (ImportFile.NormalisePostcode(postcode) is null)
        {
            errors.Add(new("Postcode", "Enter a UK postcode like B8 2AA."));
        }
    }

    [GeneratedRegex(@"^\d{6}$")]
    private static partial Regex Urn();

    [GeneratedRegex(@"^\s*\+?[0-9][0-9 ()-]{8,18}\s*$")]
    private static partial Regex Phone();
}
