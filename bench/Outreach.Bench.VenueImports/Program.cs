using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Outreach.Bench.VenueImports;
using Outreach.Data;
using Outreach.Data.Database;
using Outreach.Data.Venues;

// Venue import benchmark: a national GIAS file (50,000 establishments x 139 columns by default, in
// Windows-1252 as GIAS sends it) through upload, check and commit, the same calls the page and the
// jobs make; then the same file again (every school already known).
//
//   OUTREACH_BENCH_DB="Host=...;Database=...;Username=..." dotnet run -c Release --project bench/Outreach.Bench.VenueImports
//   dotnet run -c Release --project bench/Outreach.Bench.VenueImports -- --write edubasealldata-synthetic.csv
//
// Options: --rows N, --la 330,331 (default: every local authority), --write FILE (write the file and stop).
var rows = 50_000;
string[]? laCodes = null;
string? writeTo = null;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--rows": rows = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--la": laCodes = args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries); break;
        case "--write": writeTo = args[++i]; break;
        default:
            Console.Error.WriteLine($"Unknown option {args[i]}. Options: --rows N, --la 330,331, --write FILE.");
            return 2;
    }
}

var clock = Stopwatch.StartNew();
var content = SyntheticGias.ToCsv(SyntheticGias.National(rows, badEvery: 1000).Select(SyntheticGias.Row), SyntheticGias.Windows1252);
Console.WriteLine($"Generated {rows:N0} rows x {SyntheticGias.Header.Length} columns: {content.Length / 1_048_576.0:N1} MB (Windows-1252) in {clock.Elapsed.TotalSeconds:N1} s");
if (writeTo is not null)
{
    await File.WriteAllBytesAsync(writeTo, content);
    Console.WriteLine($"Wrote {writeTo}");
    return 0;
}

var connectionString = Environment.GetEnvironmentVariable("OUTREACH_BENCH_DB")
    ?? Environment.GetEnvironmentVariable("ConnectionStrings__Outreach");
if (string.IsNullOrWhiteSpace(connectionString))
{
    Console.Error.WriteLine("Set OUTREACH_BENCH_DB (or ConnectionStrings__Outreach) to a PostgreSQL database to import into.");
    return 2;
}

await using var dataSource = NpgsqlDataSource.Create(connectionString);
await new Migrator(dataSource, NullLogger<Migrator>.Instance).MigrateAsync();
var imports = new VenueImportData(dataSource, TimeProvider.System);
var actor = new Actor(null, "bench", null);

for (var run = 1; run <= 2; run++)
{
    var total = Stopwatch.StartNew();
    var step = Stopwatch.StartNew();
    using var file = new MemoryStream(content, writable: false);
    var uploaded = await imports.UploadAsync(new NewImport(ImportSources.Gias, "edubasealldata-synthetic.csv", file, laCodes, null), actor, CancellationToken.None);
    if (!uploaded.Succeeded)
    {
        Console.Error.WriteLine($"Upload refused: {uploaded.Errors[0].Message}");
        return 1;
    }
    var id = uploaded.Value;
    var uploadSeconds = step.Elapsed.TotalSeconds;
    step.Restart();
    await imports.CheckAsync(id, CancellationToken.None);
    var checkSeconds = step.Elapsed.TotalSeconds;
    var import = (await imports.GetAsync(id, CancellationToken.None))!;
    step.Restart();
    var committed = await imports.CommitAsync(id, actor, CancellationToken.None);
    var commitSeconds = step.Elapsed.TotalSeconds;
    if (!committed.Succeeded)
    {
        Console.Error.WriteLine($"Commit refused: {committed.Errors[0].Message}");
        return 1;
    }
    var result = committed.Value!;
    Console.WriteLine($"Run {run} ({(run == 1 ? "empty venue list" : "re-import, every school known")}):");
    Console.WriteLine($"  rows read {import.RowsRead:N0}, good {import.RowsGood:N0}, rejected {import.RowsBad:N0}, other authorities {import.RowsElsewhere:N0}");
    Console.WriteLine($"  venues added {result.Added:N0}, updated {result.Updated:N0}, closed {result.Closed:N0}, unchanged {result.Unchanged:N0}, left out {result.Skipped:N0}, areas added {result.AreasAdded:N0}");
    Console.WriteLine($"  upload {uploadSeconds:N2} s, check {checkSeconds:N2} s, commit {commitSeconds:N2} s, total {total.Elapsed.TotalSeconds:N2} s");
}
return 0;
