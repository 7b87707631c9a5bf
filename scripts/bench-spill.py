#!/usr/bin/env python3
"""Issue 16, item 4: memory stays bounded when the input never ends.

Three runs of the release binary, each in a detached tmux pane (200x50, a
private socket), figures and ratios printed from this one run:

1. `yes | reflow --max-memory 64M` for 60 s: peak RSS (VmHWM from
   /proc/PID/status) against the budget, lines taken, the spill file.
2. SIZE_GB of piped logs (generated: varied service-log lines) into
   `reflow --max-memory 64M --save FILE`: peak RSS against the budget while
   it all comes in; then `?xylophone` from the end to the one line that has
   it (line 1,000, near the start), timed from Enter until it is on the
   screen; then `q` and `cmp` of the saved file with the input.
3. The same search on RAM_GB of the same logs with a budget big enough to
   keep them all in memory (no spill file): what the spilled search is
   measured against, per byte searched.

The logs: BASE_LINES distinct lines (timestamps, levels, services, request
ids, paths, durations...) generated once, then piped BASE_LINES at a time
as often as SIZE_GB needs, after 1,000 lines with the marker on the last of
them and before a last line `end-of-log`. Each 256 KiB chunk of the
history compresses on its own, so repeating the base costs as much as
fresh lines would.

    scripts/bench-spill.py                   # 10 GB, 60 s of yes
    SIZE_GB=2 YES_SECONDS=20 scripts/bench-spill.py   # a quick run

Environment:
    SIZE_GB       GB of logs for the spilled run (default 10)
    RAM_GB        GB of logs for the in-memory run (default 1)
    BUDGET        --max-memory of the spilled runs (default 64M)
    RAM_BUDGET    --max-memory of the in-memory run (default 8G)
    YES_SECONDS   how long `yes` runs (default 60)
    BASE_LINES    distinct log lines (default 1000000, about 150 MB)
    REFLOW        the binary (default target/release/reflow, built first)
    NO_BUILD      1: skip `cargo build --release`
    TMPDIR        where the generated logs, the saved file and reflow's
                  spill file go (needs about 1.3 x SIZE_GB free)
"""

import os
import random
import shlex
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SIZE_GB = float(os.environ.get("SIZE_GB", "10"))
RAM_GB = float(os.environ.get("RAM_GB", "1"))
BUDGET = os.environ.get("BUDGET", "64M")
RAM_BUDGET = os.environ.get("RAM_BUDGET", "8G")
YES_SECONDS = float(os.environ.get("YES_SECONDS", "60"))
BASE_LINES = int(os.environ.get("BASE_LINES", "1000000"))
MARKER = "xylophone"
WIDTH, HEIGHT = 200, 50
SOCKET = "reflow-spill-%d" % os.getpid()
T = "spill:0.0"


def die(message):
    print("bench-spill: " + message, file=sys.stderr)
    sys.exit(1)


def size_bytes(text):
    units = {"K": 10, "M": 20, "G": 30, "T": 40}
    text = text.upper().removesuffix("IB").removesuffix("B")
    if text and text[-1] in units:
        return int(text[:-1]) << units[text[-1]]
    return int(text)


def tm(*args, capture=False):
    return subprocess.run(["tmux", "-L", SOCKET, *args], capture_output=capture,
                          text=True, check=False).stdout


def screen():
    return tm("capture-pane", "-p", "-t", T, capture=True).rstrip("\n").split("\n")


def wait_until(what, limit, predicate, step=0.05):
    deadline = time.monotonic() + limit
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            die("timed out waiting for %s; screen:\n%s" % (what, "\n".join(screen()[-5:])))
        time.sleep(step)


def status(pid, field):
    """A /proc/PID/status field, in kB."""
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def spill_files(pid):
    """(size, mode) of each regular file PID holds that no name leads to."""
    found = []
    fd_dir = "/proc/%d/fd" % pid
    for fd in os.listdir(fd_dir):
        path = os.path.join(fd_dir, fd)
        try:
            if not os.readlink(path).endswith("(deleted)"):
                continue
            st = os.stat(path)
        except OSError:
            continue
        if (st.st_mode & 0o170000) == 0o100000:
            found.append((st.st_size, st.st_blocks * 512, st.st_mode & 0o777))
    return found


