#!/usr/bin/env bash
# Scheduling benchmarks on a private PostgreSQL cluster (.data/bench-postgres) and a Release build of the site.
#   bench/scheduling.sh [demo|national]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
SCALE=${1:-demo}
PG_PORT=${OUTREACH_BENCH_PG_PORT:-5434}
SITE_PORT=${OUTREACH_BENCH_SITE_PORT:-5099}
source scripts/postgres.sh
pg_ensure_installed
# National scale is about 1 GB: give it the memory a server holding it would have, not the 128 MB default.
pg_start "$ROOT/.data/bench-postgres" "$PG_PORT" "-c shared_buffers=1GB"
pg_create_db "$PG_PORT" "outreach_bench_$SCALE"
DB="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=outreach_bench_$SCALE;Command Timeout=600"

dotnet build src/Outreach.Web -c Release -nologo -v quiet -clp:ErrorsOnly
dotnet build bench/Outreach.Bench.Scheduling -c Release -nologo -v quiet -clp:ErrorsOnly
# Load first (the site migrates the same database when it starts).
dotnet bench/Outreach.Bench.Scheduling/bin/Release/net10.0/Outreach.Bench.Scheduling.dll --db "$DB" --scale "$SCALE" > /dev/null

# The site's database settings as run.sh gives them (the database on the same machine).
export ConnectionStrings__Outreach="$DB" Database__MaxConnections=${Database__MaxConnections:-$((4 * $(nproc)))} Security__SecureCookies=false Security__RequireTwoFactorForStaff=false \
  Jobs__RunServerInWeb=false Logging__LogLevel__Default=Warning
OUTREACH_ADMIN_PASSWORD="bench administrator password" dotnet src/Outreach.Web/bin/Release/net10.0/Outreach.Web.dll create-admin bench@outreach.test > /dev/null
dotnet src/Outreach.Web/bin/Release/net10.0/Outreach.Web.dll --urls "http://127.0.0.1:$SITE_PORT" --contentRoot "$ROOT/src/Outreach.Web" > /dev/null &
SITE=$!
trap 'kill $SITE 2>/dev/null; pg_stop "$ROOT/.data/bench-postgres"' EXIT
for _ in $(seq 1 60); do curl -sf "http://127.0.0.1:$SITE_PORT/health/live" > /dev/null && break; sleep 0.5; done
dotnet bench/Outreach.Bench.Scheduling/bin/Release/net10.0/Outreach.Bench.Scheduling.dll --db "$DB" --scale "$SCALE" \
  --site "http://127.0.0.1:$SITE_PORT" --email bench@outreach.test --password "bench administrator password"
