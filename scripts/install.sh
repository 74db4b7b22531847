#!/usr/bin/env bash
# Installs a built `otklik` and the resource bundle its map page is read from:
#   $DESTDIR$PREFIX/lib/otklik/otklik
#   $DESTDIR$PREFIX/lib/otklik/Otklik_OtklikHTTP.resources/   (SwiftPM looks for it beside the executable)
#   $DESTDIR$PREFIX/bin/otklik -> ../lib/otklik/otklik          (the bundle is found through the link too)
# The taxonomy, agency overrides and gazetteer are built into the binary (scripts/embed-data.sh).
# Usage: scripts/install.sh BUILD_DIR   (e.g. .build/release; `make install` passes it), PREFIX default /usr/local.
set -euo pipefail
build=${1:?usage: scripts/install.sh BUILD_DIR}
prefix=${PREFIX:-/usr/local}
root="${DESTDIR:-}$prefix"
[[ -x "$build/otklik" ]] || { echo "no otklik in $build; build it first (swift build -c release)" >&2; exit 1; }
shopt -s nullglob
bundles=()
for b in "$build"/Otklik_Otklik*.resources; do
  [[ "$b" == *Tests.resources ]] || bundles+=("$b")
done
(( ${#bundles[@]} > 0 )) || { echo "no resource bundle beside $build/otklik" >&2; exit 1; }
install -d "$root/lib/otklik" "$root/bin"
install -m 0755 "$build/otklik" "$root/lib/otklik/otklik"
for b in "${bundles[@]}"; do
  rm -rf "$root/lib/otklik/$(basename "$b")"
  cp -R "$b" "$root/lib/otklik/"
  chmod -R u+rwX,go+rX "$root/lib/otklik/$(basename "$b")"
done
ln -sfn ../lib/otklik/otklik "$root/bin/otklik"
echo "installed $root/bin/otklik"
