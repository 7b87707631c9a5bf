#!/usr/bin/env bash
# Issue 5, goals 1, 3, 5 and 6, measured in a real terminal: a detached tmux
# session of 200x50 on a private socket, against cat, wc -l and less.
#
#   scripts/bench-terminal.sh                      # 1,000,000 lines, best of 3
#   LINES_N=100000 RUNS=1 scripts/bench-terminal.sh   # a quick run
#
# Environment:
#   LINES_N   lines of input (default 1000000, about 100 bytes each)
#   RUNS      timed runs of each command; the best is kept (default 3)
#   DATA      input file to use; generated there if missing, and kept
#             (default: generated into the temporary directory, removed on exit)
#   REFLOW    the reflow binary (default ./target/release/reflow, built first)
#   NO_BUILD  set to 1 to skip `cargo build --release`
#   TIMEOUT   seconds any one step may take before the script gives up (120)
#   IDLE_S    seconds of idle CPU measurement (default 10)
#
# Wall times are taken inside the tmux pane (bash's EPOCHREALTIME around the
# command), so they include the terminal consuming every byte. Memory is
# read from /proc/PID/status of the process holding the input; idle CPU from
# /proc/PID/stat (utime+stime, clock ticks) and, finer, the sum of the
# threads' /proc/PID/task/*/schedstat run times.
set -euo pipefail
cd "$(dirname "$0")/.."

LINES_N=${LINES_N:-1000000}
RUNS=${RUNS:-3}
TIMEOUT=${TIMEOUT:-120}
IDLE_S=${IDLE_S:-10}
WIDTH=200
HEIGHT=50
POLL=0.01

for tool in tmux awk less wc; do
  command -v "$tool" >/dev/null || { echo "bench-terminal: needs $tool" >&2; exit 1; }
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/reflow-bench.XXXXXX")
SOCKET="reflow-bench-$$"
T="bench:0.0"
cleanup() {
  tmux -L "$SOCKET" kill-server 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

tm() { tmux -L "$SOCKET" "$@"; }
now() { echo "$EPOCHREALTIME"; }
# Float arithmetic: calc 'expression' [printf format] (awk).
calc() { awk "BEGIN { printf \"${2:-%.6g}\", $1 }"; }
die() { echo "bench-terminal: $*" >&2; exit 1; }

# wait_until TIMEOUT_S COMMAND...: polls COMMAND every $POLL seconds.
wait_until() {
  local limit=$1
  shift
  local deadline=$((SECONDS + limit))
  until "$@"; do
    ((SECONDS < deadline)) || return 1
    sleep "$POLL"
  done
}

# --- build -------------------------------------------------------------------
if [[ -z ${REFLOW:-} ]]; then
  REFLOW=$PWD/target/release/reflow
  if [[ ${NO_BUILD:-0} != 1 ]]; then
    echo "building: cargo build --release" >&2
    cargo build --release --quiet
  fi
fi
[[ -x $REFLOW ]] || die "no reflow binary at $REFLOW"

# --- input -------------------------------------------------------------------
DATA=${DATA:-$WORK/lines-$LINES_N.log}
if [[ ! -s $DATA ]]; then
  echo "generating $LINES_N log lines into $DATA" >&2
  awk -v n="$LINES_N" 'BEGIN {
    srand(42)
    nl = split("INFO INFO INFO INFO DEBUG DEBUG WARN ERROR TRACE", lv, " ")
    nm = split("server::http db::pool cache::lru auth::session net::peer storage::wal worker::queue api::v2::orders", md, " ")
    nw = split("request handled in ms for user session cache miss hit key connection pool timeout retrying upstream status ok error payload bytes latency worker queue depth flushed segment index compaction started finished shard replica lease renewed token expired client disconnected reading config from disk listening on port accepted new peer checksum mismatch the a with after", wd, " ")
    t = 0
    for (i = 0; i < n; i++) {
      t += int(rand() * 40)
      s = sprintf("2024-05-17T%02d:%02d:%02d.%03dZ %-5s %s: ", int(t / 3600000) % 24, int(t / 60000) % 60, int(t / 1000) % 60, t % 1000, lv[1 + int(rand() * nl)], md[1 + int(rand() * nm)])
      target = 88 + int(rand() * 21)
      while (length(s) < target) {
        if (rand() < 0.1) s = s "id=" int(rand() * 1000000) " "
        else s = s wd[1 + int(rand() * nw)] " "
      }
      s = substr(s, 1, target)
      sub(/ +$/, "", s)
      print s
    }
  }' >"$DATA.tmp"
  mv "$DATA.tmp" "$DATA"
