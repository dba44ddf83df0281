#!/usr/bin/env bash
# The retention job's engagement and concern statements on a national-size history: loads ROWS engagements
# (default 500,000) into a fresh database on a private cluster (.data/bench-retention-postgres) and times, with
# psql, the statements exactly as RetentionData holds them: the first run (five years' history, most of it due)
# and a nightly run after it.
#   bench/retention.sh            ROWS=100000 bench/retention.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PG_PORT=${OUTREACH_BENCH_PG_PORT:-5438}
ROWS=${ROWS:-500000}
source scripts/postgres.sh
pg_ensure_installed
pg_start "$ROOT/.data/bench-retention-postgres" "$PG_PORT"
trap 'pg_stop "$ROOT/.data/bench-retention-postgres"' EXIT
PSQL=(psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -v ON_ERROR_STOP=1 -q)
"${PSQL[@]}" -c "DROP DATABASE IF EXISTS outreach_bench_retention" -c "CREATE DATABASE outreach_bench_retention" postgres
for f in migrations/*.sql; do
  "${PSQL[@]}" -d outreach_bench_retention -c "CREATE SCHEMA IF NOT EXISTS outreach" -f "$f" > /dev/null 2>&1
done
echo "Loading $ROWS engagements..."
"${PSQL[@]}" -d outreach_bench_retention -v rows="$ROWS" -f bench/retention-load.sql

# The statement of one kind from RetentionData.cs, with the job's parameters filled in.
statement() {
  awk -v kind="$1" '
    $0 ~ "\\[" kind "\\] = \"\"\"" { on = 1; next }
    on && /^ *""",/ { exit }
    on { print }' src/Outreach.Data/Retention/RetentionData.cs |
  sed -e "s/@cutoff/(now() - interval '$2 months')/g" -e "s/@now/now()/g" \
      -e "s/@removed/'[removed after $2 months]'/g" -e "s/@actorName/'system'/g"
}
run() {
  { echo '\timing on'; statement "$1" "$2"; echo ';'; } | "${PSQL[@]}" -d outreach_bench_retention | paste -sd' '
}
for pass in "first run" "next night"; do
  echo "$pass: engagement references (rows removed, time): $(run EngagementReferences 24)"
  echo "$pass: concern details (rows removed, time): $(run ConcernDetails 12)"
done
"${PSQL[@]}" -d outreach_bench_retention -At -c "SELECT 'engagements kept with a reference: ' || count(*) FILTER (WHERE reference IS NOT NULL) || ' of ' || count(*) FROM outreach.ae_engagements"
