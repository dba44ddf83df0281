using System.Buffers;
using System.Text;
using System.Text.RegularExpressions;
using System.Text.Unicode;
using CsvHelper;

namespace Outreach.Data.Venues;

/// <summary>
/// What an uploaded file is before any of its rows is read: text or not, and in which encoding.
/// GIAS downloads come in Windows-1252; a file saved again from Excel or a text editor may be UTF-8.
/// </summary>
public static partial class ImportFile
{
    public static readonly Encoding Windows1252 = CodePagesEncodingProvider.Instance.GetEncoding(1252)
        ?? throw new InvalidOperationException("The Windows-1252 code page is not available.");

    public static string EncodingName(Encoding encoding) => encoding.CodePage == 1252 ? "Windows-1252" : "UTF-8";

    public static Encoding FromName(string name) => name == "Windows-1252" ? Windows1252 : Encoding.UTF8;

    /// <summary>What reading the whole file found: why it is not a CSV text file (or null), its encoding and size.</summary>
    public sealed record Inspection(string? WhyNotText, Encoding Encoding, long Length);

    private const int ChunkBytes = 64 * 1024;

    /// <summary>
    /// Reads the file from its current position to the end, a chunk at a time, so a file of any size is looked at
    /// without being held in memory. The encoding is UTF-8 when every byte sequence is valid UTF-8 (plain ASCII
    /// included), else Windows-1252.
    /// </summary>
    public static async Task<Inspection> InspectAsync(Stream content, CancellationToken cancellationToken)
    {
        var bytes = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        var chars = ArrayPool<char>.Shared.Rent(ChunkBytes);
        try
        {
            long length = 0;
            var utf8 = true;
            // The bytes of a UTF-8 sequence cut by the end of the last chunk, moved to the start of the next.
            var carried = 0;
            while (true)
            {
                var read = await content.ReadAtLeastAsync(bytes.AsMemory(carried, ChunkBytes - carried), ChunkBytes - carried,
                    throwOnEndOfStream: false, cancellationToken);
                var atEnd = read < ChunkBytes - carried;
                var fresh = bytes.AsSpan(carried, read);
                if (length == 0 && WhyNotTextFromStart(fresh) is { } notText)
                {
                    return new Inspection(notText, Encoding.UTF8, read);
                }
                length += read;
                // The whole file, not just its start: PostgreSQL cannot store a null character, so one deep inside the
                // file would fail the import half-way (a vectorised scan of even the full GIAS file takes milliseconds).
                if (fresh.Contains((byte)0))
                {
                    return new Inspection("This is not a CSV file: it holds binary data, not text.", Encoding.UTF8, length);
                }
                if (utf8)
                {
                    var chunk = bytes.AsSpan(0, carried + read);
                    var status = Utf8.ToUtf16(chunk, chars, out var used, out _, replaceInvalidSequences: false, isFinalBlock: atEnd);
                    utf8 = status is OperationStatus.Done or OperationStatus.NeedMoreData;
                    carried = utf8 ? chunk.Length - used : 0;
                    chunk[used..].CopyTo(bytes);
                }
                if (atEnd)
                {
                    return new Inspection(null, utf8 ? Encoding.UTF8 : Windows1252, length);
                }
            }
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    /// <summary>Why a file that starts with these bytes is not a CSV text file, or null when it may be one.</summary>
    private static string? WhyNotTextFromStart(ReadOnlySpan<byte> content)
    {
        if (content.IsEmpty)
        {
            return "The file is empty. Choose the CSV file you downloaded.";
        }
        if (content.StartsWith("PK\u0003\u0004"u8))
        {
            return "This is an Excel workbook (or another zipped file), not a CSV file. In Excel, use File > Save As and choose CSV, then upload that.";
        }
        if (content.StartsWith((ReadOnlySpan<byte>)[0xD0, 0xCF, 0x11, 0xE0]))
        {
            return "This is an old-style Excel (.xls) file, not a CSV file. In Excel, use File > Save As and choose CSV, then upload that.";
        }
        if (content.StartsWith("%PDF"u8))
        {
            return "This is a PDF, not a CSV file.";
        }
        if (content.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) || content.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
        {
            return "This file is saved as \"Unicode text\" (UTF-16). Save it as CSV (UTF-8 or Windows) and upload it again.";
        }
        return null;
    }

    /// <summary>A UK postcode in capitals with one space ("B8 2AA"), or null when the text is not one.</summary>
    public static string? NormalisePostcode(string text)
    {
        var compact = string.Concat(text.Where(c => !char.IsWhiteSpace(c))).ToUpperInvariant();
        return Postcode().IsMatch(compact) ? compact[..^3] + " " + compact[^3..] : null;
    }

    /// <summary>Trims and collapses runs of whitespace inside a value.</summary>
    public static string Tidy(string? text) =>
        string.IsNullOrWhiteSpace(text) ? "" : Whitespace().Replace(text.Trim(), " ");

    /// <summary>Names written in capitals (as NHS files are) in title case; anything else as it is.</summary>
    public static string TitleCaseIfShouting(string text)
    {
        if (text.Any(char.IsLower) || !text.Any(char.IsUpper))
        {
            return text;
        }
        return Word().Replace(text.ToLowerInvariant(), m =>
        {
            var word = m.Value;
            if (word.Any(char.IsDigit) || Acronyms.Contains(word))
            {
                return word.ToUpperInvariant();
            }
            if (m.Index > 0 && SmallWords.Contains(word))
            {
                return word;
            }
            return char.ToUpperInvariant(word[0]) + word[1..];
        });
    }

    private static readonly HashSet<string> Acronyms = new(StringComparer.Ordinal) { "nhs", "a&e", "uk", "gp", "ii", "iii", "iv", "ae" };

    private static readonly HashSet<string> SmallWords = new(StringComparer.Ordinal) { "of", "and", "the", "for", "on", "at", "in", "upon" };

    internal static CsvReaderOptions ReaderOptions(Encoding encoding, bool hasHeader) => CsvReaderOptions.Default with
    {
        Separator = ',',
        HasHeader = hasHeader,
        Encoding = encoding.CodePage == 1252 ? encoding : null,
        // One record per line: a stray quote then spoils one row, not the rest of the file.
        AllowLineBreaksInQuotes = false,
        TrackLineNumbers = true,
        TrimWhitespace = true,
    };

    [GeneratedRegex("^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$")]
    private static partial Regex Postcode();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"[\p{L}\p{N}'\u2019&]+")]
    private static partial Regex Word();
}