fi
BYTES=$(wc -c <"$DATA")
DATA_LINES=$(wc -l <"$DATA")
echo "input: $DATA_LINES lines, $BYTES bytes ($(calc "$BYTES / 1e6" %.1f) MB)" >&2

# --- the terminal --------------------------------------------------------------
cat >"$WORK/tmux.conf" <<'EOF'
set -g status off
set -g history-limit 2000
EOF
# The pane runs a plain bash; commands are run through run.sh, which times
# them with the pane's own clock and writes "start end status" atomically.
cat >"$WORK/run.sh" <<'EOF'
#!/usr/bin/env bash
# run.sh RESULT CMDFILE: clear the screen, then time CMDFILE (sourced).
result=$1
clear
: >"$result.started"
start=$EPOCHREALTIME
. "$2"
status=$?
end=$EPOCHREALTIME
printf '%s %s %s\n' "$start" "$end" "$status" >"$result.tmp"
mv "$result.tmp" "$result"
EOF
export LESS='' LESSHISTFILE=- LESSOPEN='' LESSCLOSE=''
tm -f "$WORK/tmux.conf" new-session -d -s bench -x "$WIDTH" -y "$HEIGHT" \
  "env PS1='$ ' bash --norc --noprofile"
size=$(tm display -p -t "$T" '#{pane_width}x#{pane_height}')
[[ $size == "${WIDTH}x$HEIGHT" ]] || die "pane is $size, not ${WIDTH}x$HEIGHT"
PANE_PID=$(tm display -p -t "$T" '#{pane_pid}')
echo "tmux $(tmux -V | cut -d' ' -f2), pane ${size}, TERM=$(tm show -gv default-terminal)" >&2

bottom_row() { tm capture-pane -p -t "$T" -S $((HEIGHT - 1)) -E $((HEIGHT - 1)); }
bottom_has() { bottom_row | grep -qE -- "$1"; }
screen_has() { tm capture-pane -p -t "$T" | grep -qF -- "$1"; }

