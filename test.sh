#!/usr/bin/env bash
# Installs what the tests need (PostgreSQL server, Chromium), builds, runs every test, and ends with
# the line "N passed, N failed". The tests start their own throwaway PostgreSQL cluster, or use
# OUTREACH_TEST_DB when it is set.
set -uo pipefail
cd "$(dirname "$0")"
source scripts/postgres.sh

pg_ensure_installed || exit 1
if [ ! -x /usr/bin/chromium ]; then
  echo "Installing Chromium from Debian packages..."
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq chromium >/dev/null || { echo "Chromium could not be installed." >&2; exit 1; }
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# A zone that is not UTC (nor the UK), so a local-time mistake fails a test instead of passing by accident.
export TZ=America/New_York
results=$(mktemp -d)
dotnet build Outreach.sln -nologo -v quiet -clp:ErrorsOnly || { echo "0 passed, 1 failed"; exit 1; }
dotnet test Outreach.sln --no-build -nologo --logger "trx;LogFilePrefix=run" --results-directory "$results" "$@"
status=$?

passed=0; failed=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  p=$(echo "$counters" | sed -n 's/.* passed="\([0-9]*\)".*/\1/p')
  f=$(echo "$counters" | sed -n 's/.* failed="\([0-9]*\)".*/\1/p')
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
done
rm -rf "$results"
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
