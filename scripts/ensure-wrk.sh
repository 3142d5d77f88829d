#!/usr/bin/env bash
# The serving benchmark (bench/serve_throughput.py) drives the server with wrk, a compiled load
# generator, so the client does not compete with Python for the CPU. Install Debian's package
# when it is missing (as root), as ensure-chromium.sh does for the browser.
set -euo pipefail
WRK=${WRK_PATH:-wrk}
command -v "$WRK" >/dev/null && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Debian's wrk for the serving benchmark..." >&2
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >&2
fi
if ! command -v "$WRK" >/dev/null; then
  echo "wrk is missing: install Debian's wrk package (apt-get install wrk) or set WRK_PATH." >&2
  exit 1
fi
