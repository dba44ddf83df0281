#!/usr/bin/env bash
# Impact compile and reports benchmarks at national scale on a private PostgreSQL cluster (.data/reports-bench-postgres).
#   bench/reports.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PG_PORT=${OUTREACH_BENCH_REPORTS_PG_PORT:-5436}
source scripts/postgres.sh
pg_ensure_installed
pg_start "$ROOT/.data/reports-bench-postgres" "$PG_PORT"
trap 'pg_stop "$ROOT/.data/reports-bench-postgres"' EXIT
pg_create_db "$PG_PORT" outreach_bench_reports
DB="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=outreach_bench_reports;Command Timeout=1200"
dotnet build bench/Outreach.Bench.Reports -c Release -nologo -v quiet -clp:ErrorsOnly
dotnet bench/Outreach.Bench.Reports/bin/Release/net10.0/Outreach.Bench.Reports.dll --db "$DB"
