#!/usr/bin/env bash
# Benchmarks the WebSocket channel of ticketbot side by side with the FastAPI peer's
# WebSocket broadcast (bench/peers/fastapi), with the Beast load generator bench/ws_load.cpp,
# and writes the results into docs/PERFORMANCE.md (between the websocket markers).
#
#   bench/ws.sh [--no-install] [--no-build] [--rounds N] [--seconds S] [--hold N]
#               [--output FILE]
#     --no-install   skip scripts/install-deps.sh --with-bench
#     --no-build     use the existing build/release/ticketbot and build/release/ws_load
#     --rounds N     rounds per measurement, ours and the peer alternating (default 3)
#     --seconds S    seconds per round of the latency and throughput runs (default 8)
#     --hold N       connections to hold open at once (default: 50,000 or as many as the
#                    file-descriptor limit allows, whichever is lower)
#     --output FILE  the report (default docs/PERFORMANCE.md)
#
# Three measurements, each on both servers:
#   hold        N authenticated connections, each subscribed to a ticket: RSS per connection
#   latency     1,000 messages/s posted over REST to 100 tickets with 10 subscribers each:
#               post → delivery delay at the subscribers, p50 and p99
#   throughput  10,000 subscribers of one ticket, messages posted back to back: deliveries/s
# The peer runs one uvicorn worker: its broadcast lives in one process (several workers
# would need a broker, which the peer does not have). Both listen on 127.0.0.1 only.
set -euo pipefail
cd "$(dirname "$0")/.."
export LC_ALL=C

PYTHON=/usr/bin/python3
OUTPUT=docs/PERFORMANCE.md
ROUNDS=3
SECONDS_PER_ROUND=8
HOLD=""
install=1 build=1
BEGIN_MARK='<!-- websocket results -->'
END_MARK='<!-- end of websocket results -->'

usage() { sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; }
die() {
  echo "ws-bench: $*" >&2
  exit 1
}

while [ $# -gt 0 ]; do
  case "$1" in
    --no-install) install=0 ;;
    --no-build) build=0 ;;
    --rounds) ROUNDS=${2:?}; shift ;;
    --seconds) SECONDS_PER_ROUND=${2:?}; shift ;;
    --hold) HOLD=${2:?}; shift ;;
    --output) OUTPUT=${2:?}; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; die "unknown option $1" ;;
  esac
  shift
