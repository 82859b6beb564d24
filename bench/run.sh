#!/usr/bin/env bash
# Benchmarks ticketbot side by side with its FastAPI peer (bench/peers/fastapi)
# and writes the results to docs/PERFORMANCE.md (and prints them).
#
#   bench/run.sh [--no-install] [--no-build] [--rounds N] [--duration S] [--output FILE]
#                [--tickets N] [--messages M]
#     --no-install    skip scripts/install-deps.sh --with-bench
#     --no-build      skip the Release build (use the existing build/release/ticketbot)
#     --rounds N      rounds per endpoint, ours and the peer alternating (default 3)
#     --duration S    seconds of wrk load per server per round (default 8)
#     --output FILE   where the report goes (default docs/PERFORMANCE.md)
#     --tickets N     tickets in the generated database (default 100000; 0: users and
#                     categories only, and no ticket endpoints)
#     --messages M    messages in it (default 1000000, at least N)
#   Environment: TICKETBOT_BIN=path runs that binary instead of build/release/ticketbot
#   (and skips the build).
#
# The data is generated once (bench/generate_data.py, with ticketbot's own schema) and
# each server runs on its own copy of it. Both servers listen on 127.0.0.1 only and are
# stopped on exit, even on failure.
set -euo pipefail
cd "$(dirname "$0")/.."
export LC_ALL=C

PYTHON=/usr/bin/python3 # Debian's, which has python3-fastapi and python3-uvicorn
THREADS=2               # HTTP_THREADS for ours, --workers for the peer
CONNECTIONS=64
WRK_THREADS=1
WARMUP=2 # seconds of unrecorded load per server per endpoint before the rounds
ROUNDS=3
DURATION=8
TICKETS=100000
MESSAGES=1000000
POST_TICKETS=1000 # post-message spreads its posts over this many most recently updated tickets
OUTPUT=docs/PERFORMANCE.md
MARKER='<!-- end of generated results -->'
install=1 build=1

usage() { sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; }
die() {
  echo "bench: $*" >&2
  exit 1
}

