#!/usr/bin/env bash
# Issue 11, item 5: how much memory reflow holds for a piped history, beside
# less holding the same pipe. Each input is piped into reflow (TUI, no -E, so
# it stays up) in a detached 200x50 tmux pane on a private socket; once the
# process has settled (every line in, compaction done: VmRSS unchanged for a
# second) its VmRSS is read from /proc. Then the same for less (G to read to
# the end of the pipe).
#
#   scripts/bench-memory.sh                       # 1,000,000 lines of each input
#   LINES_N=100000 scripts/bench-memory.sh        # a quick run
#
# Inputs, generated into the temporary directory:
#   logs    varied service logs: timestamps, levels, services, request ids
#           (UUIDs), trace ids, hex addresses, IPv4 addresses and ports,
#           durations, HTTP methods, paths and statuses, sizes
#   words   lines of words picked at random, one choice per word, from
#           /usr/share/dict/words if present, else from 50,000 generated
#           words of 2-12 random letters
#   empty   no input at all (`true |`): the fixed cost of the process
#           (binary, libc, threads, terminal state), which counts in the ratios
#
# Environment:
#   LINES_N   lines of each input (default 1000000)
#   INPUTS    which inputs to run (default "empty logs words")
#   REFLOW    the reflow binary (default ./target/release/reflow, built first;
#             with CARGO_TARGET_DIR set, the one there)
#   NO_BUILD  set to 1 to skip `cargo build --release`
#   NO_LESS   set to 1 to skip less
#   TIMEOUT   seconds any one step may take before the script gives up (180)
set -euo pipefail
cd "$(dirname "$0")/.."

LINES_N=${LINES_N:-1000000}
INPUTS=${INPUTS:-empty logs words}
TIMEOUT=${TIMEOUT:-180}
WIDTH=200
HEIGHT=50
POLL=0.05

