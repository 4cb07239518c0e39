"""`gridgov demo --no-serve` into a fresh temporary directory (SQLite): wall time, CPU time
(user + sys: what the build itself costs when other work shares the cores), peak memory, how
many lines it printed besides its progress bar, and the wall time against the 60 s target
(issue 11: the demo builds in a minute on 2 cores)."""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_SECONDS = 60.0


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="gridgov-demo-build-"))
    env = {**os.environ, "GRIDGOV_DATA_DIR": str(tmp)}
    env.pop("DATABASE_URL", None)
    gridgov = Path(sys.executable).with_name("gridgov")
    start = time.perf_counter()
    result = subprocess.run(
        [str(gridgov), "demo", "--no-serve"], env=env, capture_output=True, text=True, check=False
    )
    wall = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        print(result.stdout[-2000:], result.stderr[-4000:])
        raise SystemExit("gridgov demo --no-serve failed")
    lines = [ln for ln in result.stdout.splitlines() if ln.strip()]
    # Not a terminal here, so the bar prints once, at the end; the rest is the summary and
    # the logins table. Anything else (a logged notice, a warning) is noise.
    noise = [ln for ln in lines if ln.startswith(("notify ", "WARNING", "INFO", "Traceback"))]
    print(
        f"gridgov demo --no-serve (migrate + build, SQLite): {wall:.1f} s wall, "
        f"{usage.ru_utime + usage.ru_stime:.1f} s CPU (user {usage.ru_utime:.1f} + "
        f"sys {usage.ru_stime:.1f}), peak RSS {usage.ru_maxrss / 1024:.0f} MiB"
    )
    built = next((ln.strip() for ln in lines if "Demo district built" in ln), "")
    print(f"  {built}")
    print(
        f"  output: {len(lines)} lines, {len(noise)} of them log noise; "
        f"stderr {len(result.stderr.splitlines())} lines"
    )
    print(f"  wall / {TARGET_SECONDS:.0f} s target: {wall / TARGET_SECONDS:.2f}")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
