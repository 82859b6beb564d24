#!/usr/bin/env bash
# Measures ticket report exports (GET /reports/tickets) over a large database: for CSV,
# XLSX and PDF, the time to download the whole file, the server's CPU time for it (the figure
# to trust on a shared machine, where the wall time depends on the neighbours), the file's
# size, and how much the server's RSS grew while it ran (sampled every 20 ms). Prints a
# Markdown table for docs/PERFORMANCE.md.
#
#   bench/exports.sh [--no-build] [--tickets N] [--rounds R] [--data FILE]
#     --no-build   use the existing build/release/ticketbot
#     --tickets N  tickets in the generated database (default 100000)
#     --rounds R   downloads per format; the table shows the median time (default 3)
#     --data FILE  a copy of this database (from bench/generate_data.py) instead of a new one
#   Environment: TICKETBOT_BIN=path runs that binary instead (and skips the build).
#
# The data comes from bench/generate_data.py (the server's own schema, fast direct inserts),
# with one message per ticket: exports read tickets only. The server listens on 127.0.0.1 and
# is stopped on exit. One export at a time; a few minutes in all on a 2-core machine.
set -euo pipefail
cd "$(dirname "$0")/.."
export LC_ALL=C

TICKETS=100000
ROUNDS=3
build=1 data=""
while [ $# -gt 0 ]; do
  case "$1" in
    --no-build) build=0 ;;
    --tickets) TICKETS=${2:?--tickets needs a value}; shift ;;
    --rounds) ROUNDS=${2:?--rounds needs a value}; shift ;;
    --data) data=${2:?--data needs a file}; shift ;;
    -h | --help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "exports: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

BIN=${TICKETBOT_BIN:-build/release/ticketbot}
if [ -z "${TICKETBOT_BIN:-}" ] && [ $build = 1 ]; then
  cmake --preset release >/dev/null && cmake --build --preset release -j2 --target ticketbot >/dev/null
fi

tmp=$(mktemp -d)
pid=""
cleanup() {
  [ -z "$pid" ] || kill "$pid" 2>/dev/null || true
  [ -z "$pid" ] || wait "$pid" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

if [ -n "$data" ]; then
  cp "$data" "$tmp/data.db"
  TICKETS=$(/usr/bin/python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT count(*) FROM tickets").fetchone()[0])' "$tmp/data.db")
else
  /usr/bin/python3 bench/generate_data.py "$tmp/data.db" --tickets "$TICKETS" --messages "$TICKETS" \
    --bin "$BIN" >&2
fi

port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
env HTTP_HOST=127.0.0.1 HTTP_PORT="$port" LOG_LEVEL=warn DEMO=1 DATABASE_URL="sqlite:$tmp/data.db" \
  TMPDIR="$tmp" "$BIN" serve >"$tmp/server.log" 2>&1 </dev/null &
pid=$!
for _ in $(seq 100); do
  curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.2
done
token=$(curl -fs -X POST -H 'Content-Type: application/json' -d '{"role":"admin"}' \
  "http://127.0.0.1:$port/auth/demo" | /usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])')

kb() { awk -v field="$1:" '$1 == field { print $2 }' "/proc/$pid/status"; }
# The highest VmRSS seen while `curl` (pid $1) runs, sampled every 20 ms, in kB.
peak_rss_while() {
  local peak=0 rss
  while kill -0 "$1" 2>/dev/null; do
    rss=$(kb VmRSS)
    [ "$rss" -le "$peak" ] || peak=$rss
    sleep 0.02
  done
  echo "$peak"
}
# Every ticket of the data (generate_data.py spreads them over the past 90 days).
query="from=2000-01-01&to=2100-01-01"

ticks_per_second=$(getconf CLK_TCK)
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$pid/stat"; }

idle=$(kb VmRSS)
echo "| format | tickets | file | time (median of $ROUNDS) | server CPU (median) | RSS before | peak RSS during | growth (largest) |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
for format in csv xlsx pdf; do
  times=() cpus=() growth=0 before=0 peak=0
  for _ in $(seq "$ROUNDS"); do
    before=$(kb VmRSS)
    ticks=$(cpu_ticks)
    curl -fs -o "$tmp/report.$format" -w '%{time_total} %{size_download}\n' \
      -H "Authorization: Bearer $token" \
      "http://127.0.0.1:$port/reports/tickets?format=$format&$query" >"$tmp/curl.out" &
    peak=$(peak_rss_while $!)
    wait $! || { echo "exports: the $format export failed" >&2; exit 1; }
    read -r seconds bytes <"$tmp/curl.out"
    times+=("$seconds")
    cpus+=("$(awk -v t=$(($(cpu_ticks) - ticks)) -v hz="$ticks_per_second" 'BEGIN { printf "%.2f", t / hz }')")
    [ $((peak - before)) -le "$growth" ] || growth=$((peak - before))
  done
  median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(((ROUNDS + 1) / 2))p")
  cpu=$(printf '%s\n' "${cpus[@]}" | sort -n | sed -n "$(((ROUNDS + 1) / 2))p")
  awk -v f="$format" -v n="$TICKETS" -v b="$bytes" -v t="$median" -v c="$cpu" -v r="$before" \
    -v p="$peak" -v g="$growth" 'BEGIN { printf "| %s | %d | %.1f MB | %.2f s | %.2f s | %d MB | %d MB | +%d MB |\n",
                            f, n, b / 1048576, t, c, r / 1024, p / 1024, g / 1024 }'
done
echo
echo "Server RSS before the first export: $((idle / 1024)) MB; peak over the whole run (VmHWM): $(($(kb VmHWM) / 1024)) MB."