done
[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || die "--rounds must be a positive integer"
[[ $SECONDS_PER_ROUND =~ ^[1-9][0-9]*$ ]] || die "--seconds must be a positive integer"

# Both sides need a descriptor per connection: raise the soft limit to the hard one.
ulimit -n "$(ulimit -Hn)"
fd_limit=$(ulimit -n)
if [ -z "$HOLD" ]; then
  HOLD=$((fd_limit - 500))
  [ "$HOLD" -le 50000 ] || HOLD=50000
fi
[[ $HOLD =~ ^[1-9][0-9]*$ ]] || die "--hold must be a positive integer"

[ $install = 0 ] || scripts/install-deps.sh --with-bench
if [ $build = 1 ]; then
  cmake --preset release -DTB_BUILD_BENCH=ON >/dev/null
  cmake --build --preset release --target ticketbot ws_load
fi
BIN=build/release/ticketbot
LOAD=build/release/ws_load
[ -x "$BIN" ] && [ -x "$LOAD" ] || die "build/release/ticketbot or ws_load is missing (drop --no-build)"
"$PYTHON" -c 'import fastapi, uvicorn, wsproto' 2>/dev/null ||
  die "$PYTHON lacks fastapi/uvicorn/wsproto (run scripts/install-deps.sh --with-bench)"

tmp=$(mktemp -d /tmp/ticketbot-ws-bench.XXXXXX)
ours_pid="" peer_pid=""
stop_server() {
  [ -n "$1" ] || return 0
  kill -TERM -- "-$1" 2>/dev/null || return 0
  for _ in $(seq 50); do
    kill -0 -- "-$1" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL -- "-$1" 2>/dev/null || true
}
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_server "$ours_pid"
  stop_server "$peer_pid"
  [ "$rc" = 0 ] || tail -n 20 "$tmp"/*.log >&2 2>/dev/null || true
  rm -rf "$tmp"
  exit "$rc"
}
trap cleanup EXIT INT TERM

read -r ours_port peer_port < <("$PYTHON" -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*(x.getsockname()[1] for x in s))')

wait_healthy() { # port
  for _ in $(seq 100); do
    curl --noproxy '*' -sf "http://127.0.0.1:$1/healthz" >/dev/null && return 0
    sleep 0.2
  done
  die "the server on port $1 did not come up"
}
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# Waits (up to 60 s) until neither server uses more than 5 % of a core: a server still
# working off the backlog of its last run would take the cores from the next one.
wait_idle() {
  local pid before after
  for _ in $(seq 120); do
    local busy=0
    for pid in "$ours_pid" "$peer_pid"; do
      before=$(cpu_ticks "$pid")
      sleep 0.5
      after=$(cpu_ticks "$pid")
      [ $((after - before)) -le 2 ] || busy=1
    done
    [ $busy = 1 ] || return 0
  done
  echo "ws-bench: a server is still busy after 60 s; measuring anyway" >&2
}
demo_token() { # port role
  curl --noproxy '*' -s -X POST -H 'Content-Type: application/json' -d "{\"role\":\"$2\"}" \
    "http://127.0.0.1:$1/auth/demo" | "$PYTHON" -c 'import json, sys; print(json.load(sys.stdin)["token"])'
}
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
field() { "$PYTHON" -c 'import json, sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"; }

# --- servers: ours seeds the demo data, the peer gets a copy of it ----------
echo "ws-bench: starting both servers" >&2
HTTP_HOST=127.0.0.1 HTTP_PORT=$ours_port HTTP_THREADS=2 LOG_LEVEL=warn DEMO=1 \
  MESSAGE_RATE_LIMIT=1000000 AUTH_RATE_LIMIT=1000000 WS_MAX_CONNECTIONS_PER_USER=100000 \
  WS_SEND_QUEUE=100000 MAX_CONNECTIONS_PER_ADDRESS=100000 DATABASE_URL="sqlite:$tmp/ours.db" \
  setsid "$BIN" serve >"$tmp/ours.log" 2>&1 </dev/null &
ours_pid=$!
wait_healthy "$ours_port"
"$PYTHON" -c 'import sqlite3, sys; sqlite3.connect(sys.argv[1]).backup(sqlite3.connect(sys.argv[2]))' \
  "$tmp/ours.db" "$tmp/peer.db"
PEER_DATABASE="$tmp/peer.db" setsid "$PYTHON" -m uvicorn app:app --app-dir bench/peers/fastapi \
  --host 127.0.0.1 --port "$peer_port" --workers 1 --ws wsproto --no-access-log \
  --log-level warning >"$tmp/peer.log" 2>&1 </dev/null &
peer_pid=$!
wait_healthy "$peer_port"

declare -A TOKEN PID IDS
TOKEN[ours]=$(demo_token "$ours_port" moderator)
TOKEN[peer]=$(demo_token "$peer_port" moderator)
PID[ours]=$ours_pid
PID[peer]=$peer_pid
declare -A PORT=([ours]=$ours_port [peer]=$peer_port)
ids=$("$PYTHON" -c '
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
print(",".join(str(r[0]) for r in db.execute(
    "SELECT id FROM tickets WHERE deleted_at IS NULL ORDER BY id LIMIT 100")))' "$tmp/ours.db")
first_id=${ids%%,*}

load() { # side mode args...: one ws_load run against that server
  local side=$1 mode=$2
  shift 2
  "$LOAD" --port "${PORT[$side]}" --path "/ws?token=${TOKEN[$side]}" --post-token "${TOKEN[$side]}" \
    --mode "$mode" --threads 2 "$@"
}

# --- hold: RSS per connection --------------------------------------------------
declare -A HOLD_READY HOLD_KIB HOLD_CONNECT
for side in ours peer; do
  echo "ws-bench: $side: holding $HOLD connections" >&2
  before=$(rss_kb "${PID[$side]}")
  rm -f "$tmp/ready"
  load "$side" hold --connections "$HOLD" --sources 8 --tickets "$ids" --seconds 4 \
    --ready-file "$tmp/ready" >"$tmp/hold-$side.json" &
  loader=$!
  for _ in $(seq 1200); do
    [ -s "$tmp/ready" ] && break
    sleep 0.1
  done
  sleep 2
  after=$(rss_kb "${PID[$side]}")
  wait "$loader" || true
  result=$(cat "$tmp/hold-$side.json")
  HOLD_READY[$side]=$(field "$result" ready)
  HOLD_CONNECT[$side]=$(field "$result" connect_seconds)
  HOLD_KIB[$side]=$(awk -v a="$after" -v b="$before" -v n="${HOLD_READY[$side]}" \
    'BEGIN { printf "%.1f", (n > 0) ? (a - b) / n : 0 }')
  sleep 3 # let the server see the disconnects
done

# --- latency and throughput, rounds alternating between the servers ------------
declare -A P50 P99 DPS LOSS
for side in ours peer; do P50[$side]="" P99[$side]="" DPS[$side]="" LOSS[$side]=0; done
for round in $(seq "$ROUNDS"); do
  for side in ours peer; do
    wait_idle
    echo "ws-bench: $side: latency round $round/$ROUNDS" >&2
    result=$(load "$side" latency --connections 1000 --tickets "$ids" --rate 1000 --posters 32 \
      --seconds "$SECONDS_PER_ROUND")
    P50[$side]+=" $(field "$result" p50_ms)"
    P99[$side]+=" $(field "$result" p99_ms)"
    wait_idle
    echo "ws-bench: throughput round $round/$ROUNDS" >&2
    result=$(load "$side" throughput --connections 10000 --sources 2 --tickets "$first_id" \
      --posters 2 --seconds "$SECONDS_PER_ROUND")
    DPS[$side]+=" $(field "$result" deliveries_per_second)"
    LOSS[$side]=$((LOSS[$side] + $(field "$result" failed)))
  done
done
declare -A P50M P99M DPSM
for side in ours peer; do
  # shellcheck disable=SC2086 # word splitting of the collected figures is intended
  P50M[$side]=$(median ${P50[$side]})
  # shellcheck disable=SC2086
  P99M[$side]=$(median ${P99[$side]})
  # shellcheck disable=SC2086
  DPSM[$side]=$(median ${DPS[$side]})
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf (b > 0) ? "%.1f" : "n/a", (b > 0) ? a / b : 0 }'; }
verdict() { awk -v ok="$1" 'BEGIN { print ok ? "met" : "not met" }'; }

report=$(
  cat <<EOF
$BEGIN_MARK
## WebSocket (realtime issue)

Generated by \`bench/ws.sh\` on $(date -u +%Y-%m-%d) ($(nproc) cores, file-descriptor limit
$fd_limit per process). Load from \`bench/ws_load\` (Beast, 2 io threads) on the same
machine; ticketbot with 2 io threads, the FastAPI peer with 1 uvicorn worker (its broadcast
lives in one process). Medians of $ROUNDS rounds of ${SECONDS_PER_ROUND} s, the servers alternating; each run starts once both servers
are idle (the peer works off its backlog for seconds after a run).

| measurement | ticketbot | FastAPI | target | |
|---|---:|---:|---|---|
| connections held (asked: $HOLD) | ${HOLD_READY[ours]} in ${HOLD_CONNECT[ours]} s | ${HOLD_READY[peer]} in ${HOLD_CONNECT[peer]} s | 50,000 | $(verdict "$((HOLD_READY[ours] >= 50000))") |
| RSS per open connection | ${HOLD_KIB[ours]} KiB | ${HOLD_KIB[peer]} KiB | ≤ 20 KiB | $(verdict "$(awk -v k="${HOLD_KIB[ours]}" 'BEGIN { print (k <= 20) }')") |
| post → delivery p50, 1,000 msg/s | ${P50M[ours]} ms | ${P50M[peer]} ms | | |
| post → delivery p99, 1,000 msg/s | ${P99M[ours]} ms | ${P99M[peer]} ms | < 20 ms | $(verdict "$(awk -v p="${P99M[ours]}" 'BEGIN { print (p < 20) }')") |
| deliveries/s to 10,000 subscribers | ${DPSM[ours]} | ${DPSM[peer]} | ≥ 200,000 | $(verdict "$(awk -v d="${DPSM[ours]}" 'BEGIN { print (d >= 200000) }')") |
| deliveries/s, ticketbot / FastAPI | $(ratio "${DPSM[ours]}" "${DPSM[peer]}")× | | ≥ 10× | $(verdict "$(awk -v a="${DPSM[ours]}" -v b="${DPSM[peer]}" 'BEGIN { print (b > 0 && a / b >= 10) }')") |

Rounds: latency p99 ticketbot${P99[ours]} ms, FastAPI${P99[peer]} ms; deliveries/s
ticketbot${DPS[ours]}, FastAPI${DPS[peer]}. Subscribers that failed to connect in the
throughput runs: ticketbot ${LOSS[ours]}, FastAPI ${LOSS[peer]}.
$END_MARK
EOF
)
echo "$report"
printf '%s\n' "$report" >"$tmp/report.md"
"$PYTHON" - "$OUTPUT" "$BEGIN_MARK" "$END_MARK" "$tmp/report.md" <<'EOF'
import sys
path, begin, end, report_path = sys.argv[1:5]
report = open(report_path).read().strip() + "\n"
text = open(path).read()
if begin in text and end in text:
    text = text[:text.index(begin)] + report.rstrip("\n") + text[text.index(end) + len(end):]
else:
    text = text.rstrip("\n") + "\n\n" + report
open(path, "w").write(text)
EOF
echo "ws-bench: wrote $OUTPUT" >&2