N=0
# start CMD: runs CMD in the pane through run.sh; sets RESULT.
start() {
  N=$((N + 1))
  RESULT=$WORK/result-$N
  printf '%s\n' "$1" >"$WORK/cmd-$N.sh"
  # The pane's shell must be at its prompt: the previous command is done.
  tm send-keys -t "$T" -l "bash $WORK/run.sh $RESULT $WORK/cmd-$N.sh"
  tm send-keys -t "$T" Enter
  # Polling the screen is only meaningful once the pane has been cleared.
  wait_until "$TIMEOUT" test -e "$RESULT.started" || die "the pane never ran: $1"
}
# finish: waits for RESULT; sets ELAPSED (seconds) and STATUS.
finish() {
  wait_until "$TIMEOUT" test -e "$RESULT" || die "timed out: $(cat "$WORK/cmd-$N.sh")"
  read -r t0 t1 STATUS <"$RESULT"
  ELAPSED=$(calc "$t1 - $t0" %.3f)
}
# pid_of NAME: the NAME process started by the command running in the pane.
pid_of() {
  local runner
  runner=$(pgrep -d, -P "$PANE_PID") || return 1
  pgrep -x -P "$runner" "$1" | head -n 1
}
min() { printf '%s\n' "$@" | sort -g | head -n 1; }
last() { if (($#)); then echo "${@: -1}"; else echo n/a; fi; }

# --- goal 1: ingest time ----------------------------------------------------------
declare -a T_CAT T_WC T_LESS T_REFLOW
LESS_OK=1
for ((r = 1; r <= RUNS; r++)); do
  start "cat $DATA"
  finish
  T_CAT+=("$ELAPSED")

  start "cat $DATA | wc -l >/dev/null"
  finish
  T_WC+=("$ELAPSED")

  if ((LESS_OK)); then
    # less +G reads to the end of the pipe, then shows the last page and
    # "(END)"; the time includes noticing that (one poll, ~10-20 ms).
    start "cat $DATA | less +G"
    if wait_until "$TIMEOUT" bottom_has '\(END\)'; then
      tm send-keys -t "$T" q
      finish
      T_LESS+=("$ELAPSED")
    else
      echo "less +G: never showed (END); skipping less" >&2
      LESS_OK=0
      tm send-keys -t "$T" q
      finish || true
    fi
  fi

  start "cat $DATA | $REFLOW -E --on-exit none"
  finish
  ((STATUS == 0)) || die "reflow -E exited with status $STATUS"
  T_REFLOW+=("$ELAPSED")
  echo "run $r: cat $(last "${T_CAT[@]}") s, wc -l $(last "${T_WC[@]}") s," \
    "less +G $(last "${T_LESS[@]}") s, reflow -E $(last "${T_REFLOW[@]}") s" >&2
done
CAT=$(min "${T_CAT[@]}")
WC=$(min "${T_WC[@]}")
REF=$(min "${T_REFLOW[@]}")
LESS_T=$( ((${#T_LESS[@]})) && min "${T_LESS[@]}" || echo "")

# --- goal 3: memory holding the input ---------------------------------------------
# proc_kb PID FIELD: a /proc/PID/status field in kB.
proc_kb() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"; }

start "cat $DATA | $REFLOW"
wait_until "$TIMEOUT" bottom_has "(^|[^0-9])$DATA_LINES lines" ||
  die "reflow's status bar never showed $DATA_LINES lines: $(bottom_row)"
wait_until "$TIMEOUT" bottom_has 'EOF' || die "reflow's status bar never showed EOF: $(bottom_row)"
REFLOW_PID=$(pid_of reflow) || die "cannot find the reflow process"
REFLOW_STATUS_BAR=$(bottom_row | sed 's/  */ /g')
EOF_RSS_KB=$(proc_kb "$REFLOW_PID" VmRSS)
# Once input is quiet, reflow compresses the sealed part of its history (a
# few hundred ms of CPU for 100 MB). Memory and idle CPU are measured after
# that: when its CPU time has not moved for a whole second.
run_ns() { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { print s + 0 }'; }
settle_start=$(now)
settled() {
  local before after
  before=$(run_ns "$REFLOW_PID")
  sleep 1
  after=$(run_ns "$REFLOW_PID")
  [ "$before" = "$after" ]
}
wait_until "$TIMEOUT" settled || die "reflow never settled"
SETTLE_S=$(calc "$(now) - $settle_start - 1" %.2f)
RSS_KB=$(proc_kb "$REFLOW_PID" VmRSS)
HWM_KB=$(proc_kb "$REFLOW_PID" VmHWM)
ANON_KB=$(proc_kb "$REFLOW_PID" RssAnon)
FILE_KB=$(proc_kb "$REFLOW_PID" RssFile)
THREADS=$(proc_kb "$REFLOW_PID" Threads)

# --- goal 6: latency (reflow is not used here; a fresh one reads a FIFO) --------
# --- goal 5: idle CPU, with reflow sitting on the 1M lines ----------------------
# cpu_ticks PID: utime + stime (fields 14 and 15 of /proc/PID/stat).
cpu_ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }
# run_ns PID (defined above): the run time of every thread, in ns (schedstat).
HZ=$(getconf CLK_TCK)
ticks0=$(cpu_ticks "$REFLOW_PID")
ns0=$(run_ns "$REFLOW_PID")
sleep "$IDLE_S" # the measurement itself: nothing arrives for IDLE_S seconds
ticks1=$(cpu_ticks "$REFLOW_PID")
ns1=$(run_ns "$REFLOW_PID")
IDLE_MS=$(calc "($ticks1 - $ticks0) * 1000 / $HZ" %.0f)
IDLE_NS_MS=$(calc "($ns1 - $ns0) / 1e6" %.2f)
IDLE_GOAL=$(calc "20 * $IDLE_S / 10")

# --- quit ------------------------------------------------------------------------
tm send-keys -t "$T" q
QUIT_STATUS=timeout
if wait_until 10 test -e "$RESULT"; then
  finish
  QUIT_STATUS=$STATUS
fi
[[ -d /proc/$REFLOW_PID ]] && QUIT_STATUS="still running"

# --- less holding the same input ----------------------------------------------------
LESS_RSS_KB=""
if ((LESS_OK)); then
  start "cat $DATA | less"
  wait_until "$TIMEOUT" bottom_has '^:' || true
  tm send-keys -t "$T" G
  if wait_until "$TIMEOUT" bottom_has '\(END\)' && LESS_PID=$(pid_of less); then
    LESS_RSS_KB=$(proc_kb "$LESS_PID" VmRSS)
    LESS_HWM_KB=$(proc_kb "$LESS_PID" VmHWM)
    LESS_ANON_KB=$(proc_kb "$LESS_PID" RssAnon)
    LESS_FILE_KB=$(proc_kb "$LESS_PID" RssFile)
  else
    echo "less never reached (END); no less memory" >&2
  fi
  tm send-keys -t "$T" q
  finish
fi

# --- goal 6: latency of one line to an idle display ------------------------------
# A fresh reflow reads a FIFO the script holds open. After it has drawn and
# gone idle, each marker line is written and the pane is polled until the
# marker is on the screen. The same with cat instead of reflow measures the
# overhead of the measurement itself (tmux, capture-pane).
FIFO=$WORK/fifo
mkfifo "$FIFO"
latency() { # latency CMD PROBES -> LAT (median ms) LAT_MAX (ms)
  local cmd=$1 probes=$2 i t0 t1
  local -a lat=()
  exec 7<>"$FIFO"
  start "$cmd <$FIFO"
  echo "ready" >&7
  wait_until "$TIMEOUT" screen_has "ready" || die "latency: '$cmd' never showed its input"
  for ((i = 1; i <= probes; i++)); do
    sleep 0.2 # idle: the frame-rate limit is long over
    local marker="marker-$i-$RANDOM"
    t0=$EPOCHREALTIME
    echo "$marker" >&7
    # No sleep: each capture-pane round trip takes a few ms by itself.
    until screen_has "$marker"; do
      ((${t0%.*} + TIMEOUT > ${EPOCHREALTIME%.*})) || die "latency: marker $i never shown"
    done
    t1=$EPOCHREALTIME
    lat+=("$(calc "($t1 - $t0) * 1000" %.1f)")
  done
  exec 7>&-
  LAT=$(printf '%s\n' "${lat[@]}" | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
  LAT_MAX=$(printf '%s\n' "${lat[@]}" | sort -g | tail -n 1)
}
PROBES=${PROBES:-9}
latency "cat" "$PROBES"
LAT_CAT=$LAT LAT_CAT_MAX=$LAT_MAX
finish
latency "$REFLOW --on-exit none" "$PROBES"
LAT_REFLOW=$LAT LAT_REFLOW_MAX=$LAT_MAX
tm send-keys -t "$T" q
wait_until 10 test -e "$RESULT" || true
FRAME_MS=16.7

# --- the table ---------------------------------------------------------------------
verdict() { awk "BEGIN { exit !($1) }" && echo PASS || echo FAIL; }
row() { printf '%-34s %14s %16s %9s %10s  %s\n' "$@"; }
echo
echo "reflow terminal benchmarks: ${WIDTH}x$HEIGHT tmux, $DATA_LINES lines, $BYTES bytes, best of $RUNS"
row "measure" "value" "baseline" "ratio" "goal" "verdict"
row "cat file (terminal renders all)" "$CAT s" "-" "-" "-" "-"
row "cat file | wc -l (floor)" "$WC s" "-" "-" "-" "-"
if [[ -n $LESS_T ]]; then
  row "cat file | less +G, q" "$LESS_T s" "cat $CAT s" "$(calc "$LESS_T / $CAT" %.3f)" "-" "info"
fi
r1=$(calc "$REF / $CAT" %.3f)
r2=$(calc "$REF / $WC" %.3f)
row "1 ingest: reflow -E vs cat" "$REF s" "cat $CAT s" "$r1" "<= 0.08" "$(verdict "$r1 <= 0.08")"
row "1 ingest: reflow -E vs wc -l" "$REF s" "wc $WC s" "$r2" "<= 3" "$(verdict "$r2 <= 3")"
rm1=$(calc "$RSS_KB * 1024 / $BYTES" %.3f)
row "3 memory: reflow VmRSS" "$RSS_KB kB" "input $BYTES B" "$rm1" "<= 1.02" "$(verdict "$rm1 <= 1.02")"
row "  VmRSS at EOF, before compaction" "$EOF_RSS_KB kB" "input $BYTES B" "$(calc "$EOF_RSS_KB * 1024 / $BYTES" %.3f)" "-" "info"
row "  compaction after EOF (settle)" "$SETTLE_S s" "-" "-" "-" "info"
row "  reflow VmHWM (peak)" "$HWM_KB kB" "input $BYTES B" "$(calc "$HWM_KB * 1024 / $BYTES" %.3f)" "-" "info"
row "  reflow RssAnon (heap, history)" "$ANON_KB kB" "input $BYTES B" "$(calc "$ANON_KB * 1024 / $BYTES" %.3f)" "-" "info"
row "  reflow RssFile (binary, libc)" "$FILE_KB kB" "input $BYTES B" "$(calc "$FILE_KB * 1024 / $BYTES" %.3f)" "-" "info"
if [[ -n $LESS_RSS_KB ]]; then
  row "  less VmRSS (same input)" "$LESS_RSS_KB kB" "input $BYTES B" "$(calc "$LESS_RSS_KB * 1024 / $BYTES" %.3f)" "(1.03)" "info"
  row "  less VmHWM (peak)" "$LESS_HWM_KB kB" "input $BYTES B" "$(calc "$LESS_HWM_KB * 1024 / $BYTES" %.3f)" "-" "info"
  row "  less RssAnon / RssFile" "$LESS_ANON_KB kB" "$LESS_FILE_KB kB" "$(calc "$LESS_ANON_KB * 1024 / $BYTES" %.3f)" "-" "info"
fi
row "5 idle CPU in ${IDLE_S} s (ticks)" "$IDLE_MS ms" "-" "-" "<= $IDLE_GOAL ms" "$(verdict "$IDLE_MS <= $IDLE_GOAL")"
row "  idle CPU (schedstat, all threads)" "$IDLE_NS_MS ms" "-" "-" "<= $IDLE_GOAL ms" "$(verdict "$IDLE_NS_MS <= $IDLE_GOAL")"
lat_net=$(calc "$LAT_REFLOW - $LAT_CAT" %+.1f)
row "6 latency, median of $PROBES" "$LAT_REFLOW ms" "cat $LAT_CAT ms" "$lat_net ms" "<= +$FRAME_MS" "$(verdict "$lat_net <= $FRAME_MS")"
row "  latency, worst of $PROBES" "$LAT_REFLOW_MAX ms" "cat $LAT_CAT_MAX ms" "-" "-" "info"
row "q quits (exit status)" "$QUIT_STATUS" "0" "-" "0" "$(verdict "\"$QUIT_STATUS\" == \"0\"")"
echo
echo "runs (s): cat ${T_CAT[*]} | wc -l ${T_WC[*]} | less +G ${T_LESS[*]} | reflow -E ${T_REFLOW[*]}"
echo "reflow holding the input: pid $REFLOW_PID, $THREADS threads, $(calc "$ns1 / 1e6" %.1f) ms CPU in all" \
  "(ingest and draw, then ${IDLE_S} s idle); status bar:$REFLOW_STATUS_BAR"
