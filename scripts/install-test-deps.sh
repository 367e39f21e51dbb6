#!/usr/bin/env bash
# Installs the Debian packages the test suite talks to (peer programs, clients). Idempotent: only
# missing packages are installed, and apt-get update runs only when something is missing.
# Usage: scripts/install-test-deps.sh [LIST]   (default scripts/test-packages.txt; the benchmark
# peers are in scripts/bench-packages.txt)
set -euo pipefail
cd "$(dirname "$0")/.."
list="${1:-scripts/test-packages.txt}"
[ -f "$list" ] || { echo "install-test-deps: no package list $list" >&2; exit 2; }
mapfile -t wanted < <(grep -v '^\s*#' "$list" | awk 'NF {print $1}')
missing=()
for p in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-test-deps: all ${#wanted[@]} packages of $list present"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-test-deps: missing packages: ${missing[*]} (run this script as root, or apt-get install them)" >&2
  exit 1
fi
echo "install-test-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
# The tests run these programs themselves; a daemon a package starts (ddclient, inadyn, knot, pdns
# on a systemd machine) would only talk to the outside world, so stop and disable it.
if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
  for svc in ddclient inadyn knot pdns; do
    systemctl disable --now "$svc" >/dev/null 2>&1 || true
  done
fi
