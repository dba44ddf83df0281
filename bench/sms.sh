#!/usr/bin/env bash
# SMS sending benchmarks on a private PostgreSQL cluster (.data/bench-sms-postgres, port 5435) against a
# fake Twilio on loopback: throughput, the rate limit, reminder latency through the real job worker, and
# that worker killed with SIGKILL mid-batch and restarted.
#   bench/sms.sh [messages for the kill run, default 10000]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PG_PORT=${OUTREACH_BENCH_SMS_PG_PORT:-5435}
source scripts/postgres.sh
pg_ensure_installed
pg_start "$ROOT/.data/bench-sms-postgres" "$PG_PORT"
trap 'pg_stop "$ROOT/.data/bench-sms-postgres"' EXIT
# A fresh database each run: every figure starts from an empty outbox.
psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -qc "DROP DATABASE IF EXISTS outreach_bench_sms WITH (FORCE)" postgres
pg_create_db "$PG_PORT" outreach_bench_sms
DB="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=outreach_bench_sms;Maximum Pool Size=50"

dotnet build src/Outreach.Jobs -c Release -nologo -v quiet -clp:ErrorsOnly
dotnet build bench/Outreach.Bench.Sms -c Release -nologo -v quiet -clp:ErrorsOnly
dotnet bench/Outreach.Bench.Sms/bin/Release/net10.0/Outreach.Bench.Sms.dll --db "$DB" \
  --worker "$ROOT/src/Outreach.Jobs/bin/Release/net10.0/Outreach.Jobs.dll" --kill-messages "${1:-10000}"
