#!/usr/bin/env bash
# Install Debian packages quietly (as root): one line on the terminal, apt's output in a log.
#   scripts/apt-install.sh PACKAGE...
set -euo pipefail
log=${BANKCRM_APT_LOG:-${TMPDIR:-/tmp}/bankcrm-apt.log}
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null; then
  echo "cannot install $* here: apt-get as root is needed" >&2
  exit 1
fi
echo "installing $* with apt (output in $log)" >&2
if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"; } >>"$log" 2>&1; then
  echo "apt could not install $*; the end of $log:" >&2
  tail -n 20 "$log" >&2
  exit 1
fi