while [ $# -gt 0 ]; do
  case "$1" in
    --no-install) install=0 ;;
    --no-build) build=0 ;;
    --rounds) ROUNDS=${2:?--rounds needs a value}; shift ;;
    --rounds=*) ROUNDS=${1#*=} ;;
    --duration) DURATION=${2:?--duration needs a value}; shift ;;
    --duration=*) DURATION=${1#*=} ;;
    --output) OUTPUT=${2:?--output needs a value}; shift ;;
    --output=*) OUTPUT=${1#*=} ;;
    --tickets) TICKETS=${2:?--tickets needs a value}; shift ;;
    --tickets=*) TICKETS=${1#*=} ;;
    --messages) MESSAGES=${2:?--messages needs a value}; shift ;;
    --messages=*) MESSAGES=${1#*=} ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; die "unknown option $1" ;;
  esac
  shift
done
[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || die "--rounds must be a positive integer"
[[ $DURATION =~ ^[1-9][0-9]*$ ]] || die "--duration must be a positive integer (seconds)"
[[ $TICKETS =~ ^[0-9]+$ ]] || die "--tickets must be a non-negative integer"
[[ $MESSAGES =~ ^[0-9]+$ ]] || die "--messages must be a non-negative integer"
[ "$MESSAGES" -ge "$TICKETS" ] || die "--messages must be at least --tickets (each ticket has a first message)"

BIN=${TICKETBOT_BIN:-build/release/ticketbot}
[ -z "${TICKETBOT_BIN:-}" ] || build=0

# Endpoints to measure, one "name|path|header|method|body" entry each:
# - header is optional and sent to both servers, with {token:ROLE} replaced by each
#   server's own session token of its demo person of that ROLE;
# - method defaults to GET; body (optional) is sent as application/json;
# - {id} in the path becomes, per request, a random one of POST_IDS.
# Anything but a plain GET of one URL goes through wrk's bench/lua/post.lua.
# Called once both servers are up, so it may first create whatever the endpoints
# need (users, tokens, rows) on both of them.
define_endpoints() {
  local role
  for role in admin moderator user; do
    TOKENS[ours:$role]=$(demo_token "$ours_port" "$role")
    TOKENS[peer:$role]=$(demo_token "$peer_port" "$role")
  done
  ENDPOINTS=(
    "healthz|/healthz|"
    "auth-me|/auth/me|Authorization: Bearer {token:admin}"
  )
  [ "$TICKETS" -gt 0 ] || return 0
  ENDPOINTS+=(
    "tickets-moderator|/tickets?limit=50|Authorization: Bearer {token:moderator}"
    "tickets-user|/tickets?limit=50|Authorization: Bearer {token:user}"
    "post-message|/tickets/{id}/messages|Authorization: Bearer {token:moderator}|POST|{\"body\":\"Thanks for the details, we are looking into it now.\"}"
    "create-ticket|/tickets|Authorization: Bearer {token:user}|POST|{\"subject\":\"Cannot log in\",\"body\":\"It says my password is wrong, but it is not.\",\"category_id\":1}"
  )
}
declare -A TOKENS=()
POST_IDS=""

demo_token() { # port role: a session token for the demo person of that role on that server
  curl --noproxy '*' -s --max-time 5 -X POST -H 'Content-Type: application/json' \
    -d "{\"role\":\"$2\"}" "http://127.0.0.1:$1/auth/demo" |
    "$PYTHON" -c 'import json, sys; print(json.load(sys.stdin)["token"])' ||
    die "could not log in to the demo $2 on port $1"
}

with_tokens() { # text side: text with each {token:ROLE} replaced by that server's token
  local text=$1 key
  for key in "${!TOKENS[@]}"; do
    [ "${key%%:*}" = "$2" ] || continue
    text=${text//"{token:${key#*:}}"/${TOKENS[$key]}}
  done
  printf '%s' "$text"
}

# --- servers ---------------------------------------------------------------

tmp=$(mktemp -d /tmp/ticketbot-bench.XXXXXX)
ours_pid="" peer_pid=""

stop_server() { # pid: the server runs in its own session, so stop the whole group
  local pid=$1 i
  [ -n "$pid" ] || return 0
  kill -TERM -- "-$pid" 2>/dev/null || return 0
  for i in $(seq 50); do
    kill -0 -- "-$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL -- "-$pid" 2>/dev/null || true
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_server "$ours_pid"
  stop_server "$peer_pid"
  if [ "$rc" != 0 ]; then
    for log in "$tmp"/ours.log "$tmp"/peer.log; do
      [ -s "$log" ] || continue
      echo "bench: last lines of $(basename "$log"):" >&2
      tail -n 20 "$log" >&2
    done
  fi
  rm -rf "$tmp"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_ports() { # prints two distinct free TCP ports on 127.0.0.1
  "$PYTHON" - <<'EOF'
import socket
socks = [socket.socket() for _ in range(2)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in socks))
EOF
}

http_status() { # url [header [method [body]]]
  local args=(--noproxy '*' -s -o /dev/null -w '%{http_code}' --max-time 5)
  [ -z "${2:-}" ] || args+=(-H "$2")
  [ -z "${3:-}" ] || args+=(-X "$3")
  [ -z "${4:-}" ] || args+=(-H 'Content-Type: application/json' --data-raw "$4")
  curl "${args[@]}" "$1" || true
}

probe() { # port path header method body: the status of one such request ({id}: the first id)
  local first=${POST_IDS%% *}
  http_status "http://127.0.0.1:$1${2//"{id}"/$first}" "$3" "$4" "$5"
}

wait_healthy() { # name pid port
  local name=$1 pid=$2 port=$3 deadline=$((SECONDS + 20))
  while [ "$(http_status "http://127.0.0.1:$port/healthz")" != 200 ]; do
    kill -0 "$pid" 2>/dev/null || die "$name exited before answering /healthz"
    [ $SECONDS -lt $deadline ] || die "$name did not answer GET /healthz with 200 within 20 s"
    sleep 0.2
  done
}

rss_mb() { # pid: VmRSS of the process and all its descendants, in MB
  local pids=("$1") total=0 i=0 p kb child
  while [ $i -lt ${#pids[@]} ]; do
    p=${pids[i]}
    i=$((i + 1))
    kb=$(awk '/^VmRSS:/ { print $2 }' "/proc/$p/status" 2>/dev/null || true)
    total=$((total + ${kb:-0}))
    for child in $(ps -o pid= --ppid "$p" 2>/dev/null || true); do
      pids+=("$child")
    done
  done
  awk -v kb="$total" 'BEGIN { printf "%.1f", kb / 1024 }'
}

# --- load ------------------------------------------------------------------

to_ms() { # wrk duration such as 512.00us, 1.20ms, 2.01s -> milliseconds
  awk -v d="$1" 'BEGIN {
    if (match(d, /^[0-9.]+/)) { v = substr(d, 1, RLENGTH); u = substr(d, RLENGTH + 1) } else exit 1
    f = (u == "us") ? 0.001 : (u == "ms") ? 1 : (u == "s") ? 1000 : (u == "m") ? 60000 : (u == "h") ? 3600000 : -1
    if (f < 0) exit 1
    printf "%.3f", v * f
  }'
}

# run_wrk port path header method body seconds
#   -> prints "rps p50_ms p99_ms non2xx sockerr" (non-2xx/3xx responses; socket errors,
#      timeouts included: wrk gives up on a request after 2 s)
run_wrk() {
  local port=$1 path=$2 header=$3 method=$4 body=$5 seconds=$6 out rps p50 p99 non2xx sockerr
  local args=(-t"$WRK_THREADS" -c"$CONNECTIONS" -d"${seconds}s" --latency)
  local url="http://127.0.0.1:$port$path"
  [ -z "$header" ] || args+=(-H "$header")
  if [ "$method" != GET ] || [ -n "$body" ] || [[ $path == *"{id}"* ]]; then
    args+=(-s bench/lua/post.lua)
    url="http://127.0.0.1:$port/"
  fi
  out=$(BENCH_METHOD=$method BENCH_PATH=$path BENCH_BODY=$body BENCH_IDS=$POST_IDS \
    timeout $((seconds + 30)) wrk "${args[@]}" "$url") ||
    die "wrk failed against 127.0.0.1:$port: $method $path"
  rps=$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")
  p50=$(awk '$1 == "50%" { print $2; exit }' <<<"$out")
  p99=$(awk '$1 == "99%" { print $2; exit }' <<<"$out")
  if [ -z "$rps" ] || [ -z "$p50" ] || [ -z "$p99" ]; then
    die "could not parse wrk output:"$'\n'"$out"
  fi
  non2xx=$(awk '/Non-2xx or 3xx responses:/ { n += $NF } END { print n + 0 }' <<<"$out")
  sockerr=$(awk '/Socket errors:/ { gsub(",", ""); n += $4 + $6 + $8 + $10 } END { print n + 0 }' <<<"$out")
  if ! p50=$(to_ms "$p50") || ! p99=$(to_ms "$p99"); then
    die "unknown latency unit in wrk output:"$'\n'"$out"
  fi
  echo "$rps $p50 $p99 $non2xx $sockerr"
}

median() { # numbers as arguments
  printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 }
    END { printf "%.3f", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# --- run -------------------------------------------------------------------

if [ $install = 1 ]; then
  scripts/install-deps.sh --with-bench
fi
for tool in wrk curl ps setsid timeout; do
  command -v "$tool" >/dev/null || die "$tool is missing (run scripts/install-deps.sh --with-bench)"
done
"$PYTHON" -c 'import fastapi, uvicorn' 2>/dev/null ||
  die "$PYTHON lacks fastapi/uvicorn (run scripts/install-deps.sh --with-bench)"

if [ $build = 1 ]; then
  cmake --preset release
  cmake --build --preset release
fi
[ -x "$BIN" ] || die "$BIN is missing or not executable"

# The data, once; each server gets its own copy of the file.
echo "bench: generating $TICKETS tickets and $MESSAGES messages" >&2
gen_start=$(date +%s%N)
"$PYTHON" bench/generate_data.py "$tmp/data.db" --tickets "$TICKETS" --messages "$MESSAGES" \
  --bin "$BIN" >&2 || die "bench/generate_data.py failed"
gen_seconds=$(awk -v ns="$(($(date +%s%N) - gen_start))" 'BEGIN { printf "%.0f", ns / 1e9 }')
data_mb=$(awk -v b="$(stat -c %s "$tmp/data.db")" 'BEGIN { printf "%.0f", b / 1e6 }')
POST_IDS=$("$PYTHON" - "$tmp/data.db" "$POST_TICKETS" <<'EOF'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
print(" ".join(str(row[0]) for row in db.execute(
    "SELECT id FROM tickets WHERE deleted_at IS NULL ORDER BY updated_at DESC, id DESC LIMIT ?",
    (int(sys.argv[2]),))))
EOF
)
cp "$tmp/data.db" "$tmp/ours.db"
mv "$tmp/data.db" "$tmp/peer.db"

ports=$(free_ports)
read -r ours_port peer_port <<<"$ports"

# setsid: each server leads its own process group, which stop_server kills as a whole.
# The rate limits are lifted so that one demo person can drive the write endpoints.
HTTP_HOST=127.0.0.1 HTTP_PORT=$ours_port HTTP_THREADS=$THREADS LOG_LEVEL=warn DEMO=1 \
  MESSAGE_RATE_LIMIT=1000000 AUTH_RATE_LIMIT=1000000 DATABASE_URL="sqlite:$tmp/ours.db" \
  setsid "$BIN" serve >"$tmp/ours.log" 2>&1 </dev/null &
ours_pid=$!
PEER_DATABASE="$tmp/peer.db" \
  setsid "$PYTHON" -m uvicorn app:app --app-dir bench/peers/fastapi \
  --host 127.0.0.1 --port "$peer_port" --workers "$THREADS" \
  --no-access-log --log-level warning >"$tmp/peer.log" 2>&1 </dev/null &
peer_pid=$!

wait_healthy ticketbot "$ours_pid" "$ours_port"
wait_healthy FastAPI "$peer_pid" "$peer_port"
sleep 1 # let the peer's second worker finish starting before measuring idle memory
ours_idle=$(rss_mb "$ours_pid")
peer_idle=$(rss_mb "$peer_pid")

define_endpoints
est=$((${#ENDPOINTS[@]} * 2 * (WARMUP + ROUNDS * DURATION)))
echo "bench: ${#ENDPOINTS[@]} endpoint(s), $ROUNDS round(s) of ${DURATION}s per server, about ${est}s of load" >&2

tables="" targets=""
for entry in "${ENDPOINTS[@]}"; do
  IFS='|' read -r name path header method body <<<"$entry"
  method=${method:-GET}
  ours_header=$(with_tokens "$header" ours)
  peer_header=$(with_tokens "$header" peer)
  for target in "$ours_port|$ours_header" "$peer_port|$peer_header"; do
    IFS='|' read -r port target_header <<<"$target"
    status=$(probe "$port" "$path" "$target_header" "$method" "$body")
    [[ $status == 2[0-9][0-9] ]] || die "$method $path on port $port answers $status, not 2xx"
    run_wrk "$port" "$path" "$target_header" "$method" "$body" "$WARMUP" >/dev/null
  done

  o_rps=() o_p50=() o_p99=() p_rps=() p_p50=() p_p99=() o_non=0 o_sock=0 p_non=0 p_sock=0
  for round in $(seq "$ROUNDS"); do
    echo "bench: $name round $round/$ROUNDS" >&2
    res=$(run_wrk "$ours_port" "$path" "$ours_header" "$method" "$body" "$DURATION")
    read -r rps p50 p99 non sock <<<"$res"
    o_rps+=("$rps") o_p50+=("$p50") o_p99+=("$p99") o_non=$((o_non + non)) o_sock=$((o_sock + sock))
    res=$(run_wrk "$peer_port" "$path" "$peer_header" "$method" "$body" "$DURATION")
    read -r rps p50 p99 non sock <<<"$res"
    p_rps+=("$rps") p_p50+=("$p50") p_p99+=("$p99") p_non=$((p_non + non)) p_sock=$((p_sock + sock))
  done
  o_bad=$((o_non + o_sock)) p_bad=$((p_non + p_sock))
  ours_after=$(rss_mb "$ours_pid")
  peer_after=$(rss_mb "$peer_pid")
  statuses=""
  if [ $((o_bad + p_bad)) != 0 ]; then # what a request answers now, to tell 429 from 500
    statuses="ticketbot $(probe "$ours_port" "$path" "$ours_header" "$method" "$body"), FastAPI $(probe "$peer_port" "$path" "$peer_header" "$method" "$body")"
  fi

  who=""
  if [[ $header =~ \{token:([a-z]+)\} ]]; then
    who=" as the demo ${BASH_REMATCH[1]}"
  elif [ -n "$header" ]; then
    who=" (with \`${header%%:*}\` header)"
  fi
  note=""
  [[ $path != *"{id}"* ]] || note+="\`{id}\`: per request, a random one of the $(wc -w <<<"$POST_IDS") most recently updated tickets. "
  [ -z "$body" ] || note+="Body: \`$body\`."
  table=$(awk -v method="$method" -v path="$path" -v who="$who" -v note="$note" \
    -v or="$(median "${o_rps[@]}")" -v o50="$(median "${o_p50[@]}")" -v o99="$(median "${o_p99[@]}")" \
    -v pr="$(median "${p_rps[@]}")" -v p50="$(median "${p_p50[@]}")" -v p99="$(median "${p_p99[@]}")" \
    -v oi="$ours_idle" -v oa="$ours_after" -v pi="$peer_idle" -v pa="$peer_after" \
    -v on="$o_non" -v os="$o_sock" -v pn="$p_non" -v ps="$p_sock" -v statuses="$statuses" 'BEGIN {
      printf "### `%s %s`%s\n\n", method, path, who
      if (note != "") printf "%s\n\n", note
      print "| server | req/s | p50 ms | p99 ms | RSS idle MB | RSS after MB |"
      print "|---|---:|---:|---:|---:|---:|"
      printf "| ticketbot | %.0f | %.2f | %.2f | %.1f | %.1f |\n", or, o50, o99, oi, oa
      printf "| FastAPI | %.0f | %.2f | %.2f | %.1f | %.1f |\n", pr, p50, p99, pi, pa
      print ""
      printf "ticketbot / FastAPI throughput: %s×  \n", (pr > 0 ? sprintf("%.1f", or / pr) : "n/a")
      printf "p99 ratio (FastAPI / ticketbot latency): %s×\n", (o99 > 0 ? sprintf("%.1f", p99 / o99) : "n/a")
      if (on + os + pn + ps > 0)
        printf "\n**Warning:** failed requests during the rounds: ticketbot %d non-2xx/3xx and %d socket errors or timeouts (over 2 s), FastAPI %d and %d (timed-out requests are missing from the latency figures); one request after the rounds answered: %s.\n", on, os, pn, ps, statuses
    }')
  tables+="$table"$'\n\n'
  [ $((o_bad + p_bad)) = 0 ] ||
    echo "bench: warning: $name had failed requests (non-2xx/3xx + socket errors: ticketbot $o_non + $o_sock, FastAPI $p_non + $p_sock; now answering: $statuses)" >&2

  case $name in
    tickets-* | post-message | create-ticket)
      targets+=$(awk -v ep="\`$method $path\`$who" -v or="$(median "${o_rps[@]}")" \
        -v o99="$(median "${o_p99[@]}")" -v pr="$(median "${p_rps[@]}")" \
        -v p99="$(median "${p_p99[@]}")" -v bad="$((o_bad + p_bad))" 'BEGIN {
          t = (pr > 0) ? or / pr : 0; l = (o99 > 0) ? p99 / o99 : 0
          printf "| %s | %.1f× | %s | %.1f× | %s | %s |\n", ep, t, (t >= 10 ? "met" : "**not met**"),
            l, (l > 5 ? "met" : "**not met**"), (bad > 0 ? "failed requests: see above" : "")
        }')$'\n'
      ;;
  esac
  if [ "$name" = create-ticket ]; then
    create_line=$(awk -v or="$(median "${o_rps[@]}")" -v bad="$o_bad" 'BEGIN {
      printf "ticketbot `POST /tickets`: %.0f tickets/s (target ≥ 5,000): %s%s", or,
        (or >= 5000 ? "met" : "**not met**"), (bad > 0 ? " (with failed requests: see above)" : "")
    }')
  fi
done
if [ -n "$targets" ]; then
  targets=$(printf '%s\n' "## Targets (tickets issue)" "" \
    "ticketbot at least 10× FastAPI's throughput, and its p99 below 1/5 of FastAPI's:" "" \
    "| endpoint | throughput ratio | ≥ 10× | p99 ratio | > 5× | note |" \
    "|---|---:|---|---:|---|---|")$'\n'"$targets"
  [ -z "${create_line:-}" ] || targets+=$'\n'"$create_line"$'\n'
fi

stop_server "$ours_pid"
stop_server "$peer_pid"
ours_pid="" peer_pid=""

# --- report ----------------------------------------------------------------

commit=$(git rev-parse --short HEAD 2>/dev/null || echo "none yet")
if [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ] ||
  ! git rev-parse -q --verify HEAD >/dev/null 2>&1; then
  commit+=" (with uncommitted changes)"
fi
cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
peer_versions=$("$PYTHON" -c 'import sys, fastapi, uvicorn
print(f"Python {sys.version.split()[0]}, FastAPI {fastapi.__version__}, uvicorn {uvicorn.__version__}")')
wrk_cmd="wrk -t$WRK_THREADS -c$CONNECTIONS -d${DURATION}s --latency"

generated=$(
  cat <<EOF
# Performance

<!-- Generated by bench/run.sh; edit only below the end-of-results marker. -->

ticketbot measured side by side with its FastAPI peer (\`bench/peers/fastapi\`),
the way the original Python stack would serve the same endpoints.

## Method

- Machine: ${cpu:-unknown CPU}, $(nproc) cores; $(date -u '+%Y-%m-%d %H:%M UTC'); commit ${commit}.
- Load: \`$wrk_cmd http://127.0.0.1:PORT/PATH\`, client and servers on the same machine,
  over 127.0.0.1. After an unrecorded ${WARMUP} s warm-up per server, ${ROUNDS} round(s) per
  endpoint, ticketbot and FastAPI alternating within each round; every figure is the
  median over the rounds.
- Data: SQLite with ${TICKETS} tickets and ${MESSAGES} messages (${data_mb} MB), generated by
  \`bench/generate_data.py\` with ticketbot's own schema in ${gen_seconds} s; each server runs
  on its own copy of the file. The write endpoints change only the copy of the server that
  serves them, as fast as it serves them (\`POST /tickets\` adds open tickets that routing
  then counts), so the faster server ends up working on the larger database.
- Write endpoints (POST) and random ticket ids go through \`bench/lua/post.lua\`.
- ticketbot: Release build (\`cmake --preset release\`), \`ticketbot serve\` with
  \`HTTP_THREADS=$THREADS LOG_LEVEL=warn DEMO=1 MESSAGE_RATE_LIMIT=1000000 AUTH_RATE_LIMIT=1000000 DATABASE_URL=sqlite:…\`.
- Durability: ticketbot runs SQLite in WAL mode with \`synchronous=NORMAL\`: a committed write
  survives a crash of the process, not a power loss (or OS crash). The FastAPI peer sets
  \`synchronous=NORMAL\` on its connections too, so writes are compared at equal durability.
- FastAPI: ${peer_versions}; \`uvicorn --workers $THREADS --no-access-log --log-level warning\`,
  one SQLite connection per request.
- RSS: VmRSS from /proc summed over the server process and its descendants (for FastAPI
  the uvicorn supervisor and its $THREADS workers), once both are idle and again after an
  endpoint's rounds.
- The machine is shared and noisy, and wrk competes with the servers for its $(nproc) cores:
  read the ratios, not the absolute numbers.

## Results

$tables$targets
EOF
)

mkdir -p "$(dirname "$OUTPUT")"
{
  printf '%s\n\n' "$generated"
  if [ -f "$OUTPUT" ] && grep -qxF "$MARKER" "$OUTPUT"; then
    sed -n "\\|^$MARKER\$|,\$p" "$OUTPUT"
  else
    echo "$MARKER"
    if [ -s "$OUTPUT" ]; then # no marker: keep what was there, below it
      echo "bench: $OUTPUT had no '$MARKER' line; its old content is kept below it" >&2
      echo
      cat "$OUTPUT"
    fi
  fi
} >"$tmp/report.md"
mv "$tmp/report.md" "$OUTPUT"

printf '%s%s' "$tables" "$targets"
echo "bench: wrote $OUTPUT" >&2
