#!/usr/bin/env python3
"""Log records, timed: `--level error` passthrough against grep, `E` (the
previous error record) against less's `?ERROR`, piped ingest into the
display with records read against `--plain` and against `cat | wc -l`,
and the display's level filter (`L`) against its text filter (`&WARN`).

The machine may be shared and busy: every figure is a RATIO against a
baseline run in this same script run, the two interleaved (A B A B ...),
and the median of the per-pair ratios is the figure (each pair ran at
about the same time, under about the same load). The load average is
printed at the start and the end.

    scripts/bench-records.py                          # 8,000,000 lines, 5 runs
    LINES_N=2000000 RUNS=3 scripts/bench-records.py
    ONLY=4 RUNS=5 scripts/bench-records.py            # only the filter figure
    DATA=/tmp/records REFLOW=target/release/reflow NO_BUILD=1 scripts/bench-records.py

1. LEVEL: `reflow --level error BIG > out` against
   `grep -E '(ERROR|FATAL)' BIG > out2`, on a log with an ERROR record
   (with a stack trace) about every 10,000 lines. Goal ratio <= 1.5.
   Checked too: every line grep found is in reflow's output, and reflow's
   output is byte for byte the ERROR records, whole (worked out with awk).
2. E: the only ERROR record is at line 1,000 of the file. In a detached
   tmux pane (200x50, on a private socket) `reflow BIG` opens at the end;
   the time from `send-keys E` until the ERROR line is on the screen,
   against `less +G BIG` where `?ERROR` is typed and the time runs from
   Enter until the line is shown (as scripts/bench-search.sh). Two
   figures: E pressed once the status bar shows the final line count (the
   background index of the file read in place complete), and E pressed at
   once when the last line shows (still indexing). Goal ratio <= 0.1.
3. INGEST: a 1,000,000-line file piped, `cat F | reflow` against
   `cat F | reflow --plain`, from starting the command until the status
   bar's `1000000 lines` is written to the terminal; and against
   `cat F | wc -l` in the same kind of pane (until it writes `1000000`),
   the pipe's floor. Goals: records/plain <= 1.10, records/(cat|wc -l)
   <= 2. The pane's output is read as tmux reads it (`pipe-pane` into a
   FIFO, blocking reads): polling the screen with `capture-pane` in a
   tight loop, as the other parts do, takes about a core of the machine's
   two, and so slows the viewer that needs more than one (reflow: a
   reader and a printer thread) more than `wc`. That figure is printed
   too. A command that only prints (`echo`) is timed too, for what the
   terminal alone costs.
4. FILTER: the level filter against the text filter on the same lines: a
   1,000,000-line log (FILTER_N) whose only records at warn or worse are
   single-line WARN records (every fifth line, the last one too; no other
   line holds `WARN`), so `≥warn` and `&WARN` show the same lines. In a
   pane `reflow --level info BIG` (read in place), once the file is
   indexed, the status bar's count is final and the `≥info` filter done,
   the time from `send-keys L` until the bar shows `≥warn N/N` (N the
   WARN lines) and the screen the last line; against `reflow BIG`, the
   same wait, `&WARN` typed, and the time from Enter until the bar shows
   `&WARN N/N` and the screen the last line. Goal ratio <= 1.0.

Environment:
  LINES_N   lines of the two big inputs (default 8000000, about 130 bytes
            each: about 1 GB)
  PIPE_N    lines of the piped input (default 1000000)
  FILTER_N  lines of the filter's input (default 1000000)
  ONLY      the parts to run, by number (`2,4`; default all)
  RUNS      timed runs of each (default 5)
  DATA      a directory to keep the inputs in and reuse them from
            (records-*.log; generated there if missing). Default: a
            temporary directory, removed at the end.
  REFLOW    the reflow binary (default $CARGO_TARGET_DIR or ./target,
            then release/reflow, built first unless NO_BUILD=1)
  TIMEOUT   seconds a search or an ingest may take (default 300)
"""
import os, random, re, select, shlex, shutil, signal, statistics, subprocess, sys, tempfile, time

