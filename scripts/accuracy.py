#!/usr/bin/env python3
"""Measure how well reflow detects log levels, file by file, against the
corpus in tests/fixtures/logs.

    python3 scripts/accuracy.py path/to/reflow [tests/fixtures/logs] [--show-wrong N]

The corpus is pairs NAME.log / NAME.levels: one line of NAME.levels per line
of NAME.log, the true level class of that line (record-aware: a stack-trace
line has the level of its record), one of error warn info debug trace none.
A file whose truth is `none` on every line is a *non-log* file (a man page,
a README, source code, a CSV); every other file is a *log* file.

reflow is measured only through its public interface: `reflow --level LEVEL
FILE`, with stdout a pipe, writes byte for byte the lines of the records at
LEVEL or above, each record whole, in input order, and a text with no levels
at all passes whole.  So each file is run at the five thresholds error, warn,
info, debug and trace, and each output is aligned with the input: outputs are
ordered subsequences of the input, so both are walked with an index,
comparing whole lines as bytes (a line is the bytes up to a newline, without
it; see "Alignment" below for lines whose text repeats).  An output line that
does not occur, in order, in the input makes that file fail.

Detected level of a line, the rules:

 1. It is the highest threshold whose output contains the line: a line in
    the `warn` output but not in the `error` output was detected as warn.
 2. A line in no output at all is "lost": always wrong.
 3. If the `error` output is the whole input, the tool found no levels (or
    took every line for an error: the interface cannot tell these apart).
    In a non-log file this means `none` for every line: correct.  In a log
    file, rule 1 applies: every line counts as detected error.
 4. Otherwise a non-log file's lines are judged by rule 1 too, so none of
    them is correct, and those detected as error (kept at every threshold)
    are "taken for errors".  A non-log file passes only if `--level error`
    outputs it whole.
 5. A line whose truth is `none` inside a log file (logcat's "--------- beginning
    of main", a journal entry without PRIORITY) is not scored: through this
    interface an unlevelled record that is never filtered looks like an
    error.  Such lines are reported as "unscored".

Alignment.  The outputs are aligned from the lowest threshold up: `trace`
against the input, then each higher output against the lines the one below
kept (they are nested; if one is not, it is aligned against the whole input
and the file is marked "outputs not nested").  Where a line's text occurs
more than once, the placement with the fewest runs of consecutive lines is
taken, since records are printed whole: a record head that repeats an
earlier head exactly (java.util.logging prints the same "Dec 03, 2026
4:49:02 PM Main run" for every record in a second) goes next to the rest of
its record.  Between placements with as few runs, one whose runs (and
whose dropped stretches) start with lines that look like record heads wins
(a date, a bracket, a month name...: HEAD below, used for nothing else);
then one that extends a run.  So a repeated stack frame, blank line or
second line of a message stays with the record it belongs to.

Output: a table of file, lines, correct, % correct and, for non-log files,
the lines taken for errors (the goal is 0).  Exit status 1 if any log file is
below 99% correct or any non-log file has a line taken for errors (or a file
could not be measured), else 0.  --show-wrong N prints up to N wrong lines
per file with truth and detected level, and a count of each kind of mistake.
"""
import argparse
import bisect
import collections
import os
import re
import subprocess
import sys

THRESHOLDS = ["error", "warn", "info", "debug", "trace"]  # highest first
CLASSES = set(THRESHOLDS) | {"none"}
LOG_PASS = 99.0
# Only to break ties in the alignment (never to detect a level): lines that
# look like the first line of a record start with a digit (a date, a time,
# an Android month-day), "[", "{" or "<" (bracketed times, JSON, syslog
# PRI), a month or weekday name, a glog/klog letter+digits, or key=.
HEAD = re.compile(rb"[0-9\[{<]|(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec|Mon|Tue|Wed|Thu|Fri|Sat|Sun)\b|[IWEFDV][0-9]{4}|[A-Za-z_]+=")


def split_lines(data):
    """Lines of `data` without their newline; a final newline ends the last line."""
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    return lines


