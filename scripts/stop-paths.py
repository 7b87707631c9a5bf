#!/usr/bin/env python3
"""Every way of stopping the binary, measured in a real pseudo-terminal.

For each path: start `reflow --save FILE` on 100,000 lines under a pty,
wait for its display, stop it, and report the exit status, the time from
the stop to the exit, whether the terminal was left (alternate screen off,
cursor shown, canonical mode back) and whether the saved file holds every
byte. Also with a terminal that stopped reading (nobody drains the pty).

Usage: scripts/stop-paths.py [path/to/reflow]   (default: target/release/reflow)
"""

import fcntl
import os
import pty
import select
import signal
import subprocess
import sys
import tempfile
import termios
import time

BIN = sys.argv[1] if len(sys.argv) > 1 else "target/release/reflow"
LINES = 100_000


def drain(fd, until, want=None):
    """Reads the pty until `want` appears (or the deadline); returns all."""
    out = b""
    while time.monotonic() < until:
        ready, _, _ = select.select([fd], [], [], 0.05)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
        if want and want in out:
            break
    return out


def run(name, stop, args=(), read=True, tail=b""):
    data = b"".join(b"line %d \x1b]0;title\x07 \xff\r\n" % i for i in range(LINES))
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "in.log")
        save = os.path.join(tmp, "saved.log")
        with open(src, "wb") as f:
            f.write(data + tail)
        master, slave = pty.openpty()
        termios.tcsetwinsize(slave, (24, 80))
        started = time.monotonic()
        proc = subprocess.Popen(
            [BIN, "--save", save, *args, src],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            start_new_session=True,
            env={**os.environ, "TERM": "xterm-256color"},
            # The pty becomes the controlling terminal: keys raise signals.
            preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0),
        )
        os.close(slave)
        shown = b""
        if read and stop is not None:
            shown = drain(master, time.monotonic() + 10, b"%d lines" % LINES)
        elif not read:
            # Nobody reads: resizes make whole new frames until the pty's
            # buffer is full and the display's writes block.
            time.sleep(0.5)
            for i in range(300):
                termios.tcsetwinsize(master, (24 + i % 20, 80 + i % 40))
                proc.send_signal(signal.SIGWINCH)
                time.sleep(0.005)
        # A path that stops by itself is timed from the start.
        t0 = time.monotonic() if stop is not None else started
        if stop is not None:
            stop(proc, master)
        after = b""
        while proc.poll() is None and time.monotonic() - t0 < 10:
            if read:
                after += drain(master, time.monotonic() + 0.01)
            else:
                time.sleep(0.001)
        took = time.monotonic() - t0
        status = proc.poll()
        if read:
            after += drain(master, time.monotonic() + 0.2)
        modes = termios.tcgetattr(master)
        restored = (
            (not read or after.rfind(b"\x1b[?1049l") > after.rfind(b"\x1b[?1049h"))
            and (not read or after.rfind(b"\x1b[?25h") > after.rfind(b"\x1b[?25l"))
            and bool(modes[3] & termios.ICANON)
        )
        with open(save, "rb") as f:
            saved = f.read() == data
        os.close(master)
        return status, took, restored, saved


def key(k):
    return lambda proc, master: os.write(master, k)


def sig(s):
    return lambda proc, master: proc.send_signal(s)


def then_q(first):
    """Ctrl-C or SIGINT keeps the view, as in less: then `q` quits."""

    def stop(proc, master):
        first(proc, master)
        drain(master, time.monotonic() + 10, b"interrupted")
        os.write(master, b"q")

    return stop


PATHS = [
    # Stops by themselves: timed from the start (reading 100,000 lines).
    ("end of input with -E", None, {"args": ["-E"]}),
    ("sentinel", None, {"args": ["--sentinel", "STOP"], "tail": b"STOP\nnot shown\n"}),
    ("q", key(b"q"), {}),
    ("Ctrl-C (view stays), then q", then_q(key(b"\x03")), {}),
    ("SIGINT (view stays), then q", then_q(sig(signal.SIGINT)), {}),
    ("SIGTERM", sig(signal.SIGTERM), {}),
    ("SIGHUP", sig(signal.SIGHUP), {}),
    ("SIGQUIT", sig(signal.SIGQUIT), {}),
    ("Ctrl-\\", key(b"\x1c"), {}),
    ("SIGTERM, terminal not read", sig(signal.SIGTERM), {"read": False}),
    ("SIGHUP, terminal not read", sig(signal.SIGHUP), {"read": False}),
]

print(f"{'path':30} {'status':>6} {'exit after':>11} {'restored':>9} {'--save whole':>13}")
for name, stop, opts in PATHS:
    status, took, restored, saved = run(name, stop, **opts)
    print(f"{name:30} {str(status):>6} {took * 1000:9.0f} ms {str(restored):>9} {str(saved):>13}")
