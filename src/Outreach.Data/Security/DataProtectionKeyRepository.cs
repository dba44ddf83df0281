using System.Xml.Linq;
using Dapper;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Npgsql;

namespace Outreach.Data.Security;

/// <summary>Keeps the Data Protection key ring in PostgreSQL, so any number of web instances share sign-ins.</summary>
public sealed class DataProtectionKeyRepository(NpgsqlDataSource dataSource) : IXmlRepository
{
    // The interface is synchronous; the key ring is read rarely (at start and on key rotation).
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var connection = dataSource.OpenConnection();
        return connection.Query<string>("SELECT xml FROM outreach.data_protection_keys ORDER BY id")
            .Select(XElement.Parse)
            .ToList();
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        using var connection = dataSource.OpenConnection();
        connection.Execute(
            "INSERT INTO outreach.data_protection_keys (friendly_name, xml) VALUES (@friendlyName, @xml)",
            new { friendlyName, xml = element.ToString(SaveOptions.DisableFormatting) });
    }
}
