#!/usr/bin/env bash
# Issue 18, item 13: run mdbook's main job, `mdbook build`, with the
# original logger and with reflow's (built by scripts/port-mdbook.sh), log
# into a file: the two logs must be the same bytes, and the time of the
# port against the original is the ratio of their medians. Usage:
#   scripts/port-mdbook-run.sh [WORKDIR] [RUNS] [CHAPTERS]
# WORKDIR as for port-mdbook.sh (default /tmp/mdbook-port); RUNS builds of
# each, alternating (default 5); CHAPTERS in the generated book (default
# 400), each of which logs a WARN that wraps (a footnote defined twice).
# MDBOOK_LOG, when set, is passed on (e.g. `debug`, or
# `mdbook_html::html::tree=trace` for an event per markdown event).
set -euo pipefail
work=${1:-/tmp/mdbook-port}
runs=${2:-5}
chapters=${3:-400}
book=$work/book
bin=$work/bin
rm -rf "$book"
mkdir -p "$book/src"
cat >"$book/book.toml" <<'TOML'
[book]
title = "A book for the port"
TOML
{
  echo "# Summary"
  echo
  for i in $(seq 1 "$chapters"); do echo "- [Chapter $i](chapter_$i.md)"; done
} >"$book/src/SUMMARY.md"
for i in $(seq 1 "$chapters"); do
  {
    echo "# Chapter $i"
    echo
    for p in 1 2 3 4 5 6; do
      echo "Paragraph $p of chapter $i, with *emphasis*, \`code\`, a [link](chapter_$(( i % chapters + 1 )).md) and a note.[^n$p]"
      echo
    done
    echo '```rust'
    echo "fn chapter_$i() -> u32 { $i }"
    echo '```'
    echo
    for p in 1 2 3 4 5 6; do echo "[^n$p]: Note $p of chapter $i."; echo; done
    # Defined twice: mdbook warns, once for each chapter.
    echo "[^n1]: Note 1 again."
  } >"$book/src/chapter_$i.md"
done
cd "$work"
python3 - "$bin" "$book" "$runs" <<'PY'
import statistics, subprocess, sys, time
bin, book, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
sides = ["original", "ported"]
times = {s: [] for s in sides}
logs = {}
for run in range(runs):
    for side in (sides if run % 2 == 0 else sides[::-1]):
        with open(f"log-{side}", "wb") as log:
            start = time.perf_counter()
            subprocess.run([f"{bin}/mdbook-{side}", "build", book, "-d", f"{book}/out"],
                           stdout=subprocess.DEVNULL, stderr=log, check=True)
            times[side].append(time.perf_counter() - start)
        logs[side] = open(f"log-{side}", "rb").read()
same = logs["original"] == logs["ported"]
lines = logs["original"].count(b"\n")
print(f"log into a file: {len(logs['original'])} bytes, {lines} lines; "
      f"ported {'identical' if same else 'DIFFERENT'}")
for side in sides:
    print(f"{side:9} median {statistics.median(times[side]):.3f} s of {runs}: "
          + " ".join(f"{t:.3f}" for t in times[side]))
ratio = statistics.median(times["ported"]) / statistics.median(times["original"])
print(f"ported / original: {ratio:.3f}")
sys.exit(0 if same else 1)
PY
