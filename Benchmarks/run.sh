#!/usr/bin/env bash
# make bench: runs every benchmark section (ours and the peers' in the same run) and writes BENCHMARKS.md
# with the date, the commit and the machine. Sections that cannot run (a peer missing) say so.
set -uo pipefail
cd "$(dirname "$0")/.."
out=BENCHMARKS.md
tmp=$(mktemp)
{
  echo "# Benchmarks"
  echo
  echo "- date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "- commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (with uncommitted changes)')"
  echo "- machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(. /etc/os-release; echo "$PRETTY_NAME"), $(swift --version 2>&1 | head -1)"
  echo "- build: \`swift build -c release\`; regenerate with \`make bench\`"
  echo
} > "$tmp"
mkdir -p Benchmarks/out
# The issues' figures are "on the 300k demo database": one is built once and shared by the sections.
DEMO_DB=Benchmarks/out/demo300k.sqlite
export DEMO_DB
[ -f "$DEMO_DB" ] || .build/release/otklik demo --db "$DEMO_DB" --count 300000 >&2
for section in ${BENCH_SECTIONS:-demo import hotspots quality inspection tiles http availability postgis}; do
  script="Benchmarks/$section.sh"
  [ -x "$script" ] || continue
  echo "running $script…" >&2
  args=()
  [ "$section" = http ] && args=(.build/release/otklik "$DEMO_DB")
  [ "$section" = availability ] && args=(.build/release/otklik "$DEMO_DB")
  if ! "$script" "${args[@]}" >> "$tmp" 2> "Benchmarks/out/$section.err"; then
    { echo "## $section"; echo; echo "Did not complete: $(tail -3 Benchmarks/out/$section.err | tr '\n' ' ')"; echo; } >> "$tmp"
  fi
done
mv "$tmp" "$out"
echo "wrote $out" >&2
