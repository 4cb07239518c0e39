"""Pages under load: 16 simulated officials browsing the overview, the order desk and the
station map (with the JSON those pages fetch) against `gridgov serve` (gunicorn, its default
workers) on a demo database, everything on this machine (server and load generator together).

    python bench/pages_load.py [--data-dir DIR] [--seconds 30] [--users 16] [--port 8766]
                                [--no-browser-cache] [--think S] [--healthz-seconds 10]

--data-dir: a directory holding a built demo (GRIDGOV_DATA_DIR); without it the demo is built
into a temporary directory first (`gridgov demo --no-serve`, a few minutes). First the same users
ask only `/healthz` (no database, no template) for --healthz-seconds (0: skipped): the server's
own speed on this machine. Then the pages. Prints per address: requests, errors, requests/s,
p50/p95/p99, p95 against the 300 ms target (issue 11) and p95 against /healthz's (issue 21).
Each simulated user keeps a browser's HTTP cache: what a response allows to be kept
(Cache-Control max-age) is not asked again, and what carries an ETag is revalidated (304);
`--no-browser-cache` fetches everything every time. Users go on to the next page at once
(a saturation test) unless `--think S` makes them read each page for S seconds.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

TARGET_P95_MS = 300.0
ROLES = ["command", "street", "community", "leader"]  # the demo logins, in turn
PASSWORD = "gridgov-demo"  # noqa: S105  (the demo's documented password)
# page → the JSON its script fetches on load (static files are WhiteNoise's and not counted)
BASE = "/map/boundaries.geojson"  # every map's base layer (web/static/web/basemap.js)
PAGES = {
    "/overview/": [BASE, "/api/v1/overview/map?layers=stations,orders"],
    "/orders/": [BASE, "/api/v1/grids.geojson"],
    "/air/": [BASE, "/api/v1/grids.geojson", "/api/v1/air/latest"],
}


class Session:
    """One logged-in browser: a cookie jar and keep-alive-free urllib requests."""

    def __init__(self, base: str, browser_cache: bool = True) -> None:
        self.base = base
        self.browser_cache = browser_cache
        self.cache: dict[str, tuple[str | None, float]] = {}  # path → (ETag, fresh until)
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str) -> tuple[int, float] | None:
        """Fetch as a browser would: None when its HTTP cache may answer without asking (within
        Cache-Control max-age); with a stored ETag, a conditional request (304 is a success)."""
        now = time.monotonic()
        cached = self.cache.get(path) if self.browser_cache else None
        if cached is not None and cached[1] > now:
            return None
        request = urllib.request.Request(self.base + path)  # noqa: S310  (our own http:// base)
        if cached is not None and cached[0]:
            request.add_header("If-None-Match", cached[0])
        start = time.perf_counter()
        try:
            with self.opener.open(request, timeout=60) as r:
                r.read()
                status = r.status
                self._remember(path, r.headers)
        except urllib.error.HTTPError as exc:
            exc.read()
            status = exc.code
            if status == 304:
                status = 200  # the browser shows its copy
        except OSError:
            status = 0
        return status, time.perf_counter() - start

    def _remember(self, path: str, headers: Any) -> None:
        control = headers.get("Cache-Control", "") or ""
        age = re.search(r"max-age=(\d+)", control)
        fresh = 0 if "no-cache" in control or age is None else int(age.group(1))
        etag = headers.get("ETag")
        if fresh or etag:
            self.cache[path] = (etag, time.monotonic() + fresh)

    def login(self, username: str) -> None:
        with self.opener.open(self.base + "/login/", timeout=60) as r:
            page = r.read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if token is None:
            raise SystemExit("no CSRF token on /login/")
        body = urllib.parse.urlencode(
            {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1)}
        ).encode()
        request = urllib.request.Request(  # noqa: S310  (our own http:// base)
            self.base + "/login/", data=body, headers={"Referer": self.base + "/login/"}
        )
        with self.opener.open(request, timeout=60) as r:
            r.read()
        if not any(c.name == "sessionid" for c in self.jar):
            raise SystemExit(f"login as {username} failed")


def build_demo(gridgov: Path) -> Path:
    tmp = Path(tempfile.mkdtemp(prefix="gridgov-pages-bench-"))
    print(f"building the demo into {tmp} …", flush=True)
    env = {**os.environ, "GRIDGOV_DATA_DIR": str(tmp)}
    env.pop("DATABASE_URL", None)
    subprocess.run(
        [str(gridgov), "demo", "--no-serve"], env=env, check=True, stdout=subprocess.DEVNULL
    )
    return tmp


def wait_for(base: str, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as r:  # noqa: S310
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("gridgov serve did not answer")


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


def healthz(sessions: list[Session], seconds: float) -> list[float]:
    """Every user asks /healthz again and again for `seconds`: each answer's time."""
    timings: list[float] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def ask(s: Session) -> None:
        while time.monotonic() < stop:
            answer = s.get("/healthz")
            if answer is not None and answer[0] == 200:
                with lock:
                    timings.append(answer[1])

    threads = [threading.Thread(target=ask, args=(s,)) for s in sessions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return timings


def run(
    base: str,
    users: int,
    seconds: float,
    browser_cache: bool = True,
    think: float = 0.0,
    healthz_seconds: float = 10.0,
) -> None:
    sessions = []
    for i in range(users):
        s = Session(base, browser_cache)
        s.login(ROLES[i % len(ROLES)])
        sessions.append(s)
    health = [x * 1000 for x in healthz(sessions, healthz_seconds)] if healthz_seconds else []
    health_p95 = percentile(health, 95)
    pages = dict(PAGES)
    status, _ = sessions[0].get("/overview/") or (200, 0.0)
    if status != 200:
        print(f"note: /overview/ answered {status}; it is left out (not merged yet?)")
        pages.pop("/overview/")
    urls = list(dict.fromkeys(u for page, fetched in pages.items() for u in (page, *fetched)))
    for u in urls:
        status, _ = sessions[0].get(u) or (200, 0.0)
        if status != 200:
            raise SystemExit(f"{u} answered {status}")
    for s in sessions:  # warm every worker's caches once, untimed
        for u in urls:
            s.get(u)
    timings: dict[str, list[float]] = {u: [] for u in urls}
    errors: dict[str, int] = {u: 0 for u in urls}
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def browse(s: Session, offset: int) -> None:
        order = list(pages.items())
        k = offset
        while time.monotonic() < stop:
            page, fetched = order[k % len(order)]
            k += 1
            for u in (page, *fetched):
                answer = s.get(u)
                if answer is None:
                    continue  # the browser's cache answered
                status, took = answer
                with lock:
                    timings[u].append(took)
                    if status != 200:
                        errors[u] += 1
            if think:
                time.sleep(think)  # reading the page before the next one

    threads = [threading.Thread(target=browse, args=(s, i)) for i, s in enumerate(sessions)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    print(
        f"{users} users ({', '.join(ROLES)} in turn), {elapsed:.0f} s, "
        f"gunicorn default workers, {os.cpu_count()} cores shared with the load generator, "
        + ("a browser's HTTP cache per user (max-age, ETag)" if browser_cache else "no HTTP cache")
        + f", {think:g} s between pages"
    )
    print(
        f"{'url':44} {'req':>6} {'err':>4} {'req/s':>7} {'p50':>7} {'p95':>7} {'p99':>7} "
        "p95/300ms p95/healthz"
    )
    if health:
        print(
            f"{'/healthz (alone, before the pages)':44} {len(health):6d} {0:4d} "
            f"{len(health) / healthz_seconds:7.1f} {statistics.median(health):6.0f}ms "
            f"{health_p95:6.0f}ms {percentile(health, 99):6.0f}ms "
            f"{health_p95 / TARGET_P95_MS:8.2f} {1:10.2f}"
        )
    for u in urls:
        t = [x * 1000 for x in timings[u]]
        p95 = percentile(t, 95)
        print(
            f"{u:44} {len(t):6d} {errors[u]:4d} {len(t) / elapsed:7.1f} "
            f"{statistics.median(t) if t else float('nan'):6.0f}ms {p95:6.0f}ms "
            f"{percentile(t, 99):6.0f}ms {p95 / TARGET_P95_MS:8.2f} {p95 / health_p95:10.2f}"
        )
    print(f"all addresses: {sum(map(len, timings.values())) / elapsed:.1f} req/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--users", type=int, default=16)
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument(
        "--think", type=float, default=0.0, help="seconds a user reads a page before the next"
    )
    parser.add_argument(
        "--healthz-seconds",
        type=float,
        default=10.0,
        help="seconds of /healthz alone before the pages (the baseline; 0: skipped)",
    )
    parser.add_argument(
        "--no-browser-cache",
        action="store_true",
        help="fetch everything every time (no max-age, no ETag), unlike a browser",
    )
    args = parser.parse_args()
    gridgov = Path(sys.executable).with_name("gridgov")
    data = args.data_dir or build_demo(gridgov)
    env = {**os.environ, "GRIDGOV_DATA_DIR": str(data), "LOG_LEVEL": "warning"}
    env.pop("DATABASE_URL", None)
    server = subprocess.Popen(
        [str(gridgov), "serve", "--host", "127.0.0.1", "--port", str(args.port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{args.port}"
    try:
        wait_for(base)
        run(
            base,
            args.users,
            args.seconds,
            not args.no_browser_cache,
            args.think,
            args.healthz_seconds,
        )
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
