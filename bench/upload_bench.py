"""Photo uploads within a memory budget: the server's memory while it takes the largest photos it
accepts, four at a time, and while it refuses larger ones.

Starts `gridgov serve` (gunicorn, 2 workers × 4 threads, the defaults) on a temporary SQLite
database, then posts, four at a time: the largest PNGs an account may send to the API
(GRIDGOV_UPLOAD_MEMORY_MB), the largest the public page takes (GRIDGOV_PUBLIC_UPLOAD_MEMORY_MB),
and the reported over-limit ones (7700 × 7700 PNGs of ~173 KB). The PNGs are of one colour, so they
compress small: the cost is all in decoding. Meanwhile a thread reads VmRSS of the gunicorn master
and its workers from /proc every 10 ms; the peak of their sum is compared with the 300 MB goal.
"""

from __future__ import annotations

import contextlib
import http.client
import io
import json
import math
import os
import re
import secrets
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

PORT = 8766
GOAL_MB = 300
CONCURRENT = 4
PASSWORD = secrets.token_urlsafe(12)
POINT = (35.2, 113.05)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def flat_png(width: int, height: int) -> bytes:
    """An RGB PNG of one colour, compressed row by row (never whole in this process's memory)."""
    z = zlib.compressobj(9)
    row = b"\x00" + b"\x50\x80\x30" * width
    idat = b"".join(z.compress(row) for _ in range(height)) + z.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")
    )


