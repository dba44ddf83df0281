using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Npgsql;

namespace Outreach.Tests.Infrastructure;

/// <summary>
/// One PostgreSQL server for the whole test process: the server named by <c>OUTREACH_TEST_DB</c> when set,
/// otherwise a throwaway PostgreSQL 15 cluster in a temporary directory that is stopped and deleted when
/// the process exits. Tests get databases of their own from it.
/// </summary>
public sealed partial class PostgresServer
{
    public const string ConnectionStringVariable = "OUTREACH_TEST_DB";

    private const string BinDirectory = "/usr/lib/postgresql/15/bin";

    private static readonly Lazy<Task<PostgresServer>> Instance =
        new(StartAsync, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly NpgsqlConnectionStringBuilder admin;

    private PostgresServer(NpgsqlConnectionStringBuilder admin) => this.admin = admin;

    /// <summary>Starts the server on first use; every later caller gets the same one.</summary>
    public static Task<PostgresServer> StartedAsync() => Instance.Value;

    /// <summary>
    /// Creates an empty database whose name starts with <paramref name="name"/> and ends with a random
    /// suffix, so concurrent tests (and concurrent runs against a shared server) never collide.
    /// </summary>
    public async Task<string> CreateDatabaseAsync(string name, CancellationToken cancellationToken = default)
    {
        var database = UniqueName(name);
        await using (var connection = new NpgsqlConnection(admin.ConnectionString))
        {
            await connection.OpenAsync(cancellationToken);
            // template0: nobody is ever connected to it, so concurrent creations cannot trip over
            // "source database is being accessed by other users".
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{database}\" TEMPLATE template0", connection);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        var builder = new NpgsqlConnectionStringBuilder(admin.ConnectionString)
        {
            Database = database,
            IncludeErrorDetail = true,
        };
        return builder.ConnectionString;
    }

    private static string UniqueName(string name)
    {
        var prefix = new StringBuilder();
        foreach (var c in name.ToLowerInvariant().Take(30))
        {
            prefix.Append(c is (>= 'a' and <= 'z') or (>= '0' and <= '9') ? c : '_');
        }
        var created = DateTime.UtcNow.ToString("yyyyMMddHHmm", CultureInfo.InvariantCulture);
        return $"t_{prefix}_{created}_{Guid.NewGuid().ToString("N")[..8]}";
    }

    private static async Task<PostgresServer> StartAsync()
    {
        var external = Environment.GetEnvironmentVariable(ConnectionStringVariable);
        if (string.IsNullOrWhiteSpace(external))
        {
            return await LocalCluster.StartAsync();
        }

        var builder = new NpgsqlConnectionStringBuilder(external);
        if (string.IsNullOrEmpty(builder.Database))
        {
            builder.Database = "postgres";
        }
        await DropAbandonedDatabasesAsync(builder.ConnectionString);
        return new PostgresServer(builder);
    }

    // Nothing runs reliably at the end of a test process (the runner kills it moments after the last
    // test), so on a shared server each run clears away what earlier runs left: our databases that are
    // more than a day old.
    private static async Task DropAbandonedDatabasesAsync(string adminConnectionString)
    {
        await using var connection = new NpgsqlConnection(adminConnectionString);
        await connection.OpenAsync();
        var names = new List<string>();
        await using (var list = new NpgsqlCommand("SELECT datname FROM pg_database WHERE datname LIKE 't\\_%'", connection))
        await using (var reader = await list.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                names.Add(reader.GetString(0));
            }
        }
        var cutoff = DateTime.UtcNow.AddDays(-1);
        foreach (var name in names)
        {
            var match = OurDatabaseName().Match(name);
            if (match.Success
                && DateTime.ParseExact(match.Groups["created"].Value, "yyyyMMddHHmm", CultureInfo.InvariantCulture) < cutoff)
            {
                await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
                await drop.ExecuteNonQueryAsync();
            }
        }
    }

    [GeneratedRegex(@"^t_[a-z0-9_]*_(?<created>[0-9]{12})_[0-9a-f]{8}$")]
    private static partial Regex OurDatabaseName();

    /// <summary>The throwaway cluster: initdb into a temporary directory, pg_ctl start, pg_ctl stop at exit.</summary>
    private sealed class LocalCluster
    {
        // initdb, pg_ctl and postgres refuse to run as root.
        private static readonly bool RunAsPostgres = Environment.UserName == "root";

        private readonly string root;
        private string DataDirectory => Path.Combine(root, "data");
        private string LogFile => Path.Combine(root, "postgres.log");

        private LocalCluster(string root) => this.root = root;

