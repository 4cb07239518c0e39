"""Walk a running demo in a browser: every page each demo role can reach, at desk and phone size
(and the wall screen at 1920×1080), checking that the page is no wider than the screen, logs no
console or page error, answers 200 and passes axe-core's color-contrast rule. Saves a
screenshot of every page visited and prints a summary; exits 1 if anything failed.

    GRIDGOV_DATA_DIR=... gridgov serve --port 8120 &     # a demo district (gridgov demo)
    python scripts/walk_pages.py --base http://127.0.0.1:8120 --out /tmp/walk

The pages of a role: the landing page, the header menu's links (the phone's tab bar on phone
pages; the wall screen only at its own size), the overview, the desk and the phone home, and one
detail page of each kind linked from those (an order, a source, a station, a meeting, ...).
A tool, not a test: it needs the demo's accounts (password gridgov-demo) and Debian's chromium."""

from __future__ import annotations

import argparse
import re
import sys
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Page, sync_playwright
from rich.console import Console
from rich.table import Table

ROLES = ("command", "street", "community", "leader", "worker", "reviewer", "enforcer")
PASSWORD = "gridgov-demo"  # noqa: S105 — the demo accounts' published password
SIZES = {"desk": (1366, 900), "phone": (375, 812)}
WALL = (1920, 1080)
ALWAYS = ["/", "/overview/", "/orders/", "/orders/m/"]
# One page of each detail kind, the first link to it found on the pages walked.
DETAILS = [
    r"/orders/\d+/",
    r"/orders/m/\d+/",
    r"/sources/\d+/",
    r"/air/station/[^/]+/",
    r"/meetings/\d+/",
    r"/inspections/\d+/",
    r"/cases/\d+/",
    r"/racing/cards/\d+/",
    r"/racing/units/\d+/",
    r"/emergency/\d+/",
    r"/organisations/\d+/",
    r"/projects/\d+/",
    r"/mediation/cases/\d+/",
    r"/customs/\d+/",
    r"/forces/\d+/",
    r"/exposure/\d+/",
]
SKIP = re.compile(r"\.(pdf|xlsx|docx|geojson|json|csv)$|^/(admin|api|logout|static|media)/")
AXE = Path(__file__).resolve().parents[1] / "src/gridgov/web/static/vendor/axe-core/axe.min.js"
CONTRAST = """() => axe.run(document, {runOnly: {type: "rule", values: ["color-contrast"]}})
  .then(r => r.violations.flatMap(v => v.nodes.map(n => n.target.join(" "))))"""
WIDTH = "() => [document.documentElement.scrollWidth, window.innerWidth]"
LINKS = """() => Array.from(document.querySelectorAll('a[href]'), a => a.getAttribute('href'))"""
TALL = """() => Math.max(...Array.from(document.querySelectorAll('main, main > *'),
  e => e.scrollHeight - e.clientHeight)) + document.documentElement.clientHeight"""
MENU = """() => Array.from(document.querySelectorAll('#main-nav a[href], nav.tabbar a[href]'),
  a => a.getAttribute('href'))"""


def local(href: str, base: str) -> str | None:
    """The path of a link inside the site that may be a page, or None."""
    parts = urlsplit(href)
    if parts.netloc and f"{parts.scheme}://{parts.netloc}" != base:
        return None
    path = parts.path
    if not path.startswith("/") or SKIP.search(path):
        return None
    return path


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login/?next=/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("load")
    if "/login/" in page.url:
        raise SystemExit(f"cannot log in as {username}")


def check(
    page: Page, base: str, path: str, shot: Path, errors: list[str]
) -> tuple[dict[str, list[str]], list[str]]:
    """Visits the page; answers its problems by kind and the links found on it. `errors` is
    filled by the page's console and error listeners."""
    errors.clear()
    found: dict[str, list[str]] = defaultdict(list)
    try:
        answer = page.goto(base + path, wait_until="load")
        page.wait_for_load_state("networkidle", timeout=5000)
    except Exception as e:  # a page that does not load is a finding
        if "networkidle" not in str(e) and "Timeout" not in str(e):
            found["status"].append(str(e).splitlines()[0])
            return found, []
        answer = None
    if answer is not None and answer.status != 200:
        found["status"].append(str(answer.status))
    scroll, inner = page.evaluate(WIDTH)
    if scroll > inner:
        found["overflow"].append(f"{scroll} px wide in {inner}")
    page.add_script_tag(url="/static/vendor/axe-core/axe.min.js")
    if page.evaluate("typeof axe") != "object":
        page.add_script_tag(path=str(AXE))
    found["contrast"] += page.evaluate(CONTRAST)
    screenshot(page, shot)
    found["console"] += errors
    return found, page.evaluate(LINKS)