LINES_N = int(os.environ.get("LINES_N", "8000000"))
PIPE_N = int(os.environ.get("PIPE_N", "1000000"))
FILTER_N = int(os.environ.get("FILTER_N", "1000000"))
ONLY = {int(part) for part in os.environ.get("ONLY", "1,2,3,4").split(",") if part.strip()}
RUNS = int(os.environ.get("RUNS", "5"))
TIMEOUT = float(os.environ.get("TIMEOUT", "300"))
WIDTH, HEIGHT = 200, 50
ERROR_EVERY = 10_000
ONLY_ERROR_LINE = 1_000  # 1-based: the one ERROR record of the E input
NAME = "bench-records"

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
os.chdir(root)
for tool in ("tmux", "less", "grep", "awk", "cmp", "cat", "wc"):
    if not shutil.which(tool):
        sys.exit(f"{NAME}: needs {tool}")
reflow = os.environ.get("REFLOW") or os.path.join(
    os.environ.get("CARGO_TARGET_DIR", os.path.join(root, "target")), "release", "reflow")
if not os.environ.get("REFLOW") and os.environ.get("NO_BUILD") != "1":
    print("building: cargo build --release", file=sys.stderr)
    subprocess.run(["cargo", "build", "--release", "--quiet"], check=True)
reflow = os.path.abspath(reflow)
if not os.access(reflow, os.X_OK):
    sys.exit(f"{NAME}: no reflow binary at {reflow}")

work = tempfile.mkdtemp(prefix="reflow-records.")
# The tmux servers' sockets (`-L`) go in it too, removed with it.
os.environ["TMUX_TMPDIR"] = work
data_dir = os.environ.get("DATA") or work
os.makedirs(data_dir, exist_ok=True)
sockets = []  # every tmux server started, killed at the end
partial = []  # inputs being written (in DATA), removed if cut short


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def on_signal(signum, frame):
    raise SystemExit(128 + signum)


signal.signal(signal.SIGTERM, on_signal)
signal.signal(signal.SIGHUP, on_signal)
# SIGINT: KeyboardInterrupt, through the same `finally`.


# --- input -------------------------------------------------------------------

# As in bench-bigfile.py. `error` is a word of the messages (about a third
# of the INFO/DEBUG/WARN lines hold it, as real logs say "error" in prose):
# no level, but a candidate that E and --level must read and turn down.
MODS = ["server::http", "db::pool", "cache::lru", "auth::session", "net::peer"]
WORDS = ("request handled in ms for user session cache miss hit key connection "
         "pool timeout retrying upstream status ok error payload bytes latency").split()
LEVELS = ["INFO", "INFO", "INFO", "DEBUG", "WARN"]
EXCEPTIONS = ["java.util.concurrent.TimeoutException: upstream did not answer in 3000 ms",
              "java.io.IOException: connection reset by peer",
              "java.lang.IllegalStateException: pool closed while a lease was held",
              "java.sql.SQLTransientConnectionException: no connection available"]
FRAMES = ["com.example.server.Handler.handle(Handler.java:%d)",
          "com.example.db.Pool.lease(Pool.java:%d)",
          "com.example.cache.Lru.load(Lru.java:%d)",
          "com.example.net.Peer.send(Peer.java:%d)",
          "java.base/java.util.concurrent.FutureTask.run(FutureTask.java:%d)",
          "java.base/java.lang.Thread.run(Thread.java:%d)"]


