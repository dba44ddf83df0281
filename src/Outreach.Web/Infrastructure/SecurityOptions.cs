using System.ComponentModel.DataAnnotations;

namespace Outreach.Web.Infrastructure;

/// <summary>The Security section: cookies, two factors for staff, and the certificate that encrypts the keys.</summary>
public sealed class SecurityOptions : IValidatableObject
{
    public const string Section = "Security";

    /// <summary>Administrators and coordinators must use an authenticator app.</summary>
    public bool RequireTwoFactorForStaff { get; set; } = true;

    /// <summary>__Host- Secure cookies (serve over HTTPS); plain-http local runs (run.sh) turn it off.</summary>
    public bool SecureCookies { get; set; } = true;

    /// <summary>A PKCS#12 file that encrypts the data-protection keys kept in PostgreSQL; empty keeps them in clear.</summary>
    public string? DataProtectionCertificate { get; set; }

    public string? DataProtectionCertificatePassword { get; set; }

    /// <summary>Make a self-signed certificate at <see cref="DataProtectionCertificate"/> when none is there.</summary>
    public bool DataProtectionCertificateCreate { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (DataProtectionCertificateCreate && string.IsNullOrWhiteSpace(DataProtectionCertificate))
        {
            yield return new ValidationResult(
                "Security:DataProtectionCertificateCreate needs Security:DataProtectionCertificate: the path to make the certificate at.",
                [nameof(DataProtectionCertificate)]);
        }
    }
}
