#!/usr/bin/env bash
# The Debian packages the test suite runs for real, installed in one quiet apt call when
# missing: Chromium and a CJK font (pages in headless Chromium), PostgreSQL (a throwaway
# server), faketime (the suite with the clock moved years ahead).
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
[ -d /usr/share/fonts/truetype/wqy ] || missing+=(fonts-wqy-microhei)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
command -v faketime >/dev/null 2>&1 || missing+=(faketime)
[ ${#missing[@]} -eq 0 ] || "$(dirname "$0")/apt-install.sh" "${missing[@]}"