def reflow_pid(pane_pid):
    def find():
        out = subprocess.run(["pgrep", "-x", "-P", str(pane_pid), "reflow"],
                             capture_output=True, text=True).stdout.split()
        return int(out[0]) if out else None
    return wait_until("reflow to start", 30, find)


def start(command):
    """Runs COMMAND in a fresh pane; returns its reflow's pid."""
    tm("kill-server", capture=True)
    conf = os.path.join(WORK, "tmux.conf")
    with open(conf, "w") as f:
        f.write("set -g status off\nset -g history-limit 0\n")
    # The old server may still be going away: a new session started then
    # can die with it, so try again until one stays.
    def session():
        tm("-f", conf, "new-session", "-d", "-s", "spill", "-x", str(WIDTH), "-y", str(HEIGHT),
           "env", "TERM=tmux-256color", "TMPDIR=" + WORK, "bash", "--norc", "--noprofile",
           "-c", command + "; sleep 3600", capture=True)
        pane = tm("display", "-p", "-t", T, "#{pane_pid}", capture=True).strip()
        return int(pane) if pane.isdigit() else None
    return reflow_pid(wait_until("a tmux session", 30, session, 0.2))


def quit_reflow(pid):
    tm("send-keys", "-t", T, "q")
    wait_until("reflow to quit", 60, lambda: not os.path.exists("/proc/%d" % pid))


def time_search(pid):
    """Types ?MARKER, times Enter until the marked line is on the screen."""
    tm("send-keys", "-t", T, "-l", "?" + MARKER)
    wait_until("the prompt", 5, lambda: MARKER in screen()[-1], 0.005)
    started = time.monotonic()
    tm("send-keys", "-t", T, "Enter")
    polls = 0
    while True:
        rows = screen()
        polls += 1
        elapsed = time.monotonic() - started
        if any(MARKER in row for row in rows[:-1]):
            return elapsed, elapsed / polls
        if elapsed > 600:
            die("the search did not reach the marker in 600 s")
        if not os.path.exists("/proc/%d" % pid):
            die("reflow ended during the search")


def ingest(pid, what):
    """Waits until the last line is on the screen; returns (seconds, peak
    kB seen, spill files)."""
    started = time.monotonic()
    last = None
    while True:
        rows = screen()
        if any("end-of-log" in row for row in rows[:-1]):
            break
        if not os.path.exists("/proc/%d" % pid):
            die("reflow ended while reading " + what)
        last = spill_files(pid) or last
        time.sleep(0.2)
    return time.monotonic() - started, status(pid, "VmHWM"), spill_files(pid) or last


def settle(pid):
    """Waits until VmRSS has not changed for a second (compaction done)."""
    before = status(pid, "VmRSS")
    while True:
        time.sleep(1)
        after = status(pid, "VmRSS")
        if after == before:
            return after
        before = after


# --- the logs ------------------------------------------------------------------

