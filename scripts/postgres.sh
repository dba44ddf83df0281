# Shared by run.sh and test.sh: make sure the PostgreSQL server is installed, and run a private
# cluster under the project's data folder. Source it; it defines functions only.

PG_VERSION_DIR=""

pg_find_bin() {
  PG_VERSION_DIR=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
}

# Installs the server (and contrib, for btree_gist) from Debian packages when it is missing.
pg_ensure_installed() {
  pg_find_bin
  if [ -z "$PG_VERSION_DIR" ] || [ ! -x "$PG_VERSION_DIR/initdb" ] || ! ls /usr/share/postgresql/*/extension/btree_gist.control >/dev/null 2>&1; then
    echo "Installing the PostgreSQL server from Debian packages..."
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq postgresql postgresql-contrib >/dev/null
    pg_find_bin
  fi
  if [ -z "$PG_VERSION_DIR" ]; then
    echo "PostgreSQL could not be installed." >&2
    return 1
  fi
}

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# initdb, pg_ctl and postgres refuse to run as root: as root, run them as the postgres user.
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then
    (cd /tmp && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

# pg_start DATA_DIR PORT [SERVER_OPTIONS]: creates the cluster on first use, then starts it on 127.0.0.1:PORT.
pg_start() {
  local dir="$1" port="$2" extra="${3:-}"
  mkdir -p "$dir"
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres:postgres "$dir"
    # The postgres user must be able to reach the data folder through the project's parents.
    local p="$dir"
    while [ "$p" != "/" ]; do p=$(dirname "$p"); chmod o+x "$p" 2>/dev/null || true; done
  fi
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    as_pg "$PG_VERSION_DIR/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
  if as_pg "$PG_VERSION_DIR/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
    return 0
  fi
  as_pg "$PG_VERSION_DIR/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-p $port -c listen_addresses=127.0.0.1 -k $dir $extra" start >/dev/null
}

pg_stop() {
  local dir="$1"
  if [ -f "$dir/data/postmaster.pid" ]; then
    as_pg "$PG_VERSION_DIR/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
}

# pg_create_db PORT NAME: creates the database if it does not exist.
pg_create_db() {
  local port="$1" name="$2"
  if ! psql -h 127.0.0.1 -p "$port" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$name'" postgres | grep -q 1; then
    psql -h 127.0.0.1 -p "$port" -U postgres -qc "CREATE DATABASE $name" postgres
  fi
}
