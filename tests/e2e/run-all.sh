#!/usr/bin/env bash
# Runs the end-to-end test files one after another, each in its own `node --test`, so that
# never two servers and browsers compete on a small machine. Plain `node --test FILE` works
# with Debian's Node 18 as with newer ones (which also have --test-concurrency). Exits
# non-zero if any file failed, after running them all.
#
#   tests/e2e/run-all.sh [FILE...]     (default: every tests/e2e/*.test.mjs)
set -uo pipefail
cd "$(dirname "$0")/../.."
[ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ] && { sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0; }
files=("$@")
[ ${#files[@]} -gt 0 ] || files=(tests/e2e/*.test.mjs)
failed=()
for file in "${files[@]}"; do
  node --test "$file" || failed+=("$file")
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "e2e: failed: ${failed[*]}" >&2
  exit 1
fi
echo "e2e: ${#files[@]} files passed"