def generate(n, outputs):
    """Writes n lines of log to each of `outputs` (path -> errors: "every"
    for an ERROR record about every ERROR_EVERY lines, "one" for the one
    at line ONLY_ERROR_LINE). The files differ only in the level word of
    those records (WARN where "one" has no error), so they have the same
    lines. ERROR records, and one WARN line in 300, carry a Java stack
    trace (an exception line and 5-10 `\\tat` lines). The last line holds
    `end-of-log`."""
    rng = random.Random(7)
    tails = [" ".join(rng.choice(WORDS) for _ in range(9)) for _ in range(4096)]
    partial.extend(path + ".tmp" for path in outputs)
    files = [(open(path + ".tmp", "w"), kind) for path, kind in outputs.items()]
    bufs = [[] for _ in files]
    t = 0
    i = 0  # lines written
    next_error = ONLY_ERROR_LINE - 1  # 0-based line of the next ERROR record

    def stamp():
        return "2026-12-03T%02d:%02d:%02d.%06dZ" % (
            16 + t // 3_600_000_000 % 8, t // 60_000_000 % 60, t // 1_000_000 % 60, t % 1_000_000)

    def trace():
        lines = [rng.choice(EXCEPTIONS)]
        for _ in range(rng.randint(5, 10)):
            lines.append("\tat " + rng.choice(FRAMES) % rng.randint(20, 900))
        return lines

    while i < n:
        t += rng.randrange(40_000)
        last = i == n - 1
        if i >= next_error and not last:
            first = next_error == ONLY_ERROR_LINE - 1
            rest = " db::pool: req=%08x query failed after 3 retries, giving up n=%d" % (
                rng.getrandbits(32), i)
            more = trace()[: n - 1 - i - 1]
            for (_, kind), buf in zip(files, bufs):
                level = "ERROR" if kind == "every" or first else " WARN"
                buf.append(stamp() + " " + level + rest + "\n")
                buf.extend(line + "\n" for line in more)
            i += 1 + len(more)
            next_error = (next_error // ERROR_EVERY + 1) * ERROR_EVERY + rng.randrange(ERROR_EVERY // 2)
            continue
        level = LEVELS[i % 5]
        line = "%s %5s %s: req=%08x %s n=%d%s\n" % (
            stamp(), level, MODS[i % 5], rng.getrandbits(32), tails[i & 4095], i,
            " end-of-log" if last else "")
        more = []
        if level == "WARN" and not last and rng.randrange(300) == 0:
            more = [x + "\n" for x in trace()[: n - 1 - i - 1]]
        for buf in bufs:
            buf.append(line)
            buf.extend(more)
        i += 1 + len(more)
        if len(bufs[0]) >= 65536:
            for (f, _), buf in zip(files, bufs):
                f.write("".join(buf))
                buf.clear()
    for (f, _), buf in zip(files, bufs):
        f.write("".join(buf))
        f.close()
    for path in outputs:
        os.rename(path + ".tmp", path)


def generate_warnings(n, path):
    """Writes n lines of log as `generate` does, but with no ERROR record
    and no stack trace: every fifth line (the last one too when n is a
    multiple of 5) is a one-line WARN record, and no other line holds
    `WARN`. Returns how many WARN lines it wrote."""
    rng = random.Random(7)
    tails = [" ".join(rng.choice(WORDS) for _ in range(9)) for _ in range(4096)]
    partial.append(path + ".tmp")
    t = 0
    warnings = 0
    with open(path + ".tmp", "w") as f:
        buf = []
        for i in range(n):
            t += rng.randrange(40_000)
            stamp = "2026-12-03T%02d:%02d:%02d.%06dZ" % (
                16 + t // 3_600_000_000 % 8, t // 60_000_000 % 60, t // 1_000_000 % 60, t % 1_000_000)
            level = LEVELS[(i + 5 - n % 5) % 5]
            warnings += level == "WARN"
            buf.append("%s %5s %s: req=%08x %s n=%d%s\n" % (
                stamp, level, MODS[i % 5], rng.getrandbits(32), tails[i & 4095], i,
                " end-of-log" if i == n - 1 else ""))
            if len(buf) >= 65536:
                f.write("".join(buf))
                buf.clear()
        f.write("".join(buf))
    os.rename(path + ".tmp", path)
    return warnings


def count_lines(path):
    with open(path, "rb") as f:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 22), b""))


# --- tmux --------------------------------------------------------------------

conf = os.path.join(work, "tmux.conf")
with open(conf, "w") as f:
    f.write("set -g status off\nset -g history-limit 0\n")