def largest_png(budget_mb: int) -> tuple[int, int]:
    """The largest 4:3 RGB image within a budget: pixels = budget bytes / 4 bytes a pixel."""
    pixels = budget_mb * 1024 * 1024 // 4
    height = math.isqrt(pixels * 3 // 4)
    width = pixels // height
    return width, height


def prepare(tmp: Path) -> int:
    """A one-grid territory, an account that may add photos to any order, and one open order."""
    os.environ["GRIDGOV_DATA_DIR"] = str(tmp)
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "gridgov.settings"
    os.environ.setdefault("GRIDGOV_PUBLIC_REPORTS_PER_HOUR", "1000")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from gridgov.territory.models import GridKind, Level
    from gridgov.territory.services import RegionSpec, apply_plan
    from gridgov.workorders.models import Category, Source
    from gridgov.workorders.services import EventInput, create_event

    call_command("migrate", verbosity=0)

    def box(lon0: float, lat0: float, lon1: float, lat1: float) -> dict:
        ring = [[lon0, lat0], [lon1, lat0], [lon1, lat1], [lon0, lat1], [lon0, lat0]]
        return {"type": "Polygon", "coordinates": [ring]}

    area = box(113.0, 35.0, 113.4, 35.4)
    apply_plan(
        [
            RegionSpec("D", "测试区", Level.DISTRICT, None, area),
            RegionSpec("D-S", "街道", Level.STREET, "D", area),
            RegionSpec("D-S-C", "社区", Level.COMMUNITY, "D-S", area),
            RegionSpec(
                "D-S-C-G", "网格", Level.GRID, "D-S-C", area, GridKind.URBAN, ["governance"]
            ),
        ]
    )
    get_user_model().objects.create_superuser("bench", password=PASSWORD)
    order = create_event(
        EventInput(
            source=Source.HOTLINE,
            category=Category.objects.filter(public=True, parent__isnull=False).first(),
            title="扬尘",
            lat=POINT[0],
            lon=POINT[1],
        )
    )
    return order.pk


class Rss:
    """The summed VmRSS (MB) of a process and its children, sampled in a thread."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak = 0.0
        self.peak_pss = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def pids(self) -> list[int]:
        out = [self.pid]
        for task in Path(f"/proc/{self.pid}/task").glob("*/children"):
            with contextlib.suppress(OSError):
                out += [int(p) for p in task.read_text().split()]
        return out

    def now(self) -> float:
        total = 0
        for pid in self.pids():
            with contextlib.suppress(OSError):
                status = Path(f"/proc/{pid}/status").read_text()
                total += int(re.search(r"VmRSS:\s+(\d+)", status).group(1))
        return total / 1024

    def now_pss(self) -> float:
        """The summed proportional set size (MB): pages shared between the master and its
        workers (the interpreter, libraries) counted once, not once per process as RSS does."""
        total = 0
        for pid in self.pids():
            with contextlib.suppress(OSError):
                rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
                total += int(re.search(r"^Pss:\s+(\d+)", rollup, re.M).group(1))
        return total / 1024

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.now())
            self.peak_pss = max(self.peak_pss, self.now_pss())
            time.sleep(0.01)

    def __enter__(self) -> Rss:
        self.peak = self.now()
        self.peak_pss = self.now_pss()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._stop.clear()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def request(
    method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=120)
    try:
        conn.request(method, path, body=body or None, headers=headers or {})
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        conn.close()


def multipart(fields: dict[str, str], files: list[tuple[str, str, bytes]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    out = io.BytesIO()
    for name, value in fields.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode())
        out.write(value.encode() + b"\r\n")
    for name, filename, data in files:
        out.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: image/png\r\n\r\n'.encode()
        )
        out.write(data + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


def token() -> str:
    body = json.dumps({"username": "bench", "password": PASSWORD}).encode()
    status, _, payload = request(
        "POST", "/api/v1/auth/token", body, {"Content-Type": "application/json"}
    )
    assert status == 200, payload
    return json.loads(payload)["token"]


def api_upload(order_id: int, bearer: str, png: bytes) -> tuple[int, str]:
    body, ctype = multipart({"stage": "before"}, [("photo", "p.png", png)])
    status, _, payload = request(
        "POST",
        f"/api/v1/orders/{order_id}/photos",
        body,
        {"Content-Type": ctype, "Authorization": f"Bearer {bearer}"},
    )
    return status, payload.decode()[:200]


def public_report(png: bytes) -> tuple[int, str]:
    status, headers, page = request("GET", "/report/")
    cookie = re.search(r"csrftoken=([^;]+)", headers.get("set-cookie", "")).group(1)
    form_token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
    from gridgov.workorders.models import Category

    category = Category.objects.filter(public=True, parent__isnull=False).first().code
    body, ctype = multipart(
        {
            "csrfmiddlewaretoken": form_token,
            "category": category,
            "lat": str(POINT[0]),
            "lon": str(POINT[1]),
            "description": "工地夜间扬尘严重",
        },
        [("photos", "p.png", png)],
    )
    status, _, page = request(
        "POST", "/report/", body, {"Content-Type": ctype, "Cookie": f"csrftoken={cookie}"}
    )
    text = page.decode()
    if "已收到您的反映" in text:
        return status, "accepted"
    error = re.search(r'<p class="error">([^<]+)</p>', text)
    return status, error.group(1) if error else text[:200]


def phase(rss: Rss, label: str, jobs: list) -> tuple[float, float, list[tuple[int, str]]]:
    with rss, ThreadPoolExecutor(CONCURRENT) as pool:
        started = time.perf_counter()
        results = list(pool.map(lambda job: job(), jobs))
        wall = time.perf_counter() - started
    return rss.peak, wall, results


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="gridgov-upload-"))
    order_id = prepare(tmp)
    from django.conf import settings

    official_mb = settings.GRIDGOV_UPLOAD_MEMORY_MB
    public_mb = settings.GRIDGOV_PUBLIC_UPLOAD_MEMORY_MB
    official = largest_png(official_mb)
    public = largest_png(public_mb)
    pngs = {
        "official": flat_png(*official),
        "public": flat_png(*public),
        "over": flat_png(7700, 7700),
        "small": flat_png(640, 480),
    }
    gridgov = Path(sys.executable).with_name("gridgov")
    server = subprocess.Popen(
        [str(gridgov), "serve", "--port", str(PORT), "--workers", "2", "--threads", "4"],
        env={**os.environ},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(200):
            try:
                with contextlib.closing(socket.create_connection(("127.0.0.1", PORT), 0.2)):
                    break
            except OSError:
                time.sleep(0.1)
        rss = Rss(server.pid)
        bearer = token()
        # Warm both workers up (pages, API, Pillow's plugins) with small photos.
        for _ in range(3):
            phase(rss, "warm", [lambda: api_upload(order_id, bearer, pngs["small"])] * 4)
            phase(rss, "warm", [lambda: public_report(pngs["small"])] * 4)
        time.sleep(1)
        idle = rss.now()
        rows = [
            (
                f"API, {CONCURRENT} × largest for an account ({official[0]}×{official[1]} PNG, "
                f"{len(pngs['official']) // 1024} KB; budget {official_mb} MB)",
                [lambda: api_upload(order_id, bearer, pngs["official"])] * CONCURRENT,
                201,
            ),
            (
                f"public page, {CONCURRENT} × largest for the public ({public[0]}×{public[1]} "
                f"PNG, {len(pngs['public']) // 1024} KB; budget {public_mb} MB)",
                [lambda: public_report(pngs["public"])] * CONCURRENT,
                "accepted",
            ),
            (
                f"API, {CONCURRENT} × over the limit (7700×7700 PNG, "
                f"{len(pngs['over']) // 1024} KB)",
                [lambda: api_upload(order_id, bearer, pngs["over"])] * CONCURRENT,
                400,
            ),
            (
                f"public page, {CONCURRENT} × over the limit (7700×7700 PNG)",
                [lambda: public_report(pngs["over"])] * CONCURRENT,
                "error",
            ),
        ]
        print(
            f"photo uploads, gunicorn 2 workers × 4 threads, SQLite; idle RSS (master + workers) "
            f"{idle:.0f} MB; goal: peak under {GOAL_MB} MB"
        )
        worst = idle
        idle_pss = rss.now_pss()
        worst_pss = idle_pss
        for label, jobs, expected in rows:
            peak, wall, results = phase(rss, label, jobs)
            worst = max(worst, peak)
            worst_pss = max(worst_pss, rss.peak_pss)
            if expected == "error":
                ok = sum(r[1] != "accepted" and "too large" in r[1] for r in results)
            elif expected == "accepted":
                ok = sum(r[1] == "accepted" for r in results)
            else:
                ok = sum(r[0] == expected for r in results)
            print(
                f"  {label}: peak RSS {peak:.0f} MB (+{peak - idle:.0f} over idle), "
                f"{peak / GOAL_MB:.2f} of the goal; {ok}/{len(results)} answered as expected "
                f"in {wall:.2f} s"
            )
            if ok != len(results):
                print(f"    unexpected answers: {[r for r in results][:2]}")
        print(
            f"  peak RSS over the run: {worst:.0f} MB = {worst / GOAL_MB:.2f} × the {GOAL_MB} MB "
            f"goal (the idle server alone: {idle:.0f} MB = {idle / GOAL_MB:.2f}); the uploads "
            f"added at most {worst - idle:.0f} MB = {(worst - idle) / GOAL_MB:.2f} × the goal"
        )
        print(
            f"  peak PSS over the run (shared pages counted once): {worst_pss:.0f} MB = "
            f"{worst_pss / GOAL_MB:.2f} × the {GOAL_MB} MB goal (idle: {idle_pss:.0f} MB)"
        )
        print(
            f"  bound: each worker decodes at most GRIDGOV_UPLOAD_MEMORY_MB ({official_mb} MB) of "
            f"pixels at once, so uploads add about 2 workers × {official_mb} MB × 1.25 = "
            f"{2 * official_mb * 1.25:.0f} MB at most, however many arrive together"
        )
    finally:
        server.terminate()
        server.wait(timeout=20)


if __name__ == "__main__":
    main()
