#!/usr/bin/env bash
# Sets up and runs the demo: installs what is missing, builds Release, and starts
# `ticketbot demo` (SQLite, demo data) at http://127.0.0.1:8000 — the Mini App at /app/,
# the API docs at /docs. Stop it with Ctrl-C.
# With --fake-bot, the bot runs too, against the fake Telegram Bot API of tests/fakes/: what
# the bot sends shows at http://127.0.0.1:8081/ and in the console; write to the bot as a
# customer through the fake's control API (tests/fakes/README.md).
#
#   scripts/demo.sh [--no-install] [--fake-bot] [ticketbot demo flags...]   e.g. --http-port 9000
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ]; then sed -n '2,9p' "$0"; exit 0; fi
install=1 fake_bot=0
while [ $# -gt 0 ]; do
  case "$1" in
    --no-install) install=0; shift ;;
    --fake-bot) fake_bot=1; shift ;;
    *) break ;;
  esac
done
[ $install = 1 ] && scripts/install-deps.sh --runtime-only

cmake --preset release -DTB_BUILD_TESTS=OFF >/dev/null
cmake --build --preset release --target ticketbot
echo
if [ $fake_bot = 1 ]; then
  if ! command -v python3 >/dev/null; then
    echo "demo.sh: --fake-bot needs python3 (scripts/install-deps.sh installs it)" >&2
    exit 1
  fi
  python3 tests/fakes/fake_bot_api.py --port 8081 --token 123456:demo-token --log-page --verbose &
  fake=$!
  trap 'kill $fake 2>/dev/null' EXIT
  export TELEGRAM_BOT_TOKEN=123456:demo-token TELEGRAM_API_URL=http://127.0.0.1:8081
  export WEBAPP_URL=${WEBAPP_URL:-https://127.0.0.1:8000/app/}
  echo "Fake Telegram: what the bot sends at http://127.0.0.1:8081/; write to it as a customer:"
  echo "  curl -s localhost:8081/control/updates -d '{\"updates\":[{\"message\":{\"chat\":{\"id\":42,\"type\":\"private\"},\"from\":{\"id\":42,\"first_name\":\"Ann\"},\"text\":\"/start\"}}]}'"
fi
echo "Starting the demo: Mini App http://127.0.0.1:8000/app/ · API docs http://127.0.0.1:8000/docs"
if [ $fake_bot = 1 ]; then
  build/release/ticketbot demo "$@"  # not exec: the trap stops the fake server afterwards
else
  exec build/release/ticketbot demo "$@"
fi
