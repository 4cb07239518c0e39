"""Time and peak memory of `gridgov demo --no-serve` on a fresh SQLite database."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="gridgov-demo-bench-"))
    env = {**os.environ, "GRIDGOV_DATA_DIR": str(tmp), "DATABASE_URL": f"sqlite:///{tmp}/d.sqlite3"}
    gridgov = Path(sys.executable).with_name("gridgov")
    start = time.perf_counter()
    result = subprocess.run(
        [str(gridgov), "demo", "--no-serve"], env=env, capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        print(result.stderr)
        raise SystemExit("gridgov demo --no-serve failed")
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(
        f"gridgov demo --no-serve (migrate + build, SQLite): {elapsed:.1f} s wall, "
        f"peak RSS {peak_kb / 1024:.0f} MiB"
    )
    line = next((ln for ln in result.stdout.splitlines() if "Demo district built" in ln), "")
    print(f"  {line.strip()}")


if __name__ == "__main__":
    main()
