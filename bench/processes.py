"""The processes the benchmarks start (receivers, forwarders, HAProxy): each with its own log
file, waited for on its port, its CPU read from /proc, stopped politely or killed with -9.

The benchmarks import it from their own folder (`sys.path` holds a script's folder).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")
GRIDGOV = str(Path(sys.executable).with_name("gridgov"))


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process (every thread), seconds; 0 when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK


def wait_port(port: int, proc: subprocess.Popen | None = None, seconds: float = 90) -> None:
    """Return once something listens on 127.0.0.1:port; exit the bench if `proc` ended first
    or nothing listens within `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            sys.exit(f"process {proc.args} exited ({proc.returncode})")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    sys.exit(f"nothing listens on {port} after {seconds:.0f} s")


def receiver_args(port: int, store: bool = True, stats_every: float | None = 0) -> list[str]:
    """`gridgov hj212` on 127.0.0.1:port (stats_every None: the receiver's default)."""
    args = [GRIDGOV, "hj212", "--host", "127.0.0.1", "--port", str(port)]
    if stats_every is not None:
        args += ["--stats-every", f"{stats_every:g}"]
    return args if store else [*args, "--no-store"]


class Process:
    """One command, restartable: each start writes `<name>-<n>.log` in `folder`. `cpu()`
    counts the processes killed or stopped before as well."""

    def __init__(
        self, args: Sequence[str], folder: Path, name: str, port: int | None = None
    ) -> None:
        self.args, self.folder, self.name, self.port = list(args), folder, name, port
        self.proc: subprocess.Popen | None = None
        self.starts = 0
        self.cpu_done = 0.0

    @property
    def log(self) -> Path:
        return self.folder / f"{self.name}-{self.starts}.log"

    def start(self, wait_seconds: float = 90) -> float:
        """Start it (and wait for its port, if it has one); the seconds that took."""
        self.starts += 1
        began = time.perf_counter()
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(self.args, env=os.environ.copy(), stdout=log, stderr=log)
        if self.port is not None:
            wait_port(self.port, self.proc, wait_seconds)
        return time.perf_counter() - began

    def cpu(self) -> float:
        return self.cpu_done + (cpu_seconds(self.proc.pid) if self.proc else 0.0)

    def kill9(self) -> None:
        assert self.proc is not None
        self.cpu_done += cpu_seconds(self.proc.pid)
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        self.proc = None

    def stop(self, timeout: float = 60) -> int | None:
        """Terminate it (kill it after `timeout`); its exit code, None if it was not running."""
        if self.proc is None:
            return None
        self.cpu_done += cpu_seconds(self.proc.pid)
        self.proc.terminate()
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait()
        self.proc = None
        return code
