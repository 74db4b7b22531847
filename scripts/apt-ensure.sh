#!/usr/bin/env bash
# Installs the Debian packages that are missing, through sudo when not root.
# With --optional, a failure is reported and ignored (the tests that need the package skip).
set -uo pipefail
optional=0
if [ "${1:-}" = "--optional" ]; then optional=1; shift; fi
missing=()
for p in "$@"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"
echo "installing Debian packages: ${missing[*]}"
if $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"; then
  exit 0
fi
if [ $optional = 1 ]; then
  echo "note: could not install ${missing[*]}; the checks that need them will skip" >&2
  exit 0
fi
echo "apt-get could not install: ${missing[*]}" >&2
exit 1
