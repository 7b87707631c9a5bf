#!/usr/bin/env python3
"""Opening a big log at its end, in a real terminal: `less +G` against
reflow (issue 11). A detached tmux pane of 200x50 on a private socket runs
each viewer on a file of 8,000,000 log lines (about 1 GB); the time from
starting the pane until the last line is on screen is measured (tmux
capture-pane polled in a tight loop), then the viewer's resident memory
once it has settled (reflow: its index complete, the count in the status
bar final). Goals: time <= 2x less, memory <= 64 MiB.

    scripts/bench-bigfile.py                      # 8,000,000 lines, 7 runs each
    LINES_N=1000000 RUNS=1 scripts/bench-bigfile.py

Environment: LINES_N (default 8000000), RUNS (7), DATA (an input file to
use or keep; generated into a temporary directory otherwise), REFLOW (the
binary; default target/release/reflow, built first unless NO_BUILD=1).
"""
import os, random, shutil, statistics, subprocess, sys, tempfile, time

LINES_N = int(os.environ.get("LINES_N", "8000000"))
RUNS = int(os.environ.get("RUNS", "7"))
WIDTH, HEIGHT = 200, 50
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
os.chdir(root)
for tool in ("tmux", "less"):
    if not shutil.which(tool):
        sys.exit(f"bench-bigfile: needs {tool}")
reflow = os.environ.get("REFLOW") or os.path.join(
    os.environ.get("CARGO_TARGET_DIR", os.path.join(root, "target")), "release", "reflow")
if not os.environ.get("REFLOW") and os.environ.get("NO_BUILD") != "1":
    subprocess.run(["cargo", "build", "--release", "--quiet"], check=True)

work = tempfile.mkdtemp(prefix="reflow-bigfile.")
socket = f"reflow-bigfile-{os.getpid()}"
data = os.environ.get("DATA") or os.path.join(work, f"big-{LINES_N}.log")


def generate(path, n):
    rng = random.Random(7)
    levels = ["INFO", "INFO", "INFO", "DEBUG", "WARN", "ERROR"]
    mods = ["server::http", "db::pool", "cache::lru", "auth::session", "net::peer"]
    words = ("request handled in ms for user session cache miss hit key connection "
             "pool timeout retrying upstream status ok error payload bytes latency").split()
    tails = [" ".join(rng.choice(words) for _ in range(9)) for _ in range(4096)]
    with open(path + ".tmp", "w") as out:
        buf = []
        t = 0
        for i in range(n):
            t += rng.randrange(40)
            buf.append("2024-05-17T%02d:%02d:%02d.%03dZ %-5s %s: req=%08x %s n=%d\n" % (
                t // 3600000 % 24, t // 60000 % 60, t // 1000 % 60, t % 1000,
                levels[i % 6], mods[i % 5], rng.getrandbits(32), tails[i & 4095], i))
            if len(buf) == 65536:
                out.write("".join(buf))
                buf.clear()
        buf.append("the last line: end-of-log\n")
        out.write("".join(buf))
    os.rename(path + ".tmp", path)


def tmux(*args, **kw):
    return subprocess.run(["tmux", "-L", socket, *args], capture_output=True, text=True, **kw)


def screen():
    return tmux("capture-pane", "-p", "-t", "bench:0.0").stdout


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def open_time(cmd, settled):
    # A server of its own per run: a new session on a server still shutting
    # down fails ("server exited unexpectedly").
    global socket
    socket = f"reflow-bigfile-{os.getpid()}-{time.monotonic_ns()}"
    conf = os.path.join(work, "tmux.conf")
    with open(conf, "w") as f:
        f.write("set -g status off\nset -g history-limit 0\n")
    start = time.monotonic()
    subprocess.run(["tmux", "-L", socket, "-f", conf, "new-session", "-d", "-s", "bench",
                    "-x", str(WIDTH), "-y", str(HEIGHT),
                    "env", "-u", "LESSOPEN", "-u", "LESSCLOSE", "LESS=", "LESSHISTFILE=-",
                    "TERM=tmux-256color", *cmd], check=True)
    polls = 0
    while "end-of-log" not in screen():
        polls += 1
        if time.monotonic() - start > 120:
            sys.exit(f"bench-bigfile: {cmd[0]} did not show the end in 120 s")
    took = time.monotonic() - start
    pid = int(tmux("list-panes", "-t", "bench", "-F", "#{pane_pid}").stdout.split()[0])
    # Settled: the status bar's count (reflow) is final and memory steady.
    deadline = time.monotonic() + 60
    last = -1
    while time.monotonic() < deadline:
        if settled(screen()):
            now = rss_kib(pid)
            if now == last:
                break
            last = now
        time.sleep(0.5)
    rss = rss_kib(pid)
    tmux("kill-server")
    return took, rss, polls


try:
    if not os.path.exists(data):
        print(f"generating {LINES_N} lines into {data}", file=sys.stderr)
        generate(data, LINES_N)
    size = os.path.getsize(data)
    # Both read from the page cache: one read ahead of the runs.
    subprocess.run(["cat", data], stdout=subprocess.DEVNULL, check=True)
    print(f"input: {LINES_N + 1} lines, {size / 1e6:.0f} MB", file=sys.stderr)
    results = {}
    for name, cmd, settled in [
        ("less", ["less", "+G", data], lambda s: True),
        ("reflow", [reflow, data], lambda s: f"{LINES_N + 1} lines" in s),
    ]:
        times, rsss = [], []
        for run in range(RUNS):
            took, rss, polls = open_time(cmd, settled)
            print(f"  {name} run {run + 1}: {took:.3f} s to the last line, "
                  f"{rss / 1024:.1f} MiB settled", file=sys.stderr)
            times.append(took)
            rsss.append(rss)
        results[name] = (statistics.median(times), min(times), max(rsss))
    (lt, lb, lr), (rt, rb, rr) = results["less"], results["reflow"]
    # The pane's own start (tmux, the shell-less exec, the first capture)
    # is most of either time and noisy: the median is the figure.
    print(f"less:   {lt:.3f} s to the last line (median; best {lb:.3f}), {lr / 1024:.1f} MiB")
    print(f"reflow: {rt:.3f} s to the last line (median; best {rb:.3f}), {rr / 1024:.1f} MiB")
    ratio = rt / lt
    print(f"OPEN RATIO reflow/less: {ratio:.2f} (median), {rb / lb:.2f} (best); "
          f"goal <= 2: {'PASS' if ratio <= 2 else 'FAIL'}")
    print(f"MEMORY reflow: {rr / 1024:.1f} MiB; goal <= 64 MiB: {'PASS' if rr <= 64 * 1024 else 'FAIL'}")
finally:
    tmux("kill-server")
    shutil.rmtree(work, ignore_errors=True)