        public static async Task<PostgresServer> StartAsync()
        {
            var cluster = new LocalCluster(Path.Combine(RunAsPostgres ? "/tmp" : Path.GetTempPath(), "outreach-pg-" + Guid.NewGuid().ToString("N")));
            Directory.CreateDirectory(cluster.root);
            cluster.StartWatchdog();
            AppDomain.CurrentDomain.ProcessExit += (_, _) => cluster.StopAndDelete();

            if (RunAsPostgres)
            {
                await RunAsync("chown", ["postgres", cluster.root], asPostgres: false);
            }
            await RunAsync(Path.Combine(BinDirectory, "initdb"),
                ["-D", cluster.DataDirectory, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C.UTF-8"],
                asPostgres: RunAsPostgres);

            // The port is free when we look; someone may take it before postgres binds, so try again.
            for (var attempt = 1; ; attempt++)
            {
                var port = FreePort();
                try
                {
                    await cluster.StartOnAsync(port);
                    var admin = new NpgsqlConnectionStringBuilder
                    {
                        Host = "127.0.0.1",
                        Port = port,
                        Username = "postgres",
                        Database = "postgres",
                    };
                    return new PostgresServer(admin);
                }
                catch (InvalidOperationException) when (attempt < 3)
                {
                    cluster.Stop();
                }
            }
        }

        private async Task StartOnAsync(int port)
        {
            var options = string.Join(' ',
                "-c listen_addresses=127.0.0.1",
                $"-p {port}",
                $"-k '{root}'",
                "-c fsync=off",
                "-c synchronous_commit=off",
                "-c full_page_writes=off",
                "-c max_connections=600");
            try
            {
                await RunAsync(Path.Combine(BinDirectory, "pg_ctl"),
                    ["start", "-w", "-t", "60", "-D", DataDirectory, "-l", LogFile, "-o", options],
                    asPostgres: RunAsPostgres);
            }
            catch (InvalidOperationException e)
            {
                var log = File.Exists(LogFile) ? await File.ReadAllTextAsync(LogFile) : "(no log)";
                throw new InvalidOperationException($"{e.Message}\nServer log:\n{log}", e);
            }
        }

        private void Stop()
        {
            if (File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
            {
                RunToEnd(Path.Combine(BinDirectory, "pg_ctl"), ["stop", "-m", "immediate", "-w", "-D", DataDirectory], RunAsPostgres);
            }
        }

        private void StopAndDelete()
        {
            try
            {
                Stop();
            }
            catch (Exception e)
            {
                Console.Error.WriteLine($"Could not stop the test PostgreSQL cluster in {root}: {e.Message}");
            }
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (Exception e)
            {
                Console.Error.WriteLine($"Could not delete {root}: {e.Message}");
            }
        }

        // The test runner kills the test process moments after the last test, usually before the
        // ProcessExit handler is through, and a crashed or killed run never gets that far. So a detached
        // shell, outside the test process's tree, waits for the process to end, then stops the cluster and
        // deletes its directory.
        private void StartWatchdog()
        {
            const string script = """
                exec </dev/null >/dev/null 2>&1
                owner=$1; root=$2; shift 2
                while kill -0 "$owner"; do sleep 0.5; done
                "$@"
                rm -rf "$root"
                """;
            var stop = Command(Path.Combine(BinDirectory, "pg_ctl"), ["stop", "-m", "immediate", "-w", "-D", DataDirectory], RunAsPostgres);
            var info = StartInfo("setsid",
                ["-f", "sh", "-c", script, "outreach-pg-watchdog", Environment.ProcessId.ToString(CultureInfo.InvariantCulture), root, .. stop],
                asPostgres: false);
            // The watchdog outlives this process, so it must not hold on to pipes of ours.
            info.RedirectStandardOutput = false;
            info.RedirectStandardError = false;
            using var setsid = Process.Start(info) ?? throw new InvalidOperationException("Could not start the cluster's watchdog");
            setsid.WaitForExit();
        }

        private static int FreePort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        private static List<string> Command(string fileName, IEnumerable<string> arguments, bool asPostgres) =>
            asPostgres ? ["runuser", "-u", "postgres", "--", fileName, .. arguments] : [fileName, .. arguments];

        private static ProcessStartInfo StartInfo(string fileName, IEnumerable<string> arguments, bool asPostgres)
        {
            var command = Command(fileName, arguments, asPostgres);
            var info = new ProcessStartInfo
            {
                FileName = command[0],
                // The postgres user must be able to enter the working directory.
                WorkingDirectory = asPostgres ? "/tmp" : Path.GetTempPath(),
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            foreach (var argument in command.Skip(1))
            {
                info.ArgumentList.Add(argument);
            }
            // PGPORT, PGDATA and friends from the developer's shell must not steer our cluster.
            foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("PG", StringComparison.Ordinal)).ToList())
            {
                info.Environment.Remove(key);
            }
            return info;
        }

        private static async Task RunAsync(string fileName, IEnumerable<string> arguments, bool asPostgres)
        {
            var info = StartInfo(fileName, arguments, asPostgres);
            using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {fileName}");
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException(
                    $"{Path.GetFileName(fileName)} exited with {process.ExitCode}:\n{await output}\n{await error}");
            }
        }

        private static void RunToEnd(string fileName, IEnumerable<string> arguments, bool asPostgres)
        {
            using var process = Process.Start(StartInfo(fileName, arguments, asPostgres))
                ?? throw new InvalidOperationException($"Could not start {fileName}");
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(30)))
            {
                process.Kill(entireProcessTree: true);
                throw new InvalidOperationException($"{Path.GetFileName(fileName)} did not finish in 30 seconds");
            }
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException(
                    $"{Path.GetFileName(fileName)} exited with {process.ExitCode}:\n{output.Result}\n{error.Result}");
            }
        }
    }
}