def screenshot(page: Page, shot: Path) -> None:
    """The whole page, also where the page scrolls inside its <main> (the overview's cards): the
    viewport is made as tall as the content for the picture."""
    size = page.viewport_size or {"width": 1366, "height": 900}
    tall = page.evaluate(TALL)
    if tall > size["height"]:
        page.set_viewport_size({"width": size["width"], "height": min(tall, 8000)})
        page.wait_for_timeout(200)
    page.screenshot(path=shot, full_page=True)
    page.set_viewport_size(size)


def walk(base: str, out: Path, roles: list[str]) -> dict:
    results: dict = {}  # (role, size) -> {path: problems}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium")
        for role in roles:
            context = browser.new_context(locale="zh-CN")
            page = context.new_page()
            log_in(page, base, role)
            pages = list(ALWAYS)
            for start in ("/", "/orders/m/"):
                page.goto(base + start)
                pages += [x for h in page.evaluate(MENU) if (x := local(h, base))]
            pages = [x for x in dict.fromkeys(pages) if x != "/overview/wall/"]
            sizes = dict(SIZES, wall=WALL)
            for size, (w, h) in sizes.items():
                page.close()
                page = context.new_page()
                page.set_viewport_size({"width": w, "height": h})
                errors: list[str] = []
                page.on(
                    "console", lambda m, e=errors: e.append(m.text) if m.type == "error" else None
                )
                page.on("pageerror", lambda x, e=errors: e.append(f"page error: {x}"))
                todo = ["/overview/wall/"] if size == "wall" else list(pages)
                kinds = [] if size == "wall" else list(DETAILS)
                done: dict[str, dict] = {}
                while todo:
                    path = todo.pop(0)
                    name = f"{role}-{size}-{path.strip('/').replace('/', '-') or 'home'}.png"
                    done[path], links = check(page, base, path, out / name, errors)
                    for href in links:
                        x = local(href, base)
                        kind = next((k for k in kinds if x and re.fullmatch(k, x)), None)
                        if kind and x not in done and x not in todo:
                            kinds.remove(kind)
                            todo.append(x)
                results[(role, size)] = done
                bad = {k: v for k, v in done.items() if any(v.values())}
                print(f"{role:10} {size:5} {len(done):3} pages, {len(bad)} with problems")
            context.close()
        browser.close()
    return results


def summary(results: dict, console: Console) -> int:
    table = Table(title="Pages walked")
    for col in ("role", "size", "visited", "status", "overflow", "console", "contrast"):
        table.add_column(col, justify="left" if col in ("role", "size") else "right")
    totals: dict[str, int] = defaultdict(int)
    failures: list[str] = []
    for (role, size), done in results.items():
        row: dict[str, int] = defaultdict(int)
        for path, found in done.items():
            for kind, items in found.items():
                if items:
                    row[kind] += 1
                    failures.append(f"{role} {size} {path} {kind}: {'; '.join(items)[:300]}")
        row["visited"] = len(done)
        for k, v in row.items():
            totals[k] += v
        table.add_row(
            role,
            size,
            *(str(row[k]) for k in ("visited", "status", "overflow", "console", "contrast")),
        )
    table.add_row(
        "total",
        "",
        *(str(totals[k]) for k in ("visited", "status", "overflow", "console", "contrast")),
        style="bold",
    )
    console.print(table)
    for f in failures:
        console.print(f, markup=False, highlight=False)
    return 1 if failures else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://127.0.0.1:8120")
    parser.add_argument("--out", type=Path, default=Path("walk-shots"))
    parser.add_argument("--roles", default=",".join(ROLES), help="comma-separated usernames")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    results = walk(args.base.rstrip("/"), args.out, args.roles.split(","))
    return summary(results, Console(width=160))


if __name__ == "__main__":
    sys.exit(main())
