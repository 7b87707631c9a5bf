#!/usr/bin/env bash
# A backward search through a long log, timed in a real terminal: `less`
# against reflow. A detached tmux session of 200x50 on a private socket opens
# a file of 1,000,000 log lines (about 130 MB) at its end, `?xylophone` is
# typed, and the time from sending Enter until the one line with that word
# (line 1,000, near the start) is on the screen is measured. The goal is
# reflow <= 0.1x less.
#
#   scripts/bench-search.sh                       # 1,000,000 lines, best of 3
#   LINES_N=100000 RUNS=1 scripts/bench-search.sh    # a quick run
#
# Environment:
#   LINES_N   lines of input (default 1000000, about 130 bytes each)
#   RUNS      timed searches with each viewer; the best is kept (default 3)
#   DATA      input file to use; generated there if missing, and kept
#             (default: generated into the temporary directory, removed on exit)
#   REFLOW    the reflow binary (default $CARGO_TARGET_DIR or ./target, then
#             release/reflow, built first)
#   NO_BUILD  set to 1 to skip `cargo build --release`
#   TIMEOUT   seconds to wait for the match before giving up (default 10)
#   OPEN_TIMEOUT  seconds a viewer may take to show the end of the file (120)
#
# The clock starts just before `tmux send-keys Enter` and stops when
# `tmux capture-pane -p` first shows the matching line (polled in a tight
# loop by one python3 process; the poll interval, a few milliseconds, is
# printed as the resolution).
set -euo pipefail
cd "$(dirname "$0")/.."

LINES_N=${LINES_N:-1000000}
RUNS=${RUNS:-3}
TIMEOUT=${TIMEOUT:-10}
OPEN_TIMEOUT=${OPEN_TIMEOUT:-120}
WIDTH=200
HEIGHT=50
MARKER=xylophone
MARKED_LINE=1000

for tool in tmux less python3; do
  command -v "$tool" >/dev/null || { echo "bench-search: needs $tool" >&2; exit 1; }
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/reflow-search.XXXXXX")
SOCKET="reflow-search-$$"
cleanup() {
  tmux -L "$SOCKET" kill-server 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

die() { echo "bench-search: $*" >&2; exit 1; }

# --- build -------------------------------------------------------------------
if [[ -z ${REFLOW:-} ]]; then
  REFLOW=${CARGO_TARGET_DIR:-$PWD/target}/release/reflow
  if [[ ${NO_BUILD:-0} != 1 ]]; then
    echo "building: cargo build --release" >&2
    cargo build --release --quiet
  fi
fi
[[ -x $REFLOW ]] || die "no reflow binary at $REFLOW"

# --- input -------------------------------------------------------------------
DATA=${DATA:-$WORK/search-$LINES_N.log}
if [[ ! -s $DATA ]]; then
  echo "generating $LINES_N log lines into $DATA" >&2
  python3 - "$DATA.tmp" "$LINES_N" "$MARKER" "$MARKED_LINE" <<'EOF'
import random, sys
path, n, marker, marked = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
rng = random.Random(42)
levels = "INFO INFO INFO INFO DEBUG DEBUG WARN ERROR TRACE".split()
modules = ("server::http db::pool cache::lru auth::session net::peer "
           "storage::wal worker::queue api::v2::orders").split()
words = ("request handled in ms for user session cache miss hit key connection "
         "pool timeout retrying upstream status ok error payload bytes latency "
         "worker queue depth flushed segment index compaction started finished "
         "shard replica lease renewed token expired client disconnected reading "
         "config from disk listening on port accepted new peer checksum mismatch "
         "the a with after").split()
t = 0
with open(path, "w") as out:
    for i in range(n):
        t += rng.randrange(40)
        head = "2024-05-17T%02d:%02d:%02d.%03dZ %-5s %s: req=%08x user=%d " % (
            t // 3600000 % 24, t // 60000 % 60, t // 1000 % 60, t % 1000,
            rng.choice(levels), rng.choice(modules), rng.getrandbits(32),
            rng.randrange(100000))
        target = 110 + rng.randrange(40)
        parts = [head]
        size = len(head)
        while size < target:
            w = rng.choice(words) if rng.random() > 0.1 else "id=%d" % rng.randrange(10**6)
            parts.append(w + " ")
            size += len(w) + 1
        line = "".join(parts).rstrip()
        if i == marked:
            line += " " + marker
        if i == n - 1:
            line += " end-of-log"
        out.write(line + "\n")
EOF
  mv "$DATA.tmp" "$DATA"
fi
BYTES=$(wc -c <"$DATA")
DATA_LINES=$(wc -l <"$DATA")
echo "input: $DATA_LINES lines, $BYTES bytes ($(awk "BEGIN { printf \"%.1f\", $BYTES / 1e6 }") MB), '$MARKER' on line $((MARKED_LINE + 1))" >&2
[[ $(grep -c "$MARKER" "$DATA") == 1 ]] || die "'$MARKER' must be on exactly one line of $DATA"

