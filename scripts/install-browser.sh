#!/usr/bin/env bash
# Make sure Debian's chromium (and a Chinese font, so pages render as users see them) is
# present for the browser tests, which Playwright drives.
set -euo pipefail
if command -v chromium >/dev/null 2>&1 && [ -d /usr/share/fonts/truetype/wqy ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "installing Chromium and a CJK font (Debian packages chromium, fonts-wqy-microhei)" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >&2
else
  echo "chromium is missing and cannot be installed without root" >&2
  exit 1
fi
