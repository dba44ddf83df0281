using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Npgsql;
using Outreach.Data.Security;
using Outreach.Data.Settings;

namespace Outreach.Web.Infrastructure;

/// <summary>
/// The keys that sign cookies and protect sign-ins and links live in PostgreSQL, shared by every web process, and
/// are encrypted there with the certificate in Security:DataProtectionCertificate (a PKCS#12 file, its password in
/// Security:DataProtectionCertificatePassword). Security:DataProtectionCertificateCreate makes a self-signed one
/// at that path when none is there (run.sh's demo does, under .data/). Without a certificate the keys are stored
/// in clear and the start-up log says so.
/// </summary>
public static class DataProtectionKeys
{
    public static IServiceCollection AddOutreachDataProtection(this IServiceCollection services, IConfiguration configuration)
    {
        var builder = services.AddDataProtection().SetApplicationName("Outreach");
        services.AddOptions<KeyManagementOptions>()
            .Configure<NpgsqlDataSource>((options, dataSource) => options.XmlRepository = new DataProtectionKeyRepository(dataSource));
        var security = services.AddSettingsNow<SecurityOptions>(configuration, SecurityOptions.Section);
        var path = security.DataProtectionCertificate;
        if (string.IsNullOrWhiteSpace(path))
        {
            return services;
        }
        var password = security.DataProtectionCertificatePassword;
        if (!File.Exists(path))
        {
            if (!security.DataProtectionCertificateCreate)
            {
                throw new InvalidOperationException($"Security:DataProtectionCertificate: no certificate at '{path}'.");
            }
            Create(path, password);
        }
        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12FromFile(path, password, X509KeyStorageFlags.EphemeralKeySet);
        }
        catch (CryptographicException e)
        {
            throw new InvalidOperationException(
                $"Security:DataProtectionCertificate: '{path}' could not be opened ({e.Message}). Check Security:DataProtectionCertificatePassword.", e);
        }
        if (!certificate.HasPrivateKey)
        {
            throw new InvalidOperationException($"Security:DataProtectionCertificate: '{path}' holds no private key, so keys could not be read back.");
        }
        builder.ProtectKeysWithCertificate(certificate).UnprotectKeysWithAnyCertificate(certificate);
        return services;
    }

    private static void Create(string path, string? password)
    {
        using var rsa = RSA.Create(3072);
        var request = new CertificateRequest("CN=Outreach data protection", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(20));
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var bytes = certificate.Export(X509ContentType.Pkcs12, password);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            // Readable by the site's own user only.
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        using var file = new FileStream(path, options);
        file.Write(bytes);
    }
}
