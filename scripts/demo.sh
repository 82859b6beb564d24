#!/usr/bin/env bash
# Sets up and runs the demo: installs what is missing, builds Release, and starts
# `ticketbot demo` (SQLite, demo data) at http://127.0.0.1:8000 — the Mini App at /app/,
# the API docs at /docs. Stop it with Ctrl-C.
#
#   scripts/demo.sh [--no-install] [ticketbot demo flags...]   e.g. --http-port 9000
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ]; then sed -n '2,6p' "$0"; exit 0; fi
if [ "${1:-}" = "--no-install" ]; then
  shift
else
  scripts/install-deps.sh --runtime-only
fi

cmake --preset release -DTB_BUILD_TESTS=OFF >/dev/null
cmake --build --preset release --target ticketbot
echo
echo "Starting the demo: Mini App http://127.0.0.1:8000/app/ · API docs http://127.0.0.1:8000/docs"
exec build/release/ticketbot demo "$@"