class Pane:
    """One viewer in a detached pane on a tmux server of its own (a new
    session on a server still shutting down fails)."""

    def __init__(self, cmd):
        self.socket = f"reflow-records-{os.getpid()}-{time.monotonic_ns()}"
        sockets.append(self.socket)
        self.polls = 0
        self.start = time.monotonic()
        subprocess.run(["tmux", "-L", self.socket, "-f", conf, "new-session", "-d", "-s", "bench",
                        "-x", str(WIDTH), "-y", str(HEIGHT),
                        "env", "-u", "LESSOPEN", "-u", "LESSCLOSE", "LESS=", "LESSHISTFILE=-",
                        "TERM=tmux-256color", *cmd], check=True)

    def tmux(self, *args):
        return subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True)

    def rows(self):
        self.polls += 1
        return self.tmux("capture-pane", "-p", "-t", "bench:0.0").stdout.rstrip("\n").split("\n")

    def keys(self, *args):
        self.tmux("send-keys", "-t", "bench:0.0", *args)

    def wait(self, until, timeout, what, pause=0.0):
        """Polls the screen until `until(rows)` is true (in a tight loop,
        or `pause` seconds apart where nothing is timed); what it gave,
        and the screen."""
        deadline = time.monotonic() + timeout
        while True:
            rows = self.rows()
            got = until(rows)
            if got:
                return got, rows
            time.sleep(pause)
            if time.monotonic() > deadline:
                raise TimeoutError(f"{what} not within {timeout:.0f} s; the screen's last rows:\n"
                                   + "\n".join(rows[-3:]))

    def close(self):
        self.tmux("kill-server")


def body_has(text):
    return lambda rows: any(text in row for row in rows[:-1])


# --- the measurements ---------------------------------------------------------

def timed(cmd, out):
    with open(out, "wb") as f:
        start = time.monotonic()
        subprocess.run(cmd, stdout=f, check=True)
        return time.monotonic() - start


def level_run(big):
    out, out2 = os.path.join(work, "out"), os.path.join(work, "out2")
    rcmd = [reflow, "--level", "error", big]
    gcmd = ["grep", "-E", "(ERROR|FATAL)", big]
    # One untimed run of each first (and their outputs checked).
    timed(rcmd, out)
    timed(gcmd, out2)
    expected = os.path.join(work, "expected")
    with open(expected, "wb") as f:
        subprocess.run(["awk", '/^[0-9][0-9][0-9][0-9]-/ { keep = ($2 == "ERROR" || $2 == "FATAL") } keep',
                        big], stdout=f, check=True, env={**os.environ, "LC_ALL": "C"})
    with open(out, "rb") as f:
        got = f.read()
    with open(out2, "rb") as f:
        grep_lines = f.read().splitlines()
    got_lines = set(got.splitlines())
    missing = sum(1 for line in grep_lines if line not in got_lines)
    same = subprocess.run(["cmp", "-s", out, expected]).returncode == 0
    starts = sum(1 for line in got.splitlines() if re.match(rb"\d{4}-", line))
    got_n = got.count(b"\n")
    print(f"LEVEL check: grep found {len(grep_lines)} lines; reflow wrote {got_n} lines "
          f"({starts} records, {len(got)} bytes); grep's lines missing from reflow's output: "
          f"{missing}; byte for byte the ERROR records (awk): {'yes' if same else 'NO'}")
    rs, gs = [], []
    for run in range(RUNS):
        g = timed(gcmd, out2)
        r = timed(rcmd, out)
        log(f"  level run {run + 1}: grep {g:.3f} s, reflow {r:.3f} s, ratio {r / g:.3f}")
        gs.append(g)
        rs.append(r)
    return rs, gs, missing == 0 and same


def less_search(big):
    pane = Pane(["less", "+G", big])
    try:
        pane.wait(body_has("end-of-log"), TIMEOUT, "less: the end of the file", 0.02)
        pane.keys("-l", "?ERROR")
        pane.wait(lambda rows: "ERROR" in rows[-1], 5, "less: the ?ERROR prompt")
        pane.polls = 0
        start = time.monotonic()
        pane.keys("Enter")
        pane.wait(body_has(" ERROR "), TIMEOUT, "less: the ERROR line")
        took = time.monotonic() - start
        return took, took / max(pane.polls, 1)
    finally:
        pane.close()


def reflow_e(big, lines, indexed):
    """E from the end; `indexed`: once the status bar shows the final
    count. Returns (seconds, poll resolution, outcome)."""
    pane = Pane([reflow, big])
    try:
        pane.wait(body_has("end-of-log"), TIMEOUT, "reflow: the end of the file")
        if indexed:
            final = re.compile(rf"\b{lines} lines\b")
            pane.wait(lambda rows: final.search(rows[-1]) and "counting" not in rows[-1],
                      TIMEOUT, f"reflow: the final count ({lines} lines)", 0.02)
        else:
            still = "counting" in pane.rows()[-1]
        pane.polls = 0
        start = time.monotonic()
        pane.keys("E")

        def done(rows):
            if any(" ERROR " in row for row in rows[:-1]):
                return "found"
            if "no error record" in rows[-1]:
                return rows[-1].strip()
            return None

        outcome, _ = pane.wait(done, TIMEOUT, "reflow: the ERROR line after E")
        took = time.monotonic() - start
        if not indexed:
            outcome += "" if still else " (the count was already final when E was sent)"
        return took, took / max(pane.polls, 1), outcome
    finally:
        pane.close()


