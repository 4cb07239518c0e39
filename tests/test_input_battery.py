"""The bad-input battery: one district (tests/api_district.py), many bad requests. Every body
type (JSON, and the same JSON as text/plain, application/octet-stream, with no content type, and
form-encoded), every kind of bad value (control characters, noncharacters, deep nesting,
integers and numbers as dates, booleans as ids, impossible coordinates beside a grid) on the
API's writing operations: each is refused with a 4xx, none answers a 5xx, and afterwards no
stored row holds a control character, a noncharacter, a non-finite number or a date outside the
stored window. The counts are printed and written to bench/out/input_battery.json.

(Its own module: tests/test_input_boundary.py has a `stations` fixture of its own, which the
district's would clash with.)"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from gridgov import inputs
from tests.api_district import District, district, put, stations  # noqa: F401

pytestmark = pytest.mark.django_db

RAW_INF = "__RAW_1e309__"  # replaced by the bare JSON number 1e309 (parsed as infinity)
BODY_TYPES = ["application/json", "text/plain", "application/octet-stream", ""]
TEXTS = ["a\x00b", "x\x1b[31m", "\x85", "\uffff", "\ufffe", "\ufdd0", "\U0010ffff", "\U0001fffe"]
DATES = [1500, 1978, 1e10, True, "1978", "1899-12-31", "9999-01-01", "0001-01-01T00:00:00"]
IDS = [True, False, [True], 2**63]
POINTS = ["1e309", "-1e309", "nan", "inf", RAW_INF, float("inf"), 91, -181, True]
OUTSIDE = (39.9, 116.4)  # Beijing: a real place, far outside the test district
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
REPORT = Path(__file__).resolve().parent.parent / "bench" / "out" / "input_battery.json"


def _operations(d: District) -> list[tuple[str, dict[str, Any], dict[str, list[Any]]]]:
    """(path, a body the operation would take, {field: bad values}) for each operation."""
    grid = "D-S1-C1-G1"
    event = {
        "source": "patrol",
        "category": "construction_dust",
        "title": "工地扬尘",
        "lat": 35.2,
        "lon": 113.05,
    }
    return [
        (
            "/api/v1/events",
            event,
            {"title": TEXTS, "lat": POINTS, "lon": POINTS, "priority": IDS[:2]},
        ),
        (
            f"/api/v1/orders/{d.g1_order}/transitions",
            {"action": "reassign", "note": "x"},
            {"note": TEXTS, "assignee": IDS},
        ),
        (f"/api/v1/alarms/{d.alarm}/acknowledge", {"note": "x"}, {"note": TEXTS}),
        ("/api/v1/inbox/read", {"ids": [1]}, {"ids": [[True], [2**63], True]}),
        (
            "/api/v1/commands",
            {
                "title": "防尘",
                "body": "落实",
                "due_at": "2026-06-01T10:00:00+08:00",
                "units": [grid],
            },
            {"title": TEXTS, "due_at": DATES, "people": [[True], [2**63]]},
        ),
        ("/api/v1/bulletins", {"kind": "day", "date": "2026-03-01"}, {"date": DATES}),
        (
            "/api/v1/meetings",
            {
                "title": "调度会",
                "kind": "dispatch",
                "starts_at": "2026-03-02T09:00:00+08:00",
                "place": "会议室",
                "convener": "D-S1",
            },
            {"starts_at": DATES, "chair": IDS, "title": TEXTS},
        ),
        (
            "/api/v1/organisations",
            {
                "name": "新公司",
                "kind": "economic",
                "credit_code": "91410802MA00000030",
                "opened": "2026-01-01",
                "grid": grid,
                "lat": 35.2,
                "lon": 113.05,
            },
            {
                "lat": [*POINTS, OUTSIDE[0]],
                "lon": [*POINTS, OUTSIDE[1]],
                "opened": DATES,
                "staff": IDS[:2],
                "name": TEXTS,
            },
        ),
        (
            "/api/v1/mediation/cases",
            {
                "kind": "neighbour",
                "title": "邻里纠纷",
                "grid": grid,
                "lat": 35.2,
                "lon": 113.05,
                "received_on": "2026-03-01",
            },
            {
                "lat": [*POINTS, OUTSIDE[0]],
                "lon": [*POINTS, OUTSIDE[1]],
                "received_on": DATES,
                "mediator_ids": [[True]],
                "facts": TEXTS,
            },
        ),
        (
            "/api/v1/sources",
            {"category": "construction_site", "name": "工地", "lat": 35.2, "lon": 113.05},
            {"lat": [*POINTS, OUTSIDE[0]], "name": TEXTS},
        ),
    ]


def _encode(body: dict[str, Any]) -> str:
    text = json.dumps(body, ensure_ascii=False, allow_nan=True)
    return text.replace(json.dumps(RAW_INF), "1e309")


def _nested(depth: int) -> str:
    return '{"a": ' * depth + "1" + "}" * depth


@pytest.fixture
def battery(client, district, bearer):  # noqa: F811
    counts: Counter[str] = Counter()
    headers = bearer("command")

    def send(path: str, body: str, content_type: str, auth: bool = True) -> Any:
        extra = headers if auth else {}
        r = client.generic("POST", path, body.encode(), content_type=content_type, **extra)
        counts["inputs tried"] += 1
        counts[f"{r.status_code // 100}xx"] += 1
        return r

    return district, send, counts


def _scan_stored() -> list[str]:
    """Every stored value a bad request could have left: text with a forbidden character,
    a number that is not finite, a date outside the stored window."""
    from django.apps import apps
    from django.db import models

    found: list[str] = []
    low, high = inputs.ANY_YEARS
    for model in apps.get_app_configs():
        if not model.name.startswith("gridgov"):
            continue
        for m in model.get_models():
            for f in m._meta.concrete_fields:
                name = f"{m.__name__}.{f.name}"
                if isinstance(f, models.CharField | models.TextField):
                    for v in m.objects.values_list(f.attname, flat=True):
                        if v and inputs.bad_char(v):
                            found.append(f"{name}={v!r}")
                elif isinstance(f, models.FloatField):
                    for v in m.objects.values_list(f.attname, flat=True):
                        if v is not None and not math.isfinite(v):
                            found.append(f"{name}={v!r}")
                elif isinstance(f, models.DateField) and "birth" not in f.name:
                    for v in m.objects.values_list(f.attname, flat=True):
                        if isinstance(v, dt.date) and not low <= v.year <= high:
                            found.append(f"{name}={v!r}")
                elif isinstance(f, models.JSONField):
                    for v in m.objects.values_list(f.attname, flat=True):
                        problems = inputs.json_problems(v, 1)
                        if problems:
                            found.append(f"{name}: {problems[0]}")
    return found


def test_bad_bodies_of_every_type_are_refused_and_nothing_wrong_is_stored(battery, request):
    the_district, send, counts = battery
    assert _scan_stored() == []  # the district itself is clean
    refused_wrongly: list[tuple[Any, ...]] = []
    for path, good, bad in _operations(the_district):
        for field, values in bad.items():
            for value in values:
                body = _encode({**good, field: value})
                for kind in BODY_TYPES:
                    r = send(path, body, kind)
                    if not 400 <= r.status_code < 500:
                        refused_wrongly.append((path, field, value, kind, r.status_code))
                    elif field not in r.content.decode() and r.status_code == 400:
                        counts["400 not naming the field"] += 1
                if isinstance(value, str | int | float) and not isinstance(value, bool):
                    form = urlencode({**good, field: value})
                    r = send(path, form, "application/x-www-form-urlencoded")
                    if not 400 <= r.status_code < 500:
                        refused_wrongly.append((path, field, value, "form", r.status_code))
    counts["stored but wrong"] = len(_scan_stored())
    _record(request, counts)
    assert refused_wrongly == [], refused_wrongly[:10]
    assert counts["5xx"] == 0 and counts["stored but wrong"] == 0, _scan_stored()[:10]


@pytest.mark.parametrize("auth", [True, False])
def test_deep_json_is_a_400_in_the_api_format_on_every_path(battery, auth):
    the_district, send, counts = battery
    paths = [
        "/api/v1/events",
        "/api/v1/commands",
        "/api/v1/inbox/read",
        "/api/v1/readings",
        "/api/v1/aqi/calculate",
        "/api/v1/auth/token",
        "/api/v1/sources",
        f"/api/v1/orders/{the_district.g1_order}/transitions",
    ]
    bodies = [
        "[" * 1000 + "]" * 1000,
        _nested(1000),
        _nested(500),
        _nested(65),
        json.dumps(
            {
                "category": "construction_site",
                "name": "x",
                "geometry": {"type": "Point", "coordinates": json.loads("[" * 500 + "]" * 500)},
            }
        ),
    ]
    for path in paths:
        for body in bodies:
            for kind in ("application/json", "text/plain", ""):
                r = send(path, body, kind, auth=auth)
                assert r.status_code == 400, (path, kind, r.status_code, r.content[:200])
                assert r["Content-Type"].startswith("application/json")
                assert "nested deeper than 64 levels" in r.json()["errors"][0]["message"]
    # 64 levels are still a document (its endpoint answers it in its own words)
    r = send("/api/v1/aqi/calculate", _nested(60), "application/json", auth=auth)
    assert r.status_code in (400, 401) and "nested" not in r.content.decode()
    assert counts["5xx"] == 0


def test_a_form_body_sent_to_a_json_operation_is_refused_by_the_parser(battery):
    _district, send, _counts = battery
    r = send("/api/v1/inbox/read", "ids=1", "application/x-www-form-urlencoded")
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "body"
    assert "not valid JSON" in r.json()["errors"][0]["message"]


def _record(request: Any, counts: Counter[str]) -> None:
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    name = REPORT.with_suffix(f".{_WORKER}.json") if _WORKER else REPORT
    name.write_text(json.dumps(dict(sorted(counts.items())), indent=2) + "\n")
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line(f"input battery: {dict(counts)} (bench/out/{name.name})")


# --- the rules underneath (no district) ------------------------------------------------------


@pytest.mark.parametrize("char", ["\ufdd0", "\ufdef", "\ufffe", "\uffff", "\U0001fffe",
                                  "\U0010ffff"])  # fmt: skip
def test_noncharacters_are_refused_naming_the_code_point(char):
    with pytest.raises(inputs.InputError, match=f"noncharacter U\\+{ord(char):04X} at position 1"):
        inputs.check_text("title", "a" + char)


@pytest.mark.parametrize("char", ["\ufdcf", "\ufdf0", "\ufffd", "\U0001fffd", "\U00020000"])
def test_neighbours_of_noncharacters_pass(char):
    assert inputs.check_text("title", char) == char


def test_the_json_walk_has_a_stated_depth_and_no_recursion():
    deep: Any = 1
    for _ in range(20_000):  # far beyond Python's recursion limit
        deep = [deep]
    problems = list(inputs.walk_json({"geometry": deep}))
    assert [p.message for p in problems] == ["nested deeper than 64 levels"]
    ok: Any = 1
    for _ in range(63):
        ok = [ok]
    assert list(inputs.walk_json({"x": ok})) == []
    with pytest.raises(inputs.InputError, match="nested deeper than 64"):
        inputs.parse_json("body", "[" * 100_000 + "]" * 100_000)
    with pytest.raises(inputs.NotJSON):
        inputs.parse_json("body", b"\xff\xfe{")


def test_every_api_schema_takes_the_boundary_base():
    import ninja

    import gridgov.api  # noqa: F401  (every app's router, so every schema, is imported)
    from gridgov.schemas import Schema

    seen, todo = [], list(ninja.Schema.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith("gridgov"):
            seen.append(cls)
    outside = sorted(c.__qualname__ for c in seen if not issubclass(c, Schema))
    assert len(seen) > 200 and outside == []
