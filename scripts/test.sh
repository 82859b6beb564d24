#!/usr/bin/env bash
# Sets up and runs every test: installs what is missing, checks formatting, builds the
# Release preset and runs its unit + integration tests with CTest, then the end-to-end
# tests of the Mini App in Chromium against that Release binary (tests/e2e/), then builds
# and runs the CTest suites again with AddressSanitizer + UBSan (preset asan).
#
#   scripts/test.sh [--no-install] [--no-asan] [--no-format] [--no-e2e]
set -euo pipefail
cd "$(dirname "$0")/.."

install=1 asan=1 format=1 e2e=1
for arg in "$@"; do
  case "$arg" in
    --no-install) install=0 ;;
    --no-asan) asan=0 ;;
    --no-format) format=0 ;;
    --no-e2e) e2e=0 ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
    *) echo "test.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done

step() { printf '\n==> %s\n' "$*"; }

if [ $install = 1 ]; then
  step "installing missing dependencies"
  scripts/install-deps.sh
fi

if [ $format = 1 ]; then
  step "checking formatting (clang-format 14)"
  if git rev-parse --git-dir >/dev/null 2>&1; then
    git ls-files -z --cached --others --exclude-standard -- '*.cpp' '*.hpp'
  else  # an exported tree without .git
    find src tests bench -name '*.cpp' -print0 -o -name '*.hpp' -print0
  fi | xargs -0 -r clang-format-14 --dry-run --Werror
fi

run_preset() {
  local preset=$1
  step "building preset $preset"
  cmake --preset "$preset" -DTB_BUILD_TESTS=ON >/dev/null
  cmake --build --preset "$preset"
  step "testing preset $preset"
  ctest --preset "$preset"
}

run_preset release
if [ $e2e = 1 ]; then
  step "end-to-end tests: the Mini App in Chromium (tests/e2e/)"
  # Part of every run: without Chromium or playwright-core the run fails, unless the
  # caller said --no-e2e (CI never does).
  chromium=${E2E_CHROMIUM:-/usr/bin/chromium}
  if [ ! -d node_modules/playwright-core ] || [ ! -x "$chromium" ]; then
    echo "test.sh: the end-to-end tests need $chromium (apt package chromium) and" \
         "node_modules/playwright-core (npm ci: is the npm registry reachable, and its" \
         "certificate trusted?); install them, or run with --no-e2e to skip these tests" >&2
    exit 1
  fi
  # Bounded as a whole; the harness kills its servers and browsers whatever happens.
  timeout --kill-after=10 1200 tests/e2e/run-all.sh
fi
if [ $asan = 1 ]; then
  run_preset asan
fi
step "all tests passed"