def e_run(big, lines):
    less_s, at_s, idx_s, res = [], [], [], []
    for run in range(RUNS):
        l, lres = less_search(big)
        i, ires, iout = reflow_e(big, lines, True)
        a, ares, aout = reflow_e(big, lines, False)
        log(f"  E run {run + 1}: less ?ERROR {l:.3f} s; reflow E indexed {i:.3f} s ({iout}), "
            f"E at once {a:.3f} s ({aout}); ratios {i / l:.4f}, {a / l:.4f}")
        for outcome in (iout, aout):
            if outcome != "found":
                log(f"    reflow: {outcome}")
        less_s.append(l)
        idx_s.append((i, iout))
        at_s.append((a, aout))
        res += [lres, ires, ares]
    return less_s, idx_s, at_s, max(res)


def ingest(cmd, until):
    pane = Pane(["sh", "-c", cmd])
    try:
        pane.wait(until, TIMEOUT, f"`{cmd}`")
        return time.monotonic() - pane.start
    finally:
        pane.close()


def streamed(cmd, want):
    """The time from starting `cmd` in a pane until the bytes `want` are in
    what it writes to its terminal, as tmux reads them (`pipe-pane` into a
    FIFO read here, blocking: no poll loop). The pane waits on a FIFO of
    its own until the pipe is in place, so the time is the command's
    alone, not the pane's start."""
    gate, fifo = os.path.join(work, "gate"), os.path.join(work, "stream")
    for path in (gate, fifo):
        if os.path.exists(path):
            os.remove(path)
        os.mkfifo(path)
    pane = Pane(["sh", "-c", f"read go < {shlex.quote(gate)}; {cmd}"])
    try:
        pane.tmux("pipe-pane", "-o", "-t", "bench:0.0", f"cat > {shlex.quote(fifo)}")
        fd = os.open(fifo, os.O_RDONLY)
        try:
            start = time.monotonic()
            with open(gate, "w") as g:
                g.write("go\n")
            seen = b""
            while want not in seen:
                ready, _, _ = select.select([fd], [], [], TIMEOUT)
                data = os.read(fd, 1 << 20) if ready else b""
                if not data:
                    raise TimeoutError(f"`{cmd}` never wrote {want!r}")
                seen = (seen + data)[-(1 << 16):]
            return time.monotonic() - start
        finally:
            os.close(fd)
    finally:
        pane.close()


def ingest_run(pipe, lines):
    q = shlex.quote(pipe)
    count = re.compile(rf"\b{lines} lines\b")
    bar = lambda rows: count.search(rows[-1])
    alone = lambda rows: any(row.strip() == str(lines) for row in rows)
    status, printed = f"{lines} lines".encode(), f"{lines}\r\n".encode()
    # The pane's command must not end before it is seen: a pane dies with it.
    variants = [
        ("records", lambda: streamed(f"cat {q} | {shlex.quote(reflow)}", status)),
        ("plain", lambda: streamed(f"cat {q} | {shlex.quote(reflow)} --plain", status)),
        ("wc", lambda: streamed(f"cat {q} | wc -l; exec sleep 600", printed)),
        ("echo", lambda: streamed(f"echo {lines}; exec sleep 600", printed)),
        ("records polled", lambda: ingest(f"cat {q} | {shlex.quote(reflow)}", bar)),
        ("wc polled", lambda: ingest(f"cat {q} | wc -l; exec sleep 600", alone)),
    ]
    times = {name: [] for name, _ in variants}
    for run in range(RUNS):
        for name, timed_run in variants:
            times[name].append(timed_run())
        got = {name: t[-1] for name, t in times.items()}
        log(f"  ingest run {run + 1}: " + ", ".join(f"{k} {v:.3f} s" for k, v in got.items())
            + f"; records/plain {got['records'] / got['plain']:.3f}, "
            f"records/wc {got['records'] / got['wc']:.2f} "
            f"(polled {got['records polled'] / got['wc polled']:.2f})")
    return times


