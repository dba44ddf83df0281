using System.Text;

namespace Outreach.Data;

/// <summary>Turning what a person typed into a search box into query parameters.</summary>
public static class SqlText
{
    /// <summary>The trimmed text, or null when nothing was typed (so no condition is added).</summary>
    public static string? Given(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    /// <summary>Escapes LIKE's wildcards, so "50%" matches those characters and not everything.</summary>
    public static string EscapeLike(string value)
    {
        var escaped = new StringBuilder(value.Length);
        foreach (var c in value)
        {
            if (c is '\\' or '%' or '_')
            {
                escaped.Append('\\');
            }
            escaped.Append(c);
        }
        return escaped.ToString();
    }
}
