#!/bin/sh
# The tmux half of the width walk (issue 12, item 1). Replays, in a
# detached 20x5 tmux pane, every code point of planes 0-3 (no surrogates,
# no private use) as reflow sanitizes it, after an ASCII letter, and asks
# tmux for the cursor position (DSR, ESC[6n) to get the column advance
# tmux gives it. Compares with reflow's width and vt100's advance from
# target/tmp/widths.tsv, which tests/widths.rs writes:
#   cargo test --release --test integration -- widths:: --nocapture
# Usage: scripts/widths-tmux.sh  (exit 1 if tmux draws any code point
# wider than reflow counts). Output of a run: docs/widths-tmux.txt.
set -eu
cd "$(dirname "$0")/.."
tsv=target/tmp/widths.tsv
[ -f "$tsv" ] || cargo test --release --test integration -- widths::
out=$(mktemp -d)
trap 'tmux -L reflow-widths kill-server 2>/dev/null || true; rm -rf "$out"' EXIT
cat > "$out/probe.py" <<'PY'
import os, sys, tty
tsv, res = sys.argv[1], sys.argv[2]
rows = [l.rstrip("\n").split("\t") for l in open(tsv)]
tty.setraw(0)
fd_in, fd_out = 0, 1
pending = b""
def read_reply():
    global pending
    while b"R" not in pending:
        pending += os.read(fd_in, 65536)
    i = pending.index(b"R")
    reply, pending = pending[:i], pending[i + 1:]
    row, col = reply[reply.rindex(b"[") + 1:].split(b";")
    return int(col)
with open(res + ".tmp", "w") as f:
    for start in range(0, len(rows), 200):
        batch = rows[start:start + 200]
        os.write(fd_out, b"".join(
            b"\r\x1b[2Ka" + bytes.fromhex(r[3]) + b"\x1b[6n" for r in batch))
        for r in batch:
            f.write("%s\t%s\t%s\t%d\n" % (r[0], r[1], r[2], read_reply() - 2))
os.rename(res + ".tmp", res)
PY
start=$(date +%s)
LANG=C.UTF-8 LC_ALL=C.UTF-8 tmux -u -f /dev/null -L reflow-widths new-session -d -x 20 -y 5 \
  "python3 $out/probe.py $tsv $out/tmux.tsv"
while [ ! -f "$out/tmux.tsv" ]; do
  tmux -L reflow-widths has-session 2>/dev/null || { echo "tmux pane died" >&2; exit 1; }
  sleep 1
done
echo "tmux $(tmux -V | cut -d' ' -f2): walk took $(( $(date +%s) - start )) s"
python3 - "$out/tmux.tsv" <<'PY'
import sys
rows = [l.split() for l in open(sys.argv[1])]
n = len(rows)
wider = [r for r in rows if int(r[3]) > int(r[1])]
narrower = [r for r in rows if int(r[3]) < int(r[1])]
vt = [r for r in rows if int(r[3]) != int(r[2])]
print(f"code points checked: {n}")
print(f"tmux draws wider than reflow counts (failures): {len(wider)}")
print(f"tmux draws narrower than reflow counts (safe): {len(narrower)}")
print(f"vt100 and tmux disagree: {len(vt)}")
import unicodedata
assigned = [r for r in vt if unicodedata.category(chr(int(r[0], 16))) != "Cn"]
print(f"  of which on code points assigned in Python's Unicode {unicodedata.unidata_version}: {len(assigned)}"
      f" (the rest are unassigned: tmux 0, vt100 and reflow 1)")
fmt = lambda r: f"U+{int(r[0],16):04X} reflow={r[1]} vt100={r[2]} tmux={r[3]}"
for name, rs in [("FAILURES", wider), ("reflow wider than tmux", narrower), ("vt100 != tmux, assigned", assigned)]:
    if rs:
        print(f"-- {name} ({len(rs)}; first 200):")
        for r in rs[:200]:
            print("  " + fmt(r))
sys.exit(1 if wider else 0)
PY
