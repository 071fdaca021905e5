#!/usr/bin/env bash
# Make sure Debian's chromium is present for the browser tests (Playwright drives it).
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "installing Chromium (Debian package chromium)" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >&2
else
  echo "chromium is missing and cannot be installed without root" >&2
  exit 1
fi