def generate(path, lines, seed, marker_at=None, last=False):
    rng = random.Random(seed)
    levels = "INFO INFO INFO INFO INFO DEBUG DEBUG WARN ERROR TRACE".split()
    services = ("api-gateway auth-svc billing orders inventory search-indexer "
                "notifier payments sessions media-proxy").split()
    methods = "GET GET GET POST POST PUT DELETE PATCH".split()
    paths = ["/api/v1/users/%d", "/api/v2/orders/%d/items", "/healthz", "/metrics",
             "/api/v1/carts/%d", "/static/js/app.%x.js", "/api/v1/search", "/login"]
    statuses = "200 200 200 200 201 204 304 400 401 404 404 409 429 500 502 503".split()
    errors = ["connection reset by peer", "deadline exceeded", "no healthy upstream",
              "upstream connect error or disconnect/reset before headers", "broken pipe"]
    t = 1715904000000
    out = []
    for i in range(lines):
        t += rng.randrange(40)
        s = t // 1000
        head = "2024-05-17T%02d:%02d:%02d.%03dZ %-5s %s[%d]:" % (
            s // 3600 % 24, s // 60 % 60, s % 60, t % 1000, rng.choice(levels),
            rng.choice(services), 1000 + rng.randrange(29))
        k = rng.random()
        if k < 0.5:
            p = rng.choice(paths)
            if "%" in p:
                p = p % rng.randrange(1000, 900000)
            line = "%s request_id=%08x-%04x-4%03x method=%s path=%s status=%s duration=%.3fms bytes=%d" % (
                head, rng.getrandbits(32), rng.getrandbits(16), rng.getrandbits(12),
                rng.choice(methods), p, rng.choice(statuses), rng.random() * 800,
                rng.randrange(40000))
        elif k < 0.75:
            line = "%s db.pool conn=0x%06x rows=%d took=%.2fms trace_id=%016x" % (
                head, rng.getrandbits(24), rng.randrange(500), rng.random() * 120,
                rng.getrandbits(64))
        elif k < 0.9:
            line = "%s upstream 10.%d.%d.%d:%d %s after %dms retry=%d/3" % (
                head, rng.randrange(4), rng.randrange(256), rng.randrange(1, 255),
                8000 + rng.randrange(100), rng.choice(errors), rng.randrange(5000),
                rng.randrange(3))
        else:
            line = "%s gc pause=%.3fms heap=%dMiB objects=%d" % (
                head, rng.random() * 12, 200 + rng.randrange(1800), rng.randrange(9000000))
        if i == marker_at:
            line += " " + MARKER
        if last and i == lines - 1:
            line += " end-of-log"
        out.append(line)
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def stream(gb):
    """The shell words that pipe about GB of logs, and their exact size."""
    head, base, tail = (os.path.join(WORK, n) for n in ("head.log", "base.log", "tail.log"))
    sizes = {p: os.path.getsize(p) for p in (head, base, tail)}
    copies = max(1, round((gb * 1e9 - sizes[head] - sizes[tail]) / sizes[base]))
    files = [head] + [base] * copies + [tail]
    return " ".join(shlex.quote(f) for f in files), sum(sizes[f] for f in files)


