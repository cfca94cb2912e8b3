#!/usr/bin/env bash
# Debian packages for the route sheets' tests: WeasyPrint's Pango, a CJK font for the
# Chinese PDFs, poppler's pdftoppm/pdftotext/pdffonts to read them back, and Chromium to
# render a sheet headless. Idempotent: installs only what is missing. Run as root.
set -euo pipefail
log() { echo "sheets.sh: $*" >&2; }
PKGS=(libpango-1.0-0 libpangoft2-1.0-0 fonts-wqy-zenhei fonts-dejavu-core poppler-utils chromium)
missing=()
for p in "${PKGS[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
    log "all installed"
    exit 0
fi
log "installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
for attempt in 1 2 3 4 5 6; do  # another apt-get may hold the dpkg lock for a while
    if { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >&2
    then
        exit 0
    fi
    log "apt-get failed (attempt $attempt); retrying in 10 s"
    sleep 10
done
log "error: could not install ${missing[*]}"
exit 1
