using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Npgsql;

namespace Outreach.Tests.Infrastructure;

/// <summary>
/// One PostgreSQL server for the whole test process: the server named by <c>OUTREACH_TEST_DB</c> when set,
/// otherwise a throwaway PostgreSQL 15 cluster in a temporary directory that is stopped and deleted when
/// the process exits. Tests get databases of their own from it.
/// </summary>
public sealed class PostgresServer
{
    public const string ConnectionStringVariable = "OUTREACH_TEST_DB";

    private const string BinDirectory = "/usr/lib/postgresql/15/bin";
    private const string DirectoryPrefix = "outreach-pg-";

    private static readonly Lazy<Task<PostgresServer>> Instance =
        new(StartAsync, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly NpgsqlConnectionStringBuilder admin;
    private readonly bool isExternal;
    private readonly List<string> created = [];

    private PostgresServer(NpgsqlConnectionStringBuilder admin, bool isExternal)
    {
        this.admin = admin;
        this.isExternal = isExternal;
    }

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
        lock (created)
        {
            created.Add(database);
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
        foreach (var c in name.ToLowerInvariant())
        {
            prefix.Append(c is (>= 'a' and <= 'z') or (>= '0' and <= '9') ? c : '_');
            if (prefix.Length == 40)
            {
                break;
            }
        }
        return $"t_{prefix}_{Guid.NewGuid().ToString("N")[..12]}";
    }

    private static async Task<PostgresServer> StartAsync()
    {
        var external = Environment.GetEnvironmentVariable(ConnectionStringVariable);
        if (!string.IsNullOrWhiteSpace(external))
        {
            var builder = new NpgsqlConnectionStringBuilder(external);
            if (string.IsNullOrEmpty(builder.Database))
            {
                builder.Database = "postgres";
            }
            var server = new PostgresServer(builder, isExternal: true);
            AppDomain.CurrentDomain.ProcessExit += (_, _) => server.DropCreatedDatabases();
            return server;
        }

        return await LocalCluster.StartAsync();
    }

    // On a shared server the databases would otherwise pile up run after run.
    private void DropCreatedDatabases()
    {
        if (!isExternal)
        {
            return;
        }
        try
        {
            NpgsqlConnection.ClearAllPools();
            using var connection = new NpgsqlConnection(admin.ConnectionString);
            connection.Open();
            string[] names;
            lock (created)
            {
                names = [.. created];
            }
            foreach (var name in names)
            {
                using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
                command.ExecuteNonQuery();
            }
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"Could not drop the test databases: {e.Message}");
        }
    }

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
            var parent = RunAsPostgres ? "/tmp" : Path.GetTempPath();
            RemoveClustersOfDeadRuns(parent);

            var cluster = new LocalCluster(Path.Combine(parent, DirectoryPrefix + Guid.NewGuid().ToString("N")));
            Directory.CreateDirectory(cluster.root);
            // Lets a later run recognise (and remove) this cluster if this process dies without cleaning up.
            await File.WriteAllTextAsync(Path.Combine(cluster.root, "owner.pid"), Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
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
                    return new PostgresServer(admin, isExternal: false);
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
                "-c max_connections=200");
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
            File.AppendAllText("/tmp/pgdebug.log", $"{DateTime.UtcNow:O} begin\n");
            try
            {
                Stop();
                File.AppendAllText("/tmp/pgdebug.log", $"{DateTime.UtcNow:O} stopped\n");
            }
            catch (Exception e)
            {
                Console.Error.WriteLine($"Could not stop the test PostgreSQL cluster in {root}: {e.Message}");
            }
            try
            {
                Directory.Delete(root, recursive: true);
                File.AppendAllText("/tmp/pgdebug.log", $"{DateTime.UtcNow:O} deleted\n");
            }
            catch (Exception e)
            {
                Console.Error.WriteLine($"Could not delete {root}: {e.Message}"); File.AppendAllText("/tmp/pgdebug.log", e.ToString());
            }
        }

        // A test process that was killed never ran its ProcessExit handler; its cluster is still up.
        private static void RemoveClustersOfDeadRuns(string parent)
        {
            foreach (var directory in Directory.EnumerateDirectories(parent, DirectoryPrefix + "*"))
            {
                try
                {
                    var ownerFile = Path.Combine(directory, "owner.pid");
                    if (!File.Exists(ownerFile)
                        || !int.TryParse(File.ReadAllText(ownerFile), NumberStyles.None, CultureInfo.InvariantCulture, out var owner)
                        || IsRunning(owner))
                    {
                        continue;
                    }
                    new LocalCluster(directory).StopAndDelete();
                }
                catch (Exception e)
                {
                    Console.Error.WriteLine($"Could not clean up {directory}: {e.Message}");
                }
            }
        }

        private static bool IsRunning(int processId)
        {
            try
            {
                using var process = Process.GetProcessById(processId);
                return !process.HasExited;
            }
            catch (ArgumentException)
            {
                return false;
            }
        }

        private static int FreePort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        private static ProcessStartInfo StartInfo(string fileName, IEnumerable<string> arguments, bool asPostgres)
        {
            var info = new ProcessStartInfo
            {
                FileName = asPostgres ? "runuser" : fileName,
                // The postgres user must be able to enter the working directory.
                WorkingDirectory = asPostgres ? "/tmp" : Path.GetTempPath(),
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            if (asPostgres)
            {
                foreach (var argument in (string[])["-u", "postgres", "--", fileName])
                {
                    info.ArgumentList.Add(argument);
                }
            }
            foreach (var argument in arguments)
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
