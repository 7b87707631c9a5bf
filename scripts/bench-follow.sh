#!/usr/bin/env bash
# Issue 11, item 2: a followed file that does not change costs (almost)
# nothing. reflow follows FILE in a detached tmux pane (private socket,
# 200x50) and the CPU time of all its threads is read over IDLE_S seconds,
# for `reflow FILE` (the last FILE followed) and `reflow -F a b`.
# Goal: <= 20 ms in 10 s.
#
#   scripts/bench-follow.sh
#
# Environment:
#   IDLE_S    seconds of idle measurement (default 10)
#   REFLOW    the reflow binary (default ./target/release/reflow, built first)
#   NO_BUILD  set to 1 to skip `cargo build --release`
#
# CPU time is the sum of the threads' /proc/PID/task/*/schedstat run times
# (nanoseconds), finer than the clock ticks of /proc/PID/stat.
set -euo pipefail
cd "$(dirname "$0")/.."

IDLE_S=${IDLE_S:-10}
command -v tmux >/dev/null || { echo "bench-follow: needs tmux" >&2; exit 1; }

if [[ -z "${REFLOW:-}" ]]; then
  TARGET=${CARGO_TARGET_DIR:-target}
  REFLOW="$TARGET/release/reflow"
  [[ "${NO_BUILD:-}" == 1 ]] || cargo build --release --quiet
fi
REFLOW=$(realpath "$REFLOW")

WORK=$(mktemp -d "${TMPDIR:-/tmp}/reflow-follow.XXXXXX")
SOCKET="reflow-follow-$$"
cleanup() {
  tmux -L "$SOCKET" kill-server 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

seq 1 1000 | sed 's/^/a log line number /' >"$WORK/a.log"
seq 1 1000 | sed 's/^/b log line number /' >"$WORK/b.log"

# run_ns PID: the CPU time so far of every thread of PID, in nanoseconds.
run_ns() {
  cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { print s + 0 }'
}

# idle LABEL ARGS...: reflow ARGS in a pane, settled, then measured.
idle() {
  local label=$1
  shift
  tmux -L "$SOCKET" kill-server 2>/dev/null || true
  tmux -L "$SOCKET" new-session -d -x 200 -y 50 -c "$WORK" "exec $REFLOW $*"
  local pid
  pid=$(tmux -L "$SOCKET" display -p '#{pane_pid}')
  # Settled: the last line of the file is on screen.
  local deadline=$((SECONDS + 20))
  until tmux -L "$SOCKET" capture-pane -p | grep -q 'line number 1000'; do
    ((SECONDS < deadline)) || { echo "bench-follow: $label never showed its file" >&2; exit 1; }
    sleep 0.05
  done
  sleep 1
  local before after
  before=$(run_ns "$pid")
  sleep "$IDLE_S"
  after=$(run_ns "$pid")
  awk -v l="$label" -v d=$((after - before)) -v s="$IDLE_S" \
    'BEGIN { printf "%-28s %8.2f ms CPU in %s s (goal <= 20 ms in 10 s)\n", l, d / 1e6, s }'
  tmux -L "$SOCKET" send-keys q
}

idle "reflow a.log (followed)" a.log
idle "reflow -F a.log b.log" -F a.log b.log