def align(inp, out, allowed=None):
    """Mark which input lines `out` contains.  Returns (kept, None) or, if
    `out` is not an ordered subsequence of `inp` (restricted to the indices in
    `allowed`, if given), (None, index of the first output line that could
    not be placed).

    Of all the ways to place `out` in `inp`, this takes one with the fewest
    runs of consecutive input lines: records are whole and contiguous, and a
    record head that repeats an earlier line's text exactly (java.util.logging
    prints the same "Dec 03, 2026 4:49:02 PM Main run" line for every record
    of a second) must be placed next to the rest of its record, not on the
    first equal line.  Between placements with as few runs, one whose runs
    and dropped stretches start with lines that look like record heads (see
    HEAD) wins, then one that extends a run."""
    n, m = len(inp), len(out)
    kept = [False] * n
    if m == 0:
        return kept, None
    occ = collections.defaultdict(list)
    for i in (range(n) if allowed is None else allowed):
        occ[inp[i]].append(i)
    # First the plain greedy walk: it tells whether `out` fits at all, and where not.
    pos = 0
    for k, line in enumerate(out):
        c = occ.get(line, ())
        j = bisect.bisect_left(c, pos)
        if j == len(c):
            return None, k
        pos = c[j] + 1
    if sum(len(occ[line]) for line in out) > 4_000_000:  # pathological repetition: keep the greedy walk
        pos = 0
        for line in out:
            c = occ[line]
            i = c[bisect.bisect_left(c, pos)]
            kept[i] = True
            pos = i + 1
        return kept, None
    # Dynamic programme over (output line k, input index i).  Cost: (runs,
    # runs that start with, or dropped stretches that start with, a line that
    # does not look like a record head).  Printed records are whole, so a run
    # starts at a record head and the line after a run is the head of a
    # record that was not printed.
    def cont(i):
        return i < n and not HEAD.match(inp[i])

    idx = list(occ[out[0]])
    cost = [(1, int(cont(i))) for i in idx]
    backs = [None]
    for k in range(1, m):
        cand = occ[out[k]]
        nidx, ncost, nback = [], [], []
        p, best, best_at = 0, None, -1
        for i in cand:
            while p < len(idx) and idx[p] < i - 1:  # predecessors that leave a gap
                c = (cost[p][0] + 1, cost[p][1] + cont(idx[p] + 1))
                if best is None or c < best:
                    best, best_at = c, p
                p += 1
            if best_at >= 0:
                c, b = (best[0], best[1] + cont(i)), best_at
            else:
                c, b = None, -1
            if p < len(idx) and idx[p] == i - 1 and (c is None or cost[p] <= c):  # right after the previous line
                c, b = cost[p], p
            if b >= 0:
                nidx.append(i)
                ncost.append(c)
                nback.append(b)
        if not nidx:
            return None, k
        idx, cost = nidx, ncost
        backs.append((idx, nback))
    j = min(range(len(idx)), key=lambda q: ((cost[q][0], cost[q][1] + cont(idx[q] + 1)), idx[q]))
    for k in range(m - 1, 0, -1):
        ks, kb = backs[k]
        kept[ks[j]] = True
        j = kb[j]
    kept[occ[out[0]][j]] = True
    return kept, None


def run(reflow, level, path):
    p = subprocess.run([reflow, "--level", level, path], stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300)
    if p.returncode != 0:
        msg = p.stderr.decode("utf-8", "replace").strip().splitlines()
        raise RuntimeError("`reflow --level %s` exited %d%s" % (level, p.returncode, (": " + msg[0]) if msg else ""))
    return p.stdout