for tool in tmux awk less; do
  command -v "$tool" >/dev/null || { echo "bench-memory: needs $tool" >&2; exit 1; }
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/reflow-mem.XXXXXX")
SOCKET="reflow-mem-$$"
T="mem:0.0"
cleanup() {
  tmux -L "$SOCKET" kill-server 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

tm() { tmux -L "$SOCKET" "$@"; }
calc() { awk "BEGIN { printf \"${2:-%.6g}\", $1 }"; }
die() {
  echo "bench-memory: $*" >&2
  tm capture-pane -p -t "$T" 2>/dev/null | grep -v '^$' | tail -5 >&2 || true
  exit 1
}
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
  REFLOW=${CARGO_TARGET_DIR:-$PWD/target}/release/reflow
  if [[ ${NO_BUILD:-0} != 1 ]]; then
    echo "building: cargo build --release" >&2
    cargo build --release --quiet
  fi
fi
[[ -x $REFLOW ]] || die "no reflow binary at $REFLOW"

# --- inputs ------------------------------------------------------------------
gen_logs() {
  awk -v n="$LINES_N" 'BEGIN {
    srand(11)
    nl = split("INFO INFO INFO INFO INFO INFO DEBUG DEBUG DEBUG WARN ERROR TRACE", lv, " ")
    ns = split("api-gateway auth-svc billing orders inventory search-indexer notifier payments sessions media-proxy", sv, " ")
    nm = split("GET GET GET GET POST POST PUT DELETE PATCH HEAD", me, " ")
    nst = split("200 200 200 200 200 200 201 204 301 304 400 401 403 404 404 409 429 500 502 503", st, " ")
    np = split("/api/v1/users /api/v1/users/%d/profile /api/v2/orders/%d /api/v2/orders/%d/items /api/v1/carts/%d /healthz /metrics /static/js/app.%x.js /static/css/main.%x.css /api/v1/search /api/v1/sessions/%d /api/v3/inventory/sku/%d /login /logout /api/v1/payments/%d/refund", pa, " ")
    nu = split("curl/8.5.0 Mozilla/5.0 okhttp/4.12.0 python-requests/2.31.0 Go-http-client/1.1 kube-probe/1.29", ua, " ")
    nq = split("SELECT * FROM users WHERE id = $1|UPDATE orders SET status = $1 WHERE id = $2|INSERT INTO events (kind, payload) VALUES ($1, $2)|SELECT count(*) FROM sessions WHERE expires_at < now()|DELETE FROM carts WHERE updated_at < $1", q, "|")
    ne = split("connection reset by peer|deadline exceeded|upstream connect error or disconnect/reset before headers|no healthy upstream|certificate verify failed|broken pipe|too many open files", er, "|")
    t = 1715904000000
    for (i = 0; i < n; i++) {
      t += int(rand() * rand() * 60)
      ms = t % 1000; s = int(t / 1000)
      ts = sprintf("2024-05-17T%02d:%02d:%02d.%03d%03dZ", int(s / 3600) % 24, int(s / 60) % 60, s % 60, ms, int(rand() * 1000))
      L = lv[1 + int(rand() * nl)]
      S = sv[1 + int(rand() * ns)]
      pid = 1000 + (i * 7 + int(rand() * 3)) % 29
      head = sprintf("%s %-5s %s[%d]:", ts, L, S, pid)
      k = rand()
      if (k < 0.45) {
        p = sprintf(pa[1 + int(rand() * np)], int(rand() * 900000) + 1000)
        line = sprintf("%s request_id=%s method=%s path=%s status=%s duration=%.3fms bytes=%d client=%s:%d ua=\"%s\"", head, uuid(), me[1 + int(rand() * nm)], p, st[1 + int(rand() * nst)], rand() * rand() * 800, int(rand() * 40000), ip(), 1024 + int(rand() * 64000), ua[1 + int(rand() * nu)])
      } else if (k < 0.65) {
        line = sprintf("%s db.pool conn=0x%04x%04x%04x query=\"%s\" rows=%d took=%.2fms trace_id=%s", head, 32767, int(rand() * 65536), int(rand() * 65536) - int(rand() * 65536) % 16, q[1 + int(rand() * nq)], int(rand() * 500), rand() * 120, hex(16))
      } else if (k < 0.78) {
        line = sprintf("%s worker-%d job=%d kind=%s attempt=%d elapsed=%.1fs queue_depth=%d span=%s", head, int(rand() * 16), 4000000 + i * 3 + int(rand() * 3), sv[1 + int(rand() * ns)], 1 + int(rand() * rand() * 4), rand() * 30, int(rand() * 300), hex(16))
      } else if (k < 0.88) {
        line = sprintf("%s upstream %s:%d %s after %dms retry=%d/%d request_id=%s", head, ip(), 8000 + int(rand() * 100), er[1 + int(rand() * ne)], int(rand() * 5000), int(rand() * 3), 3, uuid())
      } else if (k < 0.95) {
        line = sprintf("%s cache %s key=user:%d:%s ttl=%ds size=%dB shard=%d", head, rand() < 0.7 ? "hit" : "miss", int(rand() * 1000000), rand() < 0.5 ? "profile" : "settings", int(rand() * 3600), int(rand() * 9000), int(rand() * 64))
      } else {
        line = sprintf("%s gc pause=%.3fms heap=%dMiB alloc=0x7f%04x%04x%02x00 objects=%d sweep=%s", head, rand() * 12, 200 + int(rand() * 1800), int(rand() * 65536), int(rand() * 65536), int(rand() * 256), int(rand() * 9000000), rand() < 0.5 ? "concurrent" : "stw")
      }
      print line
    }
  }
  function hex(d,    r, j) { r = ""; for (j = 0; j < d; j += 4) r = r sprintf("%04x", int(rand() * 65536)); return substr(r, 1, d) }
  function uuid() { return sprintf("%s-%s-4%s-%s-%s", hex(8), hex(4), hex(3), hex(4), hex(12)) }
  function ip() { return rand() < 0.6 ? sprintf("10.%d.%d.%d", int(rand() * 4), int(rand() * 256), 1 + int(rand() * 254)) : sprintf("%d.%d.%d.%d", 1 + int(rand() * 223), int(rand() * 256), int(rand() * 256), 1 + int(rand() * 254)) }'
}

gen_words() {
  local dict=/usr/share/dict/words
  if [[ ! -r $dict ]]; then
    dict=$WORK/words.txt
    awk 'BEGIN {
      srand(5)
      for (i = 0; i < 50000; i++) {
        len = 2 + int(rand() * 11); w = ""
        for (j = 0; j < len; j++) w = w sprintf("%c", 97 + int(rand() * 26))
        print w
      }
    }' >"$dict"
  fi
  awk -v n="$LINES_N" 'BEGIN { srand(3) }
    { w[NR] = $0 }
    END {
      for (i = 0; i < n; i++) {
        k = 4 + int(rand() * 14); line = w[1 + int(rand() * NR)]
        for (j = 1; j < k; j++) line = line " " w[1 + int(rand() * NR)]
        print line
      }
    }' "$dict"
}