# --- the terminal --------------------------------------------------------------
cat >"$WORK/tmux.conf" <<'EOF'
set -g status off
set -g history-limit 0
EOF

# timed.py VIEWER: types ?MARKER, then times Enter until the match is shown.
# Prints "seconds resolution" or "timeout".
cat >"$WORK/timed.py" <<'EOF'
import subprocess, sys, time
socket, target, marker, timeout = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])

def screen():
    out = subprocess.run(["tmux", "-L", socket, "capture-pane", "-p", "-t", target],
                         capture_output=True, text=True).stdout
    return out.rstrip("\n").split("\n")

def keys(*args):
    subprocess.run(["tmux", "-L", socket, "send-keys", "-t", target, *args], check=True)

def shown(rows):
    # The match on any row but the last (where the prompt echoes it).
    return any(marker in row for row in rows[:-1])

keys("-l", "?" + marker)
# Wait (briefly) for the prompt, so Enter is not sent before the pattern.
deadline = time.monotonic() + 2
while time.monotonic() < deadline and marker not in screen()[-1]:
    time.sleep(0.005)
start = time.monotonic()
keys("Enter")
polls = 0
while True:
    rows = screen()
    polls += 1
    elapsed = time.monotonic() - start
    if shown(rows):
        print("%.4f %.4f" % (elapsed, elapsed / polls))
        break
    if elapsed > timeout:
        print("timeout")
        break
EOF

# search_time NAME COMMAND...: opens the file with COMMAND in a fresh pane,
# waits for its end, then times one search. Prints the seconds or "timeout".
search_time() {
  local name=$1
  shift
  tmux -L "$SOCKET" kill-server 2>/dev/null || true
  # The old server may still be going away, and a session started then
  # dies with it ("server exited unexpectedly"): start one until it stays.
  local tries
  for ((tries = 0; tries < 50; tries++)); do
    tmux -L "$SOCKET" -f "$WORK/tmux.conf" new-session -d -s bench -x "$WIDTH" -y "$HEIGHT" \
      env -u LESSOPEN -u LESSCLOSE LESS= LESSHISTFILE=- TERM=tmux-256color "$@" 2>/dev/null
    tmux -L "$SOCKET" has-session -t bench 2>/dev/null && break
    sleep 0.1
  done
  local target=bench:0.0 deadline=$((SECONDS + OPEN_TIMEOUT))
  until tmux -L "$SOCKET" capture-pane -p -t "$target" 2>/dev/null | grep -q end-of-log; do
    ((SECONDS < deadline)) || die "$name did not show the end of the file within ${OPEN_TIMEOUT}s"
    sleep 0.05
  done
  python3 "$WORK/timed.py" "$SOCKET" "$target" "$MARKER" "$TIMEOUT"
}

# best NAME COMMAND...: the best of RUNS searches, "seconds resolution", or
# "timeout".
best() {
  local name=$1 result best_s="" best_line="timeout"
  for ((run = 1; run <= RUNS; run++)); do
    result=$(search_time "$@")
    echo "  $name run $run: $result" >&2
    [[ $result == timeout ]] && { echo timeout; return; }
    if [[ -z $best_s ]] || awk "BEGIN { exit !(${result%% *} < $best_s) }"; then
      best_s=${result%% *}
      best_line=$result
    fi
  done
  echo "$best_line"
}

echo "less: ?$MARKER from the end (${WIDTH}x${HEIGHT} tmux pane)" >&2
LESS_RESULT=$(best less less +G "$DATA")
[[ $LESS_RESULT == timeout ]] && die "less did not show the match within ${TIMEOUT}s"
echo "reflow: ?$MARKER from the end" >&2
REFLOW_RESULT=$(best reflow "$REFLOW" "$DATA")

read -r LESS_S LESS_RES <<<"$LESS_RESULT"
printf 'less:   %.3f s (poll resolution %.1f ms)\n' "$LESS_S" "$(awk "BEGIN { print $LESS_RES * 1000 }")"
if [[ $REFLOW_RESULT == timeout ]]; then
  echo "reflow: not supported yet (no match shown within ${TIMEOUT}s)"
  exit 0
fi
read -r REFLOW_S REFLOW_RES <<<"$REFLOW_RESULT"
printf 'reflow: %.3f s (poll resolution %.1f ms)\n' "$REFLOW_S" "$(awk "BEGIN { print $REFLOW_RES * 1000 }")"
RATIO=$(awk "BEGIN { printf \"%.3f\", $REFLOW_S / $LESS_S }")
echo "SEARCH RATIO reflow/less: $RATIO; goal <= 0.1: $(awk "BEGIN { print ($RATIO <= 0.1) ? \"PASS\" : \"FAIL\" }")"