def measure(reflow, path, levels_path):
    """Returns a dict describing the file's result."""
    with open(path, "rb") as f:
        inp = split_lines(f.read())
    with open(levels_path, "rb") as f:
        truth = [t.strip().decode("ascii", "replace") for t in split_lines(f.read())]
    if len(truth) != len(inp):
        raise RuntimeError("%s has %d lines but %s has %d" % (os.path.basename(path), len(inp), os.path.basename(levels_path), len(truth)))
    bad = sorted({t for t in truth if t not in CLASSES})
    if bad:
        raise RuntimeError("unknown level classes in %s: %s" % (os.path.basename(levels_path), ", ".join(bad)))
    nonlog = all(t == "none" for t in truth)

    # Align from the lowest threshold up: each output is placed among the lines
    # that the next lower threshold kept (outputs are nested), which settles
    # most repeated lines; an output that is not nested is placed in the whole input.
    kept = {}
    nested = True
    allowed = None
    for level in reversed(THRESHOLDS):
        out = split_lines(run(reflow, level, path))
        k, at = align(inp, out, allowed)
        if k is None and allowed is not None:
            nested = False
            k, at = align(inp, out)
        if k is None:
            raise RuntimeError("--level %s output line %d is not in the input, in order: %r" % (level, at + 1, out[at][:100]))
        kept[level] = k
        allowed = [i for i in range(len(inp)) if k[i]]

    whole = all(kept["error"])
    detected = []
    for i in range(len(inp)):
        if nonlog and whole:
            detected.append("none")  # rule 3
            continue
        d = "lost"  # rule 2
        for level in THRESHOLDS:  # rule 1: highest threshold that kept it
            if kept[level][i]:
                d = level
                break
        detected.append(d)

    scored = correct = unscored = 0
    wrong = []
    for i, (t, d) in enumerate(zip(truth, detected)):
        if t == "none" and not nonlog:
            unscored += 1  # rule 5
            continue
        scored += 1
        if t == d:
            correct += 1
        else:
            wrong.append((i, t, d))
    taken = sum(1 for d in detected if d == "error") if nonlog else None
    pct = 100.0 * correct / scored if scored else 100.0
    ok = (taken == 0) if nonlog else (pct >= LOG_PASS)
    return dict(nested=nested, lines=len(inp), scored=scored, correct=correct, pct=pct, unscored=unscored,
                nonlog=nonlog, taken=taken, wrong=wrong, inp=inp, ok=ok, detected=detected)


def show(line, width=110):
    s = line.decode("utf-8", "backslashreplace")
    return s if len(s) <= width else s[:width - 3] + "..."


def main():
    ap = argparse.ArgumentParser(description="Level-detection accuracy of reflow on a corpus of real logs.",
                                 epilog="Rules: see the docstring at the top of this script.")
    ap.add_argument("reflow", help="path to the reflow binary")
    ap.add_argument("corpus", nargs="?", default=None, help="directory of NAME.log + NAME.levels (default: tests/fixtures/logs)")
    ap.add_argument("--show-wrong", type=int, default=0, metavar="N", help="print up to N wrong lines per file")
    args = ap.parse_args()
    corpus = args.corpus or os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "logs")
    reflow = os.path.abspath(args.reflow) if os.path.exists(args.reflow) else args.reflow  # else: looked up in PATH

    names = sorted(n[:-4] for n in os.listdir(corpus) if n.endswith(".log") and os.path.isfile(os.path.join(corpus, n[:-4] + ".levels")))
    if not names:
        print("no NAME.log with a NAME.levels in %s" % corpus, file=sys.stderr)
        return 2
    width = max(len(n) for n in names) + 6
    print("%-*s %6s %7s %9s %8s  %s" % (width, "file", "lines", "correct", "% correct", "as error", ""))
    passed = failed = 0
    for name in names:
        path = os.path.join(corpus, name + ".log")
        try:
            r = measure(reflow, path, os.path.join(corpus, name + ".levels"))
        except (RuntimeError, OSError, subprocess.TimeoutExpired) as e:
            print("%-*s FAILED: %s" % (width, name + ".log", e))
            failed += 1
            continue
        note = []
        if r["nonlog"]:
            note.append("non-log")
        if not r["nested"]:
            note.append("outputs not nested")
        if r["unscored"]:
            note.append("%d unscored" % r["unscored"])
        if not r["ok"]:
            note.append("FAIL")
        print("%-*s %6d %7d %8.2f%% %8s  %s" % (width, name + ".log", r["lines"], r["correct"], r["pct"],
                                                  "" if r["taken"] is None else r["taken"], ", ".join(note)))
        if args.show_wrong and r["wrong"]:
            kinds = collections.Counter((t, d) for _, t, d in r["wrong"])
            print("    mistakes: " + ", ".join("%s as %s: %d" % (t, d, n) for (t, d), n in kinds.most_common()))
            for i, t, d in r["wrong"][:args.show_wrong]:
                print("    %6d  truth %-5s detected %-5s | %s" % (i + 1, t, d, show(r["inp"][i])))
        if r["ok"]:
            passed += 1
        else:
            failed += 1
    print("accuracy: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
