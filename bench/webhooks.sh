#!/usr/bin/env bash
# Twilio's webhooks under a flood, on a private PostgreSQL cluster (.data/bench-webhooks-postgres, port 5436) and a
# Release build of the site: signed delivery reports and replies at 32 connections, shuffled in among unsigned and
# forged junk from the same address. Prints genuine requests refused (target 0), rows stored per SID (exactly once)
# and the genuine requests' p95 against /health/live in the same run; writes JSON to bench/results/.
#   bench/webhooks.sh [reports, default 5000] [replies, default 1000] [junk, default 20000]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PG_PORT=${OUTREACH_BENCH_WEBHOOKS_PG_PORT:-5436}
SITE_PORT=${OUTREACH_BENCH_SITE_PORT:-5098}
TOKEN="bench-webhook-auth-token"
source scripts/postgres.sh
pg_ensure_installed
pg_start "$ROOT/.data/bench-webhooks-postgres" "$PG_PORT"
psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -qc "DROP DATABASE IF EXISTS outreach_bench_webhooks WITH (FORCE)" postgres
pg_create_db "$PG_PORT" outreach_bench_webhooks
DB="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=outreach_bench_webhooks"

dotnet build src/Outreach.Web -c Release -nologo -v quiet -clp:ErrorsOnly
dotnet build bench/Outreach.Bench.Webhooks -c Release -nologo -v quiet -clp:ErrorsOnly

# The site as run.sh gives it (connection limit 4 per core), with a Twilio auth token so signatures are checked.
export ConnectionStrings__Outreach="$DB" Database__MaxConnections=${Database__MaxConnections:-$((4 * $(nproc)))} \
  Security__SecureCookies=false Jobs__RunServerInWeb=false Logging__LogLevel__Default=Warning \
  Twilio__AuthToken="$TOKEN" Site__PublicBaseUrl="http://127.0.0.1:$SITE_PORT"
dotnet src/Outreach.Web/bin/Release/net10.0/Outreach.Web.dll --urls "http://127.0.0.1:$SITE_PORT" --contentRoot "$ROOT/src/Outreach.Web" > /dev/null &
SITE=$!
trap 'kill $SITE 2>/dev/null; pg_stop "$ROOT/.data/bench-webhooks-postgres"' EXIT
for _ in $(seq 1 60); do curl -sf "http://127.0.0.1:$SITE_PORT/health/live" > /dev/null && break; sleep 0.5; done
dotnet bench/Outreach.Bench.Webhooks/bin/Release/net10.0/Outreach.Bench.Webhooks.dll --site "http://127.0.0.1:$SITE_PORT" \
  --db "$DB" --token "$TOKEN" --reports "${1:-5000}" --replies "${2:-1000}" --junk "${3:-20000}"
