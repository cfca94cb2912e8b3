#!/usr/bin/env bash
# A real OSRM engine (osrm-routed, car profile) on loopback over the bundled Monaco extract,
# for the OSRM matrix tests. Run as: eval "$(bash .ci/servers/osrm.sh)"
#
# The programs come from the osrm-bindings wheel on PyPI (Debian has no OSRM package):
# installed with --target for CPython 3.12 whatever python3 is, since only the bundled
# executables and profiles are used, never the Python module. Everything lives in
# $ROUTEOPT_CI_CACHE/osrm (default /var/cache/routeopt-ci/osrm); steps already done are
# skipped, so a re-run only (re)starts the server. Only `export ...` lines go to stdout.
set -euo pipefail
log() { echo "osrm.sh: $*" >&2; }
die() { log "error: $*"; exit 1; }

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CACHE=${ROUTEOPT_CI_CACHE:-/var/cache/routeopt-ci}/osrm
PORT=${ROUTEOPT_OSRM_PORT:-5055}
VERSION=26.10.0
PBF=$ROOT/examples/data/monaco/monaco.osm.pbf
PKG=$CACHE/pkg-$VERSION
DATA=$CACHE/monaco-car
mkdir -p "$CACHE"

# 1. The programs and profiles.
if [ ! -e "$PKG/.done" ]; then
    log "installing osrm-bindings==$VERSION (programs only) into $PKG"
    rm -rf "$PKG"
    python3 -m pip install --quiet --disable-pip-version-check --target "$PKG" \
        --python-version 3.12 --platform manylinux_2_28_x86_64 --only-binary=:all: --no-deps \
        "osrm-bindings==$VERSION" >&2 || die "pip could not install osrm-bindings==$VERSION"
    touch "$PKG/.done"
fi
find_one() { find "$PKG" -name "$1" -type f | sort | head -n 1; }
EXTRACT=$(find_one osrm-extract); CONTRACT=$(find_one osrm-contract)
ROUTED=$(find_one osrm-routed); CAR=$(find_one car.lua)
for v in EXTRACT CONTRACT ROUTED CAR; do
    [ -n "${!v}" ] || die "no ${v,,} program/profile inside the osrm-bindings wheel ($PKG)"
done
chmod +x "$EXTRACT" "$CONTRACT" "$ROUTED"

# 2. The Monaco graph (contraction hierarchies), rebuilt when the extract changes.
SUM=$(sha256sum "$PBF" | cut -c1-16)
if [ ! -e "$DATA/.done-$SUM" ]; then
    log "building the Monaco car graph in $DATA"
    rm -rf "$DATA" && mkdir -p "$DATA"
    cp "$PBF" "$DATA/monaco.osm.pbf"
    # osrm-extract resolves `require` paths relative to the profile's folder.
    (cd "$(dirname "$CAR")" && "$EXTRACT" -p "$CAR" -t 2 "$DATA/monaco.osm.pbf") >&2 \
        || die "osrm-extract failed"
    "$CONTRACT" -t 2 "$DATA/monaco.osrm" >&2 || die "osrm-contract failed"
    touch "$DATA/.done-$SUM"
fi

# 3. The server: reuse one that already answers on the port, else start a detached one.
URL=http://127.0.0.1:$PORT
probe() { python3 - "$URL" <<'PY' >/dev/null 2>&1
import json, sys, urllib.request
with urllib.request.urlopen(sys.argv[1] + "/nearest/v1/driving/7.4246,43.7384", timeout=2) as r:
    sys.exit(0 if json.load(r).get("code") == "Ok" else 1)
PY
}
if ! probe; then
    log "starting osrm-routed on $URL (log: $CACHE/osrm-routed.log)"
    nohup "$ROUTED" --ip 127.0.0.1 --port "$PORT" --max-table-size 10000 -t 2 \
        "$DATA/monaco.osrm" </dev/null >"$CACHE/osrm-routed.log" 2>&1 &
    echo $! >"$CACHE/osrm-routed.pid"
    for _ in $(seq 1 100); do
        probe && break
        kill -0 "$(cat "$CACHE/osrm-routed.pid")" 2>/dev/null \
            || die "osrm-routed exited: $(tail -n 5 "$CACHE/osrm-routed.log")"
        sleep 0.2
    done
    probe || die "osrm-routed does not answer on $URL after 20 s"
fi
log "ready on $URL"
echo "export ROUTEOPT_TEST_OSRM=$URL"