def filter_pane(cmd, lines, warnings):
    """A pane of `cmd` once its file is indexed, the status bar's count of
    warnings final and any filter it starts with done."""
    pane = Pane(cmd)
    final = re.compile(rf"\b{lines} lines\b")
    counted = f"{warnings} warnings"

    def ready(rows):
        bar = rows[-1]
        return (body_has("end-of-log")(rows) and final.search(bar) and counted in bar
                and "counting" not in bar and "filtering" not in bar)

    pane.wait(ready, TIMEOUT, f"`{' '.join(cmd)}`: indexed, counted and filtered", 0.02)
    return pane


def filtered(pane, shown, warnings):
    """Waits until the status bar shows the filter `shown` done with every
    WARN line and the screen the last line; the time since `pane.start`."""
    done = f"{shown} {warnings}/{warnings}"

    def until(rows):
        return done in rows[-1] and "filtering" not in rows[-1] and body_has("end-of-log")(rows)

    pane.wait(until, TIMEOUT, f"the filter {shown}")
    return time.monotonic() - pane.start


def level_filter(big, lines, warnings):
    pane = filter_pane([reflow, "--level", "info", big], lines, warnings)
    try:
        pane.polls = 0
        pane.start = time.monotonic()
        pane.keys("L")
        took = filtered(pane, "\u2265warn", warnings)
        return took, took / max(pane.polls, 1)
    finally:
        pane.close()


def text_filter(big, lines, warnings):
    pane = filter_pane([reflow, big], lines, warnings)
    try:
        pane.keys("-l", "&WARN")
        pane.wait(lambda rows: "&WARN" in rows[-1], 5, "reflow: the &WARN prompt")
        pane.polls = 0
        pane.start = time.monotonic()
        pane.keys("Enter")
        took = filtered(pane, "&WARN", warnings)
        return took, took / max(pane.polls, 1)
    finally:
        pane.close()


def filter_run(big, lines, warnings):
    ls, ts, res = [], [], []
    for run in range(RUNS):
        t, tres = text_filter(big, lines, warnings)
        l, lres = level_filter(big, lines, warnings)
        log(f"  filter run {run + 1}: &WARN {t:.3f} s, L (\u2265warn) {l:.3f} s, ratio {l / t:.3f}")
        ts.append(t)
        ls.append(l)
        res += [tres, lres]
    return ls, ts, max(res)


def verdict(ratio, goal):
    return "PASS" if ratio <= goal else "FAIL"


def report(name, xs, ys, goal, baseline="baseline"):
    ratios = [x / y for x, y in zip(xs, ys)]
    r = statistics.median(ratios)
    print(f"{name}: reflow {statistics.median(xs):.3f} s, {baseline} {statistics.median(ys):.3f} s, "
          f"ratio {r:.3f} (goal {goal}): {verdict(r, goal)}"
          f"   [ratios {min(ratios):.3f}-{max(ratios):.3f} over {len(ratios)} pairs]")
    return r


def loadavg(when):
    print("load average (%s): %.2f %.2f %.2f on %d cores" % (when, *os.getloadavg(), os.cpu_count()))


