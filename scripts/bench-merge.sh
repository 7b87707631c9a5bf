#!/bin/sh
# The cost of `reflow --merge a.log b.log > out` against `sort -m` on the
# same keys: two logs of SIZE_MB each (default 500) whose first field is an
# RFC 3339 time, interleaved, one record in twenty with a three-line stack
# trace (which sort would split, and reflow keeps whole). Prints both times
# and the ratio (goal: at most 2x).
#
#     scripts/bench-merge.sh [path/to/reflow]     # SIZE_MB=100 for a quick run
#
# The logs are written once into $BENCH_DIR (default: a temporary
# directory, removed at the end) and read from the page cache by both.
set -eu
reflow=${1:-target/release/reflow}
size=${SIZE_MB:-500}
dir=${BENCH_DIR:-$(mktemp -d)}
keep=${BENCH_DIR:+yes}
trap '[ -n "$keep" ] || rm -rf "$dir"' EXIT

gen() { # NAME OFFSET_MS
    python3 - "$dir/$1.log" "$size" "$2" <<'EOF'
import sys, time
path, size, offset = sys.argv[1], int(sys.argv[2]) << 20, int(sys.argv[3])
base = 1796313600 * 1000  # 2026-12-03T16:00:00Z, in ms
out, written, i = [], 0, 0
with open(path, "w") as f:
    while written < size:
        s, m = divmod(base + offset + 2 * i, 1000)
        t = time.gmtime(s)
        line = "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ INFO service.worker[%d]: handled request %d in %d ms from 10.0.%d.%d\n" % (
            t[0], t[1], t[2], t[3], t[4], t[5], m, i % 97, i, i % 500, i % 256, i % 200)
        if i % 20 == 0:
            line += "java.lang.IllegalStateException: boom\n\tat a.B.c(B.java:12)\n\tat a.D.e(D.java:34)\n"
        out.append(line)
        written += len(line)
        i += 1
        if len(out) >= 10000:
            f.write("".join(out))
            out = []
    f.write("".join(out))
EOF
}

[ -s "$dir/a.log" ] || gen a 0
[ -s "$dir/b.log" ] || gen b 1
cat "$dir/a.log" "$dir/b.log" > /dev/null

now() { date +%s.%N; }
secs() { echo "$2 - $1" | bc; }

t0=$(now)
LC_ALL=C sort -m -s -k1,1 "$dir/a.log" "$dir/b.log" > "$dir/sort.out"
t1=$(now)
"$reflow" --merge "$dir/a.log" "$dir/b.log" > "$dir/reflow.out"
t2=$(now)

sort=$(secs "$t0" "$t1")
merge=$(secs "$t1" "$t2")
in=$(cat "$dir/a.log" "$dir/b.log" | wc -c)
out=$(wc -c < "$dir/reflow.out")
[ "$in" -eq "$out" ] || { echo "reflow wrote $out bytes of $in" >&2; exit 1; }
printf 'logs: 2 x %s MB\nsort -m -s -k1,1: %.2f s\nreflow --merge:   %.2f s\nratio: %.2fx (goal <= 2x)\n' \
    "$size" "$sort" "$merge" "$(echo "$merge / $sort" | bc -l)"
