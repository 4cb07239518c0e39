"""`gridgov help` (issue 21, item 11: ≤ 0.5 s): the wall time of the whole command — Python's
start, the settings, the listing — as a new process, BENCH_RUNS times (default 11); the median,
and its ratio to the goal; and its CPU time (user + sys: what it costs when other work shares
the cores). For comparison, the same listing the slow way (Django set up, every
app's plug-ins registered: what any other command pays before it starts, and what
`gridgov help <command>` still pays)."""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GOAL_SECONDS = 0.5
RUNS = int(os.environ.get("BENCH_RUNS", "11"))
SLOW = (
    "import os, sys\n"
    "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'gridgov.settings')\n"
    "from django.core.management import execute_from_command_line\n"
    "execute_from_command_line(['gridgov', 'help'])\n"
)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(argv: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """(wall s, CPU s, output) of one run."""
    cpu, start = _children_cpu(), time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=True)
    return time.perf_counter() - start, _children_cpu() - cpu, done.stdout


def main() -> None:
    env = {**os.environ, "GRIDGOV_DATA_DIR": tempfile.mkdtemp(prefix="gridgov-cli-bench-")}
    gridgov = Path(sys.executable).with_name("gridgov")
    command = [str(gridgov)] if gridgov.exists() else [sys.executable, "-m", "gridgov.cli"]
    fast, fast_cpu, listing = zip(
        *(timed([*command, "help"], env) for _ in range(RUNS)), strict=True
    )
    slow, slow_cpu, django_listing = zip(
        *(timed([sys.executable, "-c", SLOW], env) for _ in range(max(3, RUNS // 3))), strict=True
    )
    median = statistics.median(fast)
    print(f"`gridgov help` ({RUNS} runs, wall time of a new process)")
    print(f"  median {median:.3f} s   min {min(fast):.3f} s   max {max(fast):.3f} s")
    print(f"  ratio to the {GOAL_SECONDS} s goal: {median / GOAL_SECONDS:.2f}")
    print(f"  CPU (user + sys): median {statistics.median(fast_cpu):.3f} s")
    print(
        f"  Django's own listing (django.setup()): median {statistics.median(slow):.3f} s, "
        f"CPU {statistics.median(slow_cpu):.3f} s"
    )
    same = listing[0] == django_listing[0]
    print(f"  the same listing as Django's: {'yes' if same else 'NO'}")
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