try:
    loadavg("start")
    big_every = os.path.join(data_dir, f"records-{LINES_N}-errors.log")
    big_one = os.path.join(data_dir, f"records-{LINES_N}-one-error.log")
    pipe = os.path.join(data_dir, f"records-pipe-{PIPE_N}.log")
    warn = os.path.join(data_dir, f"records-warnings-{FILTER_N}.log")
    inputs = []
    if ONLY & {1, 2}:
        if not (os.path.exists(big_every) and os.path.exists(big_one)):
            log(f"generating {LINES_N} lines into {big_every} and {big_one}")
            generate(LINES_N, {big_every: "every", big_one: "one"})
        inputs += [big_every, big_one]
    if 3 in ONLY:
        if not os.path.exists(pipe):
            log(f"generating {PIPE_N} lines into {pipe}")
            generate(PIPE_N, {pipe: "every"})
        inputs.append(pipe)
    if 4 in ONLY:
        if not os.path.exists(warn):
            log(f"generating {FILTER_N} lines into {warn}")
            generate_warnings(FILTER_N, warn)
        inputs.append(warn)
    for path in inputs:
        # Every run reads from the page cache: one read ahead of the runs.
        subprocess.run(["cat", path], stdout=subprocess.DEVNULL, check=True)
    print(f"reflow: {reflow}")
    if ONLY & {1, 2}:
        lines = count_lines(big_one)
        print(f"inputs: {lines} lines, {os.path.getsize(big_every) / 1e6:.0f} MB each "
              f"(ERROR every ~{ERROR_EVERY} lines / ERROR only on line {ONLY_ERROR_LINE})")
    if 3 in ONLY:
        pipe_lines = count_lines(pipe)
        print(f"piped input: {pipe_lines} lines, {os.path.getsize(pipe) / 1e6:.0f} MB")
    if 4 in ONLY:
        with open(warn, "rb") as f:
            warn_lines, warnings = 0, 0
            for line in f:
                warn_lines += 1
                warnings += b"WARN" in line
        print(f"filter input: {warn_lines} lines ({warnings} WARN), "
              f"{os.path.getsize(warn) / 1e6:.0f} MB")
    print(f"{RUNS} run(s) of each, interleaved")
    sys.stdout.flush()

    if 1 in ONLY:
        log("1. --level error against grep -E '(ERROR|FATAL)'")
        rs, gs, ok = level_run(big_every)
        report("LEVEL --level error > file", rs, gs, 1.5, "grep -E")
        if not ok:
            print("LEVEL check: FAIL (reflow's output is not the ERROR records; see above)")
        sys.stdout.flush()

    if 2 in ONLY:
        log("2. E from the end against less ?ERROR")
        less_s, idx, at_once, resolution = e_run(big_one, lines)
        for label, runs in [("E after indexing", idx), ("E at once (indexing)", at_once)]:
            report(f"{label}", [t for t, _ in runs], less_s, 0.1, "less ?ERROR")
            outcomes = sorted({o for _, o in runs})
            if outcomes != ["found"]:
                print(f"  {label}: outcomes {outcomes}: not every E showed the ERROR line")
        print(f"  poll resolution: {resolution * 1000:.1f} ms at worst")
        sys.stdout.flush()

    if 3 in ONLY:
        log("3. piped ingest into the display")
        times = ingest_run(pipe, pipe_lines)
        report("INGEST records/plain", times["records"], times["plain"], 1.10, "--plain")
        r = report("INGEST records/(cat|wc -l)", times["records"], times["wc"], 2, "cat|wc -l")
        p = statistics.median(x / y for x, y in zip(times["plain"], times["wc"]))
        e = statistics.median(times["echo"])
        print(f"  --plain/(cat|wc -l): {p:.3f}; a pane that only prints (echo): {e:.3f} s, "
              f"cat|wc -l {statistics.median(times['wc']) - e:+.3f} s over it")
        polled = statistics.median(x / y for x, y in zip(times["records polled"], times["wc polled"]))
        print(f"  the same seen by polling the screen (capture-pane in a tight loop, about a "
              f"core of its own): records/(cat|wc -l) {polled:.2f}, reflow "
              f"{statistics.median(times['records polled']):.3f} s")
        if r > 2 and p > 2:
            print(f"  --plain is {p:.2f}x the floor too: the floor comparison is dominated by the "
                  f"terminal viewer (taking the pipe in and drawing it), not by reading records; "
                  f"the pane alone (echo) is {e:.3f} s of it")
        sys.stdout.flush()

    if 4 in ONLY:
        log("4. the level filter (L to \u2265warn) against &WARN on the same lines")
        ls, ts, resolution = filter_run(warn, warn_lines, warnings)
        report("FILTER L (\u2265warn) against &WARN", ls, ts, 1.0, "&WARN")
        print(f"  poll resolution: {resolution * 1000:.1f} ms at worst")
    loadavg("end")
except KeyboardInterrupt:
    log(f"{NAME}: interrupted")
    sys.exit(130)
finally:
    for path in partial:
        if os.path.exists(path):
            os.remove(path)
    for socket in sockets:
        subprocess.run(["tmux", "-L", socket, "kill-server"], capture_output=True)
    shutil.rmtree(work, ignore_errors=True)
