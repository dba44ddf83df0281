using System.Text;
using CsvHelper;

namespace Outreach.Data.Venues;

/// <summary>
/// The records of an uploaded CSV file, read as a stream, one per line, with the line each starts on and what (if
/// anything) was wrong with its quoting. Fields are read by index and materialised only when asked.
/// </summary>
internal sealed class CsvRows : IDisposable
{
    private readonly CsvReader _reader;
    private readonly Dictionary<long, CsvMalformedReason> _malformed = [];

    private CsvRows(Stream content, Encoding encoding, bool hasHeader)
    {
        var options = ImportFile.ReaderOptions(encoding, hasHeader) with
        {
            OnMalformedRecord = record =>
            {
                lock (_malformed)
                {
                    _malformed.TryAdd(record.LineNumber, record.Reason);
                }
            },
        };
        _reader = CsvReader.Create(content, options, leaveOpen: true);
    }

    /// <summary>Reads <paramref name="content"/> from its current position, a buffer at a time; it stays open.</summary>
    public static CsvRows Open(Stream content, Encoding encoding, bool hasHeader) => new(content, encoding, hasHeader);

    public IReadOnlyList<string> Header => _reader.Headers;

    public int FieldCount => _reader.FieldCount;

    /// <summary>The 1-based line of the file the current record is on (the header is line 1).</summary>
    public int Line => checked((int)_reader.LineNumber);

    /// <summary>How far through the file the reader is, in bytes, for the progress bar.</summary>
    public long Position => _reader.ByteOffset;

    public bool Read() => _reader.Read();

    /// <summary>
    /// The field at <paramref name="index"/>, trimmed; "" when the record is shorter or the column is absent (-1).
    /// A value the rejected rows' file escaped as a possible formula ('=, '+, '-, '@) reads as it was first uploaded.
    /// </summary>
    public string Get(int index)
    {
        var value = index < 0 || index >= _reader.FieldCount ? "" : (_reader.GetString(index) ?? "").Trim();
        var written = CsvWriterOptions.Default;
        return value.Length > 1 && value[0] == written.InjectionEscape && written.InjectionCharacters.Contains(value[1], StringComparison.Ordinal)
            ? value[1..]
            : value;
    }

    public string[] Fields() => _reader.Current.ToArray();

    /// <summary>What is wrong with the current record's quoting, in words for the coordinator, or null.</summary>
    public string? QuotingProblem()
    {
        CsvMalformedReason reason;
        lock (_malformed)
        {
            if (!_malformed.Remove(_reader.LineNumber, out reason))
            {
                return null;
            }
        }
        return reason switch
        {
            CsvMalformedReason.StrayQuote => "a quote mark inside a value that does not start with one",
            CsvMalformedReason.TextAfterClosingQuote => "text after the closing quote of a value",
            CsvMalformedReason.UnterminatedQuote => "a value whose opening quote is never closed",
            CsvMalformedReason.LineBreakInQuotes => "a quoted value that runs onto the next line",
            CsvMalformedReason.FieldCountMismatch => null,
            _ => "quotes that do not pair up",
        };
    }

    public void Dispose() => _reader.Dispose();
}
