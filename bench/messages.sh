#!/usr/bin/env bash
# The messages log and delivery reports on a national-size outbox: loads ROWS texts (default 2,000,000) for
# 5,000 workers into a fresh database on a private cluster (.data/bench-postgres) and times, with psql,
# each query the Messages pages and the /twilio/status webhook run.
#   bench/messages.sh            ROWS=200000 bench/messages.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PG_PORT=${OUTREACH_BENCH_PG_PORT:-5434}
ROWS=${ROWS:-2000000}
source scripts/postgres.sh
pg_ensure_installed
pg_start "$ROOT/.data/bench-postgres" "$PG_PORT"
trap 'pg_stop "$ROOT/.data/bench-postgres"' EXIT
PSQL=(psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -v ON_ERROR_STOP=1 -q)
"${PSQL[@]}" -c "DROP DATABASE IF EXISTS outreach_bench_messages" -c "CREATE DATABASE outreach_bench_messages" postgres
for f in migrations/*.sql; do
  "${PSQL[@]}" -d outreach_bench_messages -c "CREATE SCHEMA IF NOT EXISTS outreach" -f "$f" > /dev/null 2>&1
done
echo "Loading $ROWS texts..."
"${PSQL[@]}" -d outreach_bench_messages -v rows="$ROWS" -f bench/messages-load.sql
echo "Each query twice (ms); the second run is the warm one:"
for _ in 1 2; do
  "${PSQL[@]}" -d outreach_bench_messages -f bench/messages-queries.sql 2>&1 | paste - - | sed 's/^-- //'
  echo
done
