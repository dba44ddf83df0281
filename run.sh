#!/usr/bin/env bash
# Runs Outreach on its embedded default: a private PostgreSQL cluster under .data/, demo data, and the
# development SMS gateway unless Twilio credentials are configured. Ctrl-C stops the site and the cluster.
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)
PORT=${OUTREACH_PORT:-5080}
PG_PORT=${OUTREACH_PG_PORT:-5433}

if [ -z "${ConnectionStrings__Outreach:-}" ]; then
  source scripts/postgres.sh
  pg_ensure_installed
  pg_start "$ROOT/.data/postgres" "$PG_PORT"
  EMBEDDED_CLUSTER="$ROOT/.data/postgres"
  trap 'pg_stop "$EMBEDDED_CLUSTER"' EXIT
  pg_create_db "$PG_PORT" outreach
  export ConnectionStrings__Outreach="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=outreach"
  export Demo__Load=${Demo__Load:-true}
  # The database shares this machine's cores with the site: a few connections per core keep it busy without
  # making it switch between dozens of them.
  export Database__MaxConnections=${Database__MaxConnections:-$((4 * $(nproc)))}
  # The demo is served over plain http on 127.0.0.1 and should be explorable without an authenticator app.
  export Security__SecureCookies=${Security__SecureCookies:-false}
  export Security__RequireTwoFactorForStaff=${Security__RequireTwoFactorForStaff:-false}
  # The keys that sign cookies and links are encrypted in the database with a certificate made here on first run.
  export Security__DataProtectionCertificate=${Security__DataProtectionCertificate:-$ROOT/.data/data-protection.pfx}
  export Security__DataProtectionCertificateCreate=${Security__DataProtectionCertificateCreate:-true}
fi

export Site__PublicBaseUrl=${Site__PublicBaseUrl:-http://127.0.0.1:$PORT}
echo "Building..."
dotnet build src/Outreach.Web -c Release -nologo -v quiet -clp:ErrorsOnly
echo "Starting Outreach on http://127.0.0.1:$PORT (Ctrl-C stops it)"
dotnet src/Outreach.Web/bin/Release/net10.0/Outreach.Web.dll --urls "http://127.0.0.1:$PORT" --contentRoot "$ROOT/src/Outreach.Web" &
SITE=$!
# However the site ends (Ctrl-C, SIGTERM to this script, or the site itself stopping or killed), the private
# cluster stops with it. Errors here must not cut the clean-up short.
stop_all() {
  set +e
  kill "$SITE" 2>/dev/null
  wait "$SITE" 2>/dev/null
  if [ -n "${EMBEDDED_CLUSTER:-}" ]; then pg_stop "$EMBEDDED_CLUSTER"; fi
}
trap stop_all EXIT
trap 'exit 130' INT TERM
wait $SITE
