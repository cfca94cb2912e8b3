#!/usr/bin/env bash
# Real OSRM engines (osrm-routed) on loopback over the bundled Monaco extract, for the OSRM
# matrix tests: the car profile on $ROUTEOPT_OSRM_PORT (default 5055) and the foot profile on
# the next port. Run as: eval "$(bash .ci/servers/osrm.sh)"
#
# The programs come from the osrm-bindings wheel on PyPI (Debian has no OSRM package),
# installed with --target for CPython 3.12 whatever python3 is: only the bundled executables
# and profiles are used, never the Python module. Everything lives in
# $ROUTEOPT_CI_CACHE/osrm (default /var/cache/routeopt-ci/osrm); steps already done are
# skipped, and a server already answering is reused. Only `export ...` lines go to stdout.
set -euo pipefail
log() { echo "osrm.sh: $*" >&2; }
die() { log "error: $*"; exit 1; }

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CACHE=${ROUTEOPT_CI_CACHE:-/var/cache/routeopt-ci}/osrm
PORT=${ROUTEOPT_OSRM_PORT:-5055}
VERSION=26.10.0
PBF=$ROOT/examples/data/monaco/monaco.osm.pbf
PKG=$CACHE/pkg-$VERSION
mkdir -p "$CACHE"
[ -f "$PBF" ] || die "missing $PBF"

# 1. The programs and profiles.
if [ ! -e "$PKG/.done" ]; then
    if ! python3 -m pip --version >/dev/null 2>&1; then
        log "installing pip"
        { apt-get update && apt-get install -y python3-pip; } >&2 || die "cannot install pip"
    fi
    log "installing osrm-bindings==$VERSION (programs only) into $PKG"
    rm -rf "$PKG"
    python3 -m pip install --quiet --disable-pip-version-check --target "$PKG" \
        --python-version 3.12 --platform manylinux_2_28_x86_64 --only-binary=:all: --no-deps \
        "osrm-bindings==$VERSION" >&2 || die "pip could not install osrm-bindings==$VERSION"
    touch "$PKG/.done"
fi
find_one() { find "$PKG" -name "$1" -type f | sort | head -n 1; }
EXTRACT=$(find_one osrm-extract); CONTRACT=$(find_one osrm-contract)
ROUTED=$(find_one osrm-routed)
[ -n "$EXTRACT" ] && [ -n "$CONTRACT" ] && [ -n "$ROUTED" ] \
    || die "osrm-extract/osrm-contract/osrm-routed not found inside the wheel ($PKG)"
chmod +x "$EXTRACT" "$CONTRACT" "$ROUTED"
SUM=$(sha256sum "$PBF" | cut -c1-16)

# 2. A contracted (CH) graph per profile, rebuilt when the extract changes.
build() {  # build PROFILE -> $CACHE/monaco-PROFILE/monaco.osrm
    local profile=$1 data=$CACHE/monaco-$1 lua
    lua=$(find_one "$profile.lua")
    [ -n "$lua" ] || die "no $profile.lua profile inside the wheel ($PKG)"
    if [ ! -e "$data/.done-$SUM" ]; then
        log "building the Monaco $profile graph in $data (log: $data/build.log)"
        rm -rf "$data" && mkdir -p "$data"
        cp "$PBF" "$data/monaco.osm.pbf"
        # osrm-extract resolves the profile's `require`s relative to its folder.
        if ! { (cd "$(dirname "$lua")" && "$EXTRACT" -p "$lua" -t 2 "$data/monaco.osm.pbf") \
               && "$CONTRACT" -t 2 "$data/monaco.osrm"; } >"$data/build.log" 2>&1; then
            tail -n 20 "$data/build.log" >&2
            die "building the $profile graph failed"
        fi
        touch "$data/.done-$SUM"
    fi
}

# 3. A server per profile: reuse one that answers on its port, else start a detached one.
probe() { python3 - "$1" <<'PY' >/dev/null 2>&1
import json, sys, urllib.request
with urllib.request.urlopen(sys.argv[1] + "/nearest/v1/x/7.4246,43.7384", timeout=2) as r:
    sys.exit(0 if json.load(r).get("code") == "Ok" else 1)
PY
}
serve() {  # serve PROFILE PORT
    local profile=$1 port=$2 url=http://127.0.0.1:$2 logf=$CACHE/osrm-routed-$1.log pid
    local state=$CACHE/osrm-routed-$1.state old_pid old_sum
    if probe "$url"; then
        read -r old_pid old_sum 2>/dev/null <"$state" || true
        if [ "${old_sum:-}" = "$SUM" ] || [ -z "${old_pid:-}" ]; then
            log "$profile: reusing the server on $url"
            return
        fi
        log "$profile: the server on $url (pid $old_pid) has older data; restarting it"
        kill "$old_pid" 2>/dev/null || true
        for _ in $(seq 1 50); do probe "$url" || break; sleep 0.1; done
    fi
    log "$profile: starting osrm-routed on $url (log: $logf)"
    nohup "$ROUTED" --ip 127.0.0.1 --port "$port" --max-table-size 10000 -t 2 \
        "$CACHE/monaco-$profile/monaco.osrm" </dev/null >"$logf" 2>&1 &
    pid=$!
    echo "$pid $SUM" >"$state"
    for _ in $(seq 1 150); do
        probe "$url" && return
        kill -0 "$pid" 2>/dev/null || die "osrm-routed ($profile) exited: $(tail -n 5 "$logf")"
        sleep 0.2
    done
    die "osrm-routed ($profile) does not answer on $url after 30 s"
}

build car
build foot
serve car "$PORT"
serve foot "$((PORT + 1))"
log "ready: car on http://127.0.0.1:$PORT, foot on http://127.0.0.1:$((PORT + 1))"
echo "export ROUTEOPT_TEST_OSRM=http://127.0.0.1:$PORT"
echo "export ROUTEOPT_TEST_OSRM_FOOT=http://127.0.0.1:$((PORT + 1))"