# --- the terminal --------------------------------------------------------------
cat >"$WORK/tmux.conf" <<'EOF'
set -g status off
set -g history-limit 2000
EOF
export LESS='' LESSHISTFILE=- LESSOPEN='' LESSCLOSE=''
tm -f "$WORK/tmux.conf" new-session -d -s mem -x "$WIDTH" -y "$HEIGHT" \
  "env PS1='$ ' bash --norc --noprofile"
size=$(tm display -p -t "$T" '#{pane_width}x#{pane_height}')
[[ $size == "${WIDTH}x$HEIGHT" ]] || die "pane is $size, not ${WIDTH}x$HEIGHT"
PANE_PID=$(tm display -p -t "$T" '#{pane_pid}')

bottom_has() { tm capture-pane -p -t "$T" -S $((HEIGHT - 1)) -E $((HEIGHT - 1)) | grep -qE -- "$1"; }
proc_kb() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"; }
# pid_of NAME: the NAME process in the pane's pipeline (a child of its shell).
pid_of() { pgrep -x -P "$PANE_PID" "$1" | head -n 1; }
at_prompt() { ! pgrep -P "$PANE_PID" >/dev/null; }

# settle PID: waits until PID's VmRSS has not changed for a whole second
# (every line in, compaction done), and its input has ended (no `cat` left
# in the pipeline).
settle() {
  local pid=$1 before after
  wait_until "$TIMEOUT" bash -c "! pgrep -x -P $PANE_PID cat >/dev/null" || die "the input never ended"
  before=$(proc_kb "$pid" VmRSS)
  local deadline=$((SECONDS + TIMEOUT))
  while :; do
    sleep 1
    after=$(proc_kb "$pid" VmRSS)
    [[ $after == "$before" ]] && break
    before=$after
    ((SECONDS < deadline)) || die "pid $pid never settled"
  done
}

# hold NAME CMD KEYS: runs CMD in the pane, sends KEYS once it is up, waits
# until it has settled, and prints "VmRSS VmHWM RssAnon RssFile" (kB).
hold() {
  local name=$1 cmd=$2 keys=$3 pid
  tm send-keys -t "$T" -l "clear; $cmd"
  tm send-keys -t "$T" Enter
  wait_until "$TIMEOUT" pid_of "$name" >/dev/null || die "$name never started"
  pid=$(pid_of "$name")
  if [[ -n $keys ]]; then
    sleep 0.5
    tm send-keys -t "$T" "$keys"
  fi
  settle "$pid"
  echo "$(proc_kb "$pid" VmRSS) $(proc_kb "$pid" VmHWM) $(proc_kb "$pid" RssAnon) $(proc_kb "$pid" RssFile)"
  tm send-keys -t "$T" q
  wait_until 20 at_prompt || die "$name did not quit"
}

row() { printf '%-7s %10s %12s %11s %6s %11s %6s  %s\n' "$@"; }
echo "reflow $REFLOW, ${WIDTH}x$HEIGHT tmux $(tmux -V | cut -d' ' -f2), $LINES_N lines an input; kB = KiB"
row input "lines" "bytes" "reflow kB" "ratio" "less kB" "ratio" "reflow VmHWM / RssAnon / RssFile kB"
for input in $INPUTS; do
  data=$WORK/$input.txt
  case $input in
  empty) : >"$data" ;;
  logs) gen_logs >"$data" ;;
  words) gen_words >"$data" ;;
  *) die "unknown input $input" ;;
  esac
  bytes=$(wc -c <"$data")
  lines=$(wc -l <"$data")
  result=$(hold reflow "cat $data | $REFLOW" "")
  read -r rss hwm anon file <<<"$result"
  ratio=$( ((bytes)) && calc "$rss * 1024 / $bytes" %.3f || echo -)
  lrss=- lratio=-
  if [[ ${NO_LESS:-0} != 1 ]]; then
    result=$(hold less "cat $data | less" G)
    read -r lrss _ <<<"$result"
    lratio=$( ((bytes)) && calc "$lrss * 1024 / $bytes" %.3f || echo -)
  fi
  row "$input" "$lines" "$bytes" "$rss" "$ratio" "$lrss" "$lratio" "$hwm / $anon / $file"
  rm -f "$data"
done
