#!/usr/bin/env bash
# A real Nominatim geocoder on loopback, loaded with the bundled Monaco extract,
# for the tests in tests/geocode/. Run as root on Debian 12:
#
#     eval "$(bash .ci/servers/nominatim.sh)"
#
# prints only `export ROUTEOPT_TEST_NOMINATIM=127.0.0.1:PORT` on stdout; logs go to stderr.
# Every step is skipped when already done, so a re-run only (re)starts what is down.
#
# Nominatim (nominatim-db, nominatim-api) is GPL-3.0 and only a test peer: it lives in its
# own venv under the cache directory, never in routeopt's dependencies.
#
# Settings (environment):
#   ROUTEOPT_CI_CACHE        cache directory (default /var/cache/routeopt-ci)
#   ROUTEOPT_NOMINATIM_PORT  port to serve on (default 8088)
set -euo pipefail

log() { echo "nominatim.sh: $*" >&2; }
die() { echo "nominatim.sh: error: $*" >&2; exit 1; }

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PBF="$ROOT/examples/data/monaco/monaco.osm.pbf"
CACHE="${ROUTEOPT_CI_CACHE:-/var/cache/routeopt-ci}/nominatim"
PORT="${ROUTEOPT_NOMINATIM_PORT:-8088}"
VENV="$CACHE/venv"
PROJECT="$CACHE/project"
LOG="$CACHE/serve.log"
PG_VERSION=15

[ "$(id -u)" = 0 ] || die "run as root (it installs packages and manages PostgreSQL)"
[ -f "$PBF" ] || die "$PBF is missing"
mkdir -p "$CACHE"

# Stop the server this script started earlier (only if that pid is still a nominatim server).
stop_old_server() {
    local pid
    pid=$(cat "$CACHE/serve.pid" 2>/dev/null) || return 0
    if tr '\0' ' ' 2>/dev/null < "/proc/$pid/cmdline" | grep -q "nominatim serve"; then
        kill "$pid" 2>/dev/null || true
        sleep 1
    fi
}
status_ok() { curl -fsS --max-time 3 "http://127.0.0.1:$PORT/status" 2>/dev/null | grep -q '^OK'; }

# 1. System packages (apt-get only when something is missing).
pkgs=(curl python3-venv "postgresql-$PG_VERSION" "postgresql-$PG_VERSION-postgis-3" osm2pgsql
      libicu-dev pkg-config build-essential python3-dev)
missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2 || die "apt-get update failed"
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2 \
        || die "apt-get install ${missing[*]} failed"
fi

# 2. Nominatim in its own venv (PyICU compiles on the first run, about a minute).
if [ ! -x "$VENV/bin/nominatim" ]; then
    log "creating $VENV"
    rm -rf "$VENV"
    /usr/bin/python3 -m venv "$VENV" >&2 || die "cannot create a venv in $VENV"
    "$VENV/bin/pip" install -q --upgrade pip >&2
    "$VENV/bin/pip" install -q nominatim-db nominatim-api falcon uvicorn >&2 \
        || die "pip install nominatim-db nominatim-api falcon uvicorn failed"
fi

# 3. PostgreSQL running, with the roles Nominatim expects.
if ! pg_lsclusters -h 2>/dev/null | awk -v v="$PG_VERSION" '$1 == v && $2 == "main"' | grep -q .; then
    log "creating PostgreSQL cluster $PG_VERSION/main"
    pg_createcluster "$PG_VERSION" main >&2
fi
if ! pg_lsclusters -h | awk -v v="$PG_VERSION" '$1 == v && $2 == "main" {print $4}' | grep -q online; then
    log "starting PostgreSQL $PG_VERSION/main"
    pg_ctlcluster "$PG_VERSION" main start >&2 || die "PostgreSQL did not start (see /var/log/postgresql/)"
fi
for _ in $(seq 1 30); do
    runuser -u postgres -- pg_isready -q && break
    sleep 1
done
runuser -u postgres -- pg_isready -q || die "PostgreSQL does not accept connections"
psql_pg() { runuser -u postgres -- psql -v ON_ERROR_STOP=1 -qtAc "$1"; }
[ "$(psql_pg "SELECT 1 FROM pg_roles WHERE rolname='root'")" = 1 ] \
    || psql_pg "CREATE ROLE root SUPERUSER LOGIN" >&2
[ "$(psql_pg "SELECT 1 FROM pg_roles WHERE rolname='www-data'")" = 1 ] \
    || psql_pg 'CREATE ROLE "www-data" LOGIN' >&2

# 4. Import Monaco once per extract (a marker holds the extract's sha256).
sha=$(sha256sum "$PBF" | cut -d' ' -f1)
db_exists=$(psql_pg "SELECT 1 FROM pg_database WHERE datname='nominatim'")
if [ "$(cat "$PROJECT/.imported" 2>/dev/null)" != "$sha" ] || [ "$db_exists" != 1 ]; then
    log "importing $PBF (about half a minute)"
    if [ "$db_exists" = 1 ]; then
        # A stale or half-done import: stop any server using it, then start over.
        stop_old_server
        psql_pg "DROP DATABASE nominatim WITH (FORCE)" >&2
    fi
    rm -rf "$PROJECT"
    mkdir -p "$PROJECT"
    "$VENV/bin/nominatim" import --project-dir "$PROJECT" --osm-file "$PBF" --offline \
        --no-updates --threads 2 >&2 || die "nominatim import failed"
    echo "$sha" > "$PROJECT/.imported"
fi

# 5. Serve, detached, unless it already answers.
if ! status_ok; then
    stop_old_server
    log "starting nominatim serve on 127.0.0.1:$PORT (log: $LOG)"
    nohup "$VENV/bin/nominatim" serve --project-dir "$PROJECT" --server "127.0.0.1:$PORT" \
        </dev/null >"$LOG" 2>&1 &
    echo $! > "$CACHE/serve.pid"
    for _ in $(seq 1 60); do
        status_ok && break
        sleep 0.5
    done
    status_ok || { tail -n 20 "$LOG" >&2; die "Nominatim did not answer /status on port $PORT"; }
fi
log "ready on 127.0.0.1:$PORT"
echo "export ROUTEOPT_TEST_NOMINATIM=127.0.0.1:$PORT"
