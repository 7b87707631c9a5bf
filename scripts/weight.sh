#!/usr/bin/env bash
# Issue 18, item 12: the logger alone (`default-features = false,
# features = ["log"]`, what a tool that swaps env_logger for reflow adds)
# stays light. Counts the crates it compiles (reflow included: normal and
# build dependencies, proc-macros among them, for this machine's target)
# and fails past LIMIT, or if any of them builds C (needs `cc`, `cmake`
# or `pkg-config`).
set -euo pipefail
cd "$(dirname "$0")/.."
limit=${LIMIT:-35}
for features in "log" "log,tracing"; do
  crates=$(cargo tree -q --no-default-features --features "$features" -e normal,build \
    --prefix none --format '{p}' | sed 's/ (.*//' | sort -u)
  count=$(wc -l <<<"$crates")
  c_built=$(grep -E '^(cc|cmake|pkg-config) ' <<<"$crates" || true)
  echo "weight: features $features: $count crates (reflow included)"
  if [[ -n $c_built ]]; then
    echo "weight: builds C: $c_built" >&2
    exit 1
  fi
  if [[ $features == log && $count -gt $limit ]]; then
    echo "weight: more than $limit crates for the logger alone:" >&2
    echo "$crates" >&2
    exit 1
  fi
done