def main():
    global WORK
    os.chdir(ROOT)
    for tool in ("tmux", "cmp", "pgrep", "yes"):
        if subprocess.run(["which", tool], capture_output=True).returncode:
            die("needs " + tool)
    reflow = os.environ.get("REFLOW")
    if not reflow:
        target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
        reflow = os.path.join(target, "release", "reflow")
        if os.environ.get("NO_BUILD") != "1":
            print("building: cargo build --release", file=sys.stderr)
            subprocess.run(["cargo", "build", "--release", "--quiet"], check=True)
    if not os.access(reflow, os.X_OK):
        die("no reflow binary at " + reflow)
    WORK = tempfile.mkdtemp(prefix="reflow-spill.", dir=os.environ.get("TMPDIR", "/tmp"))
    budget_kb = size_bytes(BUDGET) // 1024
    try:
        print("reflow %s, %dx%d tmux %s, budget --max-memory %s (%d kB); kB = KiB"
              % (reflow, WIDTH, HEIGHT, tm("-V", capture=True).split()[-1], BUDGET, budget_kb))

        # 1. yes ------------------------------------------------------------------
        pid = start("yes | %s --max-memory %s" % (shlex.quote(reflow), BUDGET))
        started = time.monotonic()
        peak_rss = 0
        while time.monotonic() - started < YES_SECONDS:
            time.sleep(1)
            peak_rss = max(peak_rss, status(pid, "VmRSS") or 0)
        yes_hwm = hwm = status(pid, "VmHWM")
        bar = screen()[-1]
        lines = next((int(w) for w, n in zip(bar.split(), bar.split()[1:]) if n == "lines"), 0)
        spilled = spill_files(pid)
        quit_reflow(pid)
        print("\nyes | reflow --max-memory %s, %.0f s on a pty:" % (BUDGET, YES_SECONDS))
        print("  lines taken      %d (%.2f GB of 'y\\n', %.0f MB/s)"
              % (lines, lines * 2 / 1e9, lines * 2 / 1e6 / YES_SECONDS))
        print("  peak RSS         VmHWM %d kB = %.3f x budget (%s)"
              % (hwm, hwm / budget_kb, "within" if hwm <= budget_kb else "OVER"))
        print("  spill file       %s" % (", ".join("%d bytes (%d on disk), mode %o" % s
                                                  for s in spilled) or "none"))

        # The logs ------------------------------------------------------------------
        print("\ngenerating %d distinct log lines" % BASE_LINES, file=sys.stderr)
        generate(os.path.join(WORK, "head.log"), 1001, 1, marker_at=1000)
        generate(os.path.join(WORK, "base.log"), BASE_LINES, 2)
        generate(os.path.join(WORK, "tail.log"), 1000, 3, last=True)

        # 2. SIZE_GB spilled ------------------------------------------------------------
        files, total = stream(SIZE_GB)
        saved = os.path.join(WORK, "saved.log")
        print("piping %.2f GB into reflow --max-memory %s" % (total / 1e9, BUDGET), file=sys.stderr)
        pid = start("cat %s | %s --max-memory %s --save %s"
                    % (files, shlex.quote(reflow), BUDGET, shlex.quote(saved)))
        took, hwm_in, spilled = ingest(pid, "the logs")
        search_s, resolution = time_search(pid)
        hwm = status(pid, "VmHWM")
        spilled = spill_files(pid) or spilled
        quit_reflow(pid)
        same = subprocess.run("cat %s | cmp - %s" % (files, shlex.quote(saved)),
                              shell=True, capture_output=True, text=True)
        saved_size = os.path.getsize(saved)
        os.remove(saved)
        print("\n%.2f GB of piped logs into reflow --max-memory %s --save FILE:" % (total / 1e9, BUDGET))
        print("  ingest           %.1f s, %.0f MB/s" % (took, total / 1e6 / took))
        print("  peak RSS         VmHWM %d kB after the input, %d kB after the search = %.3f x budget (%s)"
              % (hwm_in, hwm, hwm / budget_kb, "within" if hwm <= budget_kb else "OVER"))
        print("  spill file       %s" % (", ".join("%d bytes (%.3f x input), mode %o" % (s[0], s[0] / total, s[2])
                                                  for s in spilled) or "none"))
        print("  ?%s from the end to line 1,001: %.3f s (poll %.1f ms), %.2f GB/s"
              % (MARKER, search_s, resolution * 1000, total / 1e9 / search_s))
        print("  --save           %d bytes; cmp with the input: %s"
              % (saved_size, "identical" if same.returncode == 0 else "DIFFERS: " + (same.stdout + same.stderr).strip()))

        # 3. RAM_GB in memory -----------------------------------------------------
        ram_files, ram_total = stream(RAM_GB)
        print("piping %.2f GB into reflow --max-memory %s" % (ram_total / 1e9, RAM_BUDGET), file=sys.stderr)
        pid = start("cat %s | %s --max-memory %s" % (ram_files, shlex.quote(reflow), RAM_BUDGET))
        ram_took, _, ram_spilled = ingest(pid, "the logs")
        settled = settle(pid)
        ram_s, ram_resolution = time_search(pid)
        ram_spilled = spill_files(pid) or ram_spilled
        quit_reflow(pid)
        print("\n%.2f GB of the same logs, --max-memory %s (all in memory):" % (ram_total / 1e9, RAM_BUDGET))
        print("  ingest           %.1f s, %.0f MB/s; settled VmRSS %d kB (%.3f x input); spill file: %s"
              % (ram_took, ram_total / 1e6 / ram_took, settled, settled * 1024 / ram_total,
                 "none" if not ram_spilled else ram_spilled))
        print("  ?%s from the end to line 1,001: %.3f s (poll %.1f ms), %.2f GB/s"
              % (MARKER, ram_s, ram_resolution * 1000, ram_total / 1e9 / ram_s))

        per_byte = (search_s / total) / (ram_s / ram_total)
        print("\nSEARCH PER BYTE spilled / in memory: %.3f; goal <= 2: %s"
              % (per_byte, "PASS" if per_byte <= 2 else "FAIL"))
        worst = max(yes_hwm, hwm) / budget_kb
        print("PEAK RSS / BUDGET: yes %.3f, %.2f GB of logs %.3f; goal <= 1: %s"
              % (yes_hwm / budget_kb, total / 1e9, hwm / budget_kb, "PASS" if worst <= 1 else "FAIL"))
        print("SAVED == INPUT: %s" % ("PASS" if same.returncode == 0 else "FAIL"))
    finally:
        tm("kill-server", capture=True)
        subprocess.run(["rm", "-rf", WORK])


if __name__ == "__main__":
    main()
