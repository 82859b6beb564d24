#!/usr/bin/env bash
# Installs what building, running and testing ticketbot needs on Debian bookworm.
# Idempotent: installs only the packages that are absent, then the npm packages
# (from package-lock.json) when node_modules is missing or older than the lock file.
#
#   scripts/install-deps.sh [--runtime-only] [--with-bench]
#     --runtime-only  only what the demo needs (no test or lint tools)
#     --with-bench    also wrk and the FastAPI peer used by bench/
set -euo pipefail
cd "$(dirname "$0")/.."

runtime_only=0 with_bench=0
for arg in "$@"; do
  case "$arg" in
    --runtime-only) runtime_only=1 ;;
    --with-bench) with_bench=1 ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "install-deps: unknown option $arg" >&2; exit 2 ;;
  esac
done

packages=(
  build-essential cmake ninja-build pkg-config ccache git ca-certificates curl
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev libboost-system1.81-dev
  libsqlite3-dev libspdlog-dev libfmt-dev libcli11-dev libssl-dev zlib1g-dev libutf8proc-dev
  libstemmer-dev
  libhowardhinnant-date-dev tzdata
  libxlsxwriter-dev libhpdf-dev fonts-dejavu-core
)
# The end-to-end tests (tests/e2e/) drive Debian's Chromium with playwright-core from npm;
# Playwright's own browser download cannot work here.
# The report tests read exports back with unzip (XLSX) and pdftotext (poppler-utils).
[ $runtime_only = 1 ] || packages+=(libgtest-dev libgmock-dev clang-format-14 python3
                                    chromium fonts-liberation unzip poppler-utils)
# bench/: wrk, the FastAPI peer, and nginx as the machine's ceiling for any HTTP server.
[ $with_bench = 0 ] || packages+=(wrk python3-fastapi python3-uvicorn procps python3-gunicorn
                                   python3-uvloop python3-httptools python3-aiosqlite python3-ujson
                                   python3-wsproto nginx-light)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js may come from another source than Debian's; only ask apt when there is none.
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)

if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The demo needs only the front-end packages; tests also need the devDependencies
# (playwright-core for tests/e2e/).
npm_flags=(--no-audit --no-fund --loglevel=error)
[ $runtime_only = 0 ] || npm_flags+=(--omit=dev)
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ] ||
   { [ $runtime_only = 0 ] && [ ! -d node_modules/playwright-core ]; }; then
  echo "install-deps: npm ci ${npm_flags[*]}"
  # npm trusts only Node's own CA list; a registry reached through a proxy whose CA is in
  # the system's store (common in companies) needs that store too.
  if [ -z "${NODE_EXTRA_CA_CERTS:-}" ] && [ -f /etc/ssl/certs/ca-certificates.crt ]; then
    export NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
  fi
  # Without the npm registry the server still builds and runs; /docs loses swagger-ui and
  # the Mini App Telegram's script (the build says so), and the end-to-end tests are
  # skipped (test.sh says so): a loud warning, not the end of the setup.
  if npm ci "${npm_flags[@]}"; then
    touch node_modules
  else
    echo "install-deps: WARNING: npm ci failed (is the npm registry reachable?);" \
         "building without the npm front-end packages" >&2
  fi
fi
