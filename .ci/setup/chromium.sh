#!/usr/bin/env bash
# Debian's Chromium, for the tests that render the outputs (maps, route sheets) in a real
# headless browser. Idempotent: nothing to do when it is installed. Run as root.
set -euo pipefail
log() { echo "chromium.sh: $*" >&2; }
if command -v chromium >/dev/null 2>&1; then
    log "$(chromium --version 2>/dev/null || echo chromium) already installed"
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
for attempt in 1 2 3 4 5 6; do  # another apt-get may hold the dpkg lock for a while
    if { apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium \
             fonts-dejavu-core; } >&2; then
        log "installed $(chromium --version)"
        exit 0
    fi
    log "apt-get failed (attempt $attempt); retrying in 20 s"
    sleep 20
done
log "error: could not install chromium"
exit 1
