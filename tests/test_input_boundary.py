"""The input boundary (gridgov.inputs and InputBoundaryMiddleware): every kind of bad input,
through every door — API, pages, the public form, Open311, imports, devices — gets a 4xx naming
the field, never a 500, and writes nothing. Also: what was stored before the boundary existed
can always be exported, and the clean-up migration removes it."""

from __future__ import annotations

import importlib
import json

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from gridgov import inputs
from gridgov.open311.models import ApiKey
from gridgov.workorders.models import Event, Transition, WorkOrder
from tests.air.conftest import T0

pytestmark = pytest.mark.django_db

BIG = 2**63  # one past the database's largest integer
EVENT = {"source": "patrol", "category": "construction_dust", "title": "工地扬尘", "lat": 35.2,
         "lon": 113.05}  # fmt: skip


@pytest.fixture
def stations(territory):
    from gridgov.air.models import Station

    grid = territory["D-S1-C1-G1"]
    micro = Station.objects.create(
        code="M1",
        name="东一微站",
        kind="micro",
        lat=35.2,
        lon=113.05,
        grid=grid,
        interval_minutes=1,
    )
    return {"micro": micro}


def field_of(response) -> str:
    """The field a 4xx names, in the API's and Open311's formats and on plain pages."""
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:300])
    text = response.content.decode()
    if response["Content-Type"].startswith("application/json"):
        body = json.loads(text)
        if isinstance(body, list):  # Open311
            return body[0]["description"]
        return " ".join(e["field"] for e in body["errors"]) or body["detail"]
    return text


def post_json(client, path, data, headers):
    return client.post(path, json.dumps(data), content_type="application/json", **headers)


# --- the rules themselves --------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["a\x00b", "\x01", "x\x1b[31m", "\x7f", "\x85", "lone \ud800 surrogate", "\x9f"]
)
def test_forbidden_characters_are_refused(text):
    with pytest.raises(inputs.InputError, match="control character"):
        inputs.check_text("note", text)


@pytest.mark.parametrize("text", ["普通文本", "tab\tand\nnewline\r\n", "emoji 🌫️", ""])
def test_ordinary_text_passes(text):
    assert inputs.check_text("note", text) == text


def test_over_long_text_is_refused_not_cut():
    with pytest.raises(inputs.InputError, match="at most 5"):
        inputs.check_text("phone", "123456", max_length=5)


@pytest.mark.parametrize(
    ("value", "message"),
    [("2026-02-30", "not a calendar date"), ("2026-13-45", "not a calendar date"),
     ("0001-01-01", "between 2000 and 2100"), ("1900-01-01T00:00", "between 2000 and 2100"),
     ("9" * 40, "out of range")],
)  # fmt: skip
def test_query_values_are_checked(value, message):
    with pytest.raises(inputs.InputError, match=message):
        inputs.check_query_value("from", value)


def test_json_problems_name_the_path():
    doc = {"readings": [{"pm25": 1}, {"pm25": 10**400}], "note": "ok\x00", "x": float("nan")}
    fields = [p.field for p in inputs.walk_json(doc)]
    assert fields == ["readings[1].pm25", "note", "x"]


def test_spreadsheet_cells_never_fail_and_never_run():
    assert inputs.sheet_row(["a\x01b", "=HYPERLINK(1)", "+86 138", "-5", 3]) == [
        "a\\x01b",
        "'=HYPERLINK(1)",
        "+86 138",
        "-5",
        3,
    ]


# --- the API ---------------------------------------------------------------------------------


@pytest.fixture
def desk(client, crew, bearer):
    return bearer("command")


@pytest.mark.parametrize(
    ("change", "field"),
    [({"title": "a\u0000b"}, "title"), ({"description": "x\x01"}, "description"),
     ({"priority": BIG}, "priority"), ({"lat": float("inf")}, "lat"),
     ({"address": "路" * 201}, "address"), ({"contact_phone": "1" * 50}, "contact_phone")],
)  # fmt: skip
def test_api_event_bad_input_is_refused_and_nothing_written(client, desk, change, field):
    body = {**EVENT, **change}
    payload = json.dumps(body, allow_nan=True)
    r = client.post("/api/v1/events", payload, content_type="application/json", **desk)
    assert field in field_of(r) and r.status_code == 400
    assert not Event.objects.exists() and not WorkOrder.objects.exists()


def test_api_huge_ids_are_refused(client, crew, bearer, report):
    order = report()
    headers = bearer("command")
    before = Transition.objects.count()
    r = post_json(client, f"/api/v1/orders/{order.pk}/transitions",
                  {"action": "reassign", "assignee": BIG, "note": "x"}, headers)  # fmt: skip
    assert "assignee" in field_of(r)
    r = post_json(client, f"/api/v1/orders/{order.pk}/transitions",
                  {"action": "sign", "photos": [BIG]}, headers)  # fmt: skip
    assert "photos[0]" in field_of(r)
    assert "ids[0]" in field_of(post_json(client, "/api/v1/inbox/read", {"ids": [BIG]}, headers))
    assert "order_id" in field_of(client.get(f"/api/v1/orders/{BIG}", **headers))
    assert "person_id" in field_of(client.get(f"/api/v1/people/{10**30}", **headers))
    assert Transition.objects.count() == before


def test_api_dates_and_numbers_out_of_range(client, crew, bearer, stations):
    headers = bearer("command")
    assert "from" in field_of(client.get("/api/v1/stations/M1/daily?from=0001-01-01", **headers))
    assert "from" in field_of(client.get("/api/v1/air/assessment?from=0001-01-01", **headers))
    assert "to" in field_of(client.get("/api/v1/air/assessment?to=2026-02-30", **headers))
    for value in (1e18, 1e19, -1):
        r = post_json(client, "/api/v1/aqi/calculate", {"concentrations": {"pm25": value}},
                      headers)  # fmt: skip
        assert "concentrations.pm25" in field_of(r)
    r = client.post("/api/v1/aqi/calculate", '{"concentrations": {"pm25": 1' + "0" * 400 + "}}",
                    content_type="application/json", **headers)  # fmt: skip
    assert "concentrations.pm25" in field_of(r)


def test_api_oversized_body_gets_json_413(client, crew, bearer):
    r = client.post("/api/v1/events", json.dumps({**EVENT, "description": "x" * 3_000_000}),
                    content_type="application/json", **bearer("command"))  # fmt: skip
    assert r.status_code == 413 and r.json()["errors"][0]["field"] == "body"


def test_grid_worker_cannot_file_hotline_calls(client, crew, bearer):
    r = post_json(client, "/api/v1/events", {**EVENT, "source": "hotline"}, bearer("g1_worker"))
    assert r.status_code == 403 and "source" in field_of(r)
    assert not Event.objects.exists()
    ok = post_json(client, "/api/v1/events", {**EVENT, "source": "hotline"}, bearer("command"))
    assert ok.status_code == 201


# --- devices ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reading", "field"),
    [({"time": "1900-01-01T00:00:00+08:00", "pm25": 40}, "time"),
     ({"time": "0001-01-01T00:00:00+08:00", "pm25": 40}, "time"),
     ({"time": "2026-02-30T00:00:00+08:00", "pm25": 40}, "time"),
     ({"time": "T", "pm25": 10**400}, "pm25"),
     ({"time": "T", "pm25": 1e300}, "pm25"),
     ({"time": "T", "pm25": "4\x000"}, "pm25")],
)  # fmt: skip
def test_station_bad_readings_are_refused(client, stations, reading, field):
    import datetime as dt

    from gridgov.air.models import CST, Reading
    from gridgov.air.stations import issue_token

    token = issue_token(stations["micro"])
    if reading["time"] == "T":
        reading = {**reading, "time": dt.datetime.fromtimestamp(T0, CST).isoformat()}
    body = '{"readings": [' + json.dumps(reading).replace('"PM"', "") + "]}"
    if reading.get("pm25") == 10**400:
        body = body.replace(str(10**400), "1" + "0" * 400)
    r = client.post("/api/v1/readings", body, content_type="application/json",
                    HTTP_AUTHORIZATION=f"Bearer {token}")  # fmt: skip
    assert r.status_code == 400 and field in field_of(r), r.content
    assert not Reading.objects.exists()


# --- pages and the public form ---------------------------------------------------------------


def test_desk_page_refuses_control_characters(client, crew, login):
    c = login("command")
    r = c.post("/orders/new/", {**EVENT, "title": "工地\x01扬尘", "priority": 2})
    assert r.status_code == 400 and "title" in field_of(r)
    assert not Event.objects.exists()


def test_public_form_shows_its_errors_and_writes_nothing(client, territory):
    form = {
        "category": "construction_dust",
        "lat": 35.2,
        "lon": 113.05,
        "description": "工地扬尘很大",
    }
    r = client.post("/report/", {**form, "address": "路" * 201})
    assert r.status_code == 200 and "200" in r.content.decode()  # the max-length message
    r = client.post("/report/", {**form, "contact_phone": "1" * 21})
    assert r.status_code == 200 and 'class="error"' in r.content.decode()
    r = client.post("/report/", {**form, "description": "工地\x01扬尘"}, HTTP_REFERER="/report/")
    assert r.status_code == 400 and "description" in field_of(r)
    page = r.content.decode()  # a page in the reader's language, with the way back
    assert r["Content-Type"].startswith("text/html") and "控制字符" in page
    assert 'href="/report/"' in page
    assert not Event.objects.exists()


# --- Open311 ---------------------------------------------------------------------------------


@pytest.fixture
def key(db):
    return ApiKey.issue("city-app")[1]


def test_open311_bad_dates_are_400(client, territory):
    for value in ("2026-13-45", "2026-02-30", "0001-01-01T00:00:00Z"):
        r = client.get("/open311/v2/requests.json", {"start_date": value})
        assert r.status_code == 400 and "start_date" in field_of(r)
        r = client.get("/open311/v2/requests.json", {"end_date": value})
        assert r.status_code == 400 and "end_date" in field_of(r)


def test_open311_refuses_over_long_fields_instead_of_cutting(client, territory, key):
    base = {"api_key": key, "service_code": "construction_dust", "lat": 35.2, "long": 113.05,
            "description": "工地扬尘"}  # fmt: skip
    for change, field in (({"phone": "1" * 50}, "phone"), ({"address_string": "路" * 300},
                          "address_string"), ({"first_name": "名" * 60}, "first_name"),
                          ({"email": "not-an-email"}, "email"),
                          ({"description": "a\x01"}, "description")):  # fmt: skip
        r = client.post("/open311/v2/requests.json", {**base, **change})
        assert r.status_code == 400 and field in field_of(r), (change, r.content)
    assert not Event.objects.exists()
    ok = client.post("/open311/v2/requests.json", {**base, "email": "a@example.org",
                     "phone": "13812345678"})  # fmt: skip
    assert ok.status_code == 200
    event = Event.objects.get()
    assert (event.contact_email, event.contact_phone) == ("a@example.org", "13812345678")


def test_open311_post_needs_a_form_body(client, territory, key):
    for body, kind in (('{"service_code": "x"}', "application/json"), ("<x/>", "text/xml")):
        r = client.post(f"/open311/v2/requests.json?api_key={key}", body, content_type=kind)
        assert r.status_code == 400 and "form-encoded" in field_of(r)


# --- imports ---------------------------------------------------------------------------------


def test_roster_import_names_the_bad_cell(tmp_path, territory):
    from gridgov.people.roster import read_roster

    wb = Workbook()
    ws = wb.active
    ws.append(["姓名", "手机", "岗位", "区域代码", "开始日期"])
    ws.append(["张\x85三", "13912345678", "grid_worker", "D-S1-C1-G1", "2026-01-01"])
    ws.append(["李四", "13912345679", "grid_worker", "D-S1-C1-G1", "2026-02-30"])
    path = tmp_path / "roster.xlsx"
    wb.save(path)
    report = read_roster(path)
    problems = {(e.row, e.column) for e in report.errors}
    assert (2, "name") in problems and any(row == 3 for row, _f in problems), report.errors


def test_region_import_names_the_bad_property(tmp_path, db, capsys):
    doc = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {
        "code": "X1", "name": "坏\x07名", "level": 1}, "geometry": None}]}  # fmt: skip
    path = tmp_path / "bad.geojson"
    path.write_text(json.dumps(doc))
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import_regions", str(path))
    assert "name: control character U+0007" in capsys.readouterr().out


# --- what was stored before ------------------------------------------------------------------


def test_export_of_a_poisoned_row_and_the_clean_up(client, crew, bearer, report):
    order = report(title="旧数据")
    Event.objects.filter(pk=order.event_id).update(title="旧\x01数据", description="=cmd|x\x02")
    r = client.get("/api/v1/orders.xlsx", **bearer("command"))
    assert r.status_code == 200 and r.content[:2] == b"PK"
    migration = importlib.import_module("gridgov.web.migrations.0001_clean_stored_text")
    from django.apps import apps

    migration.clean(apps, None)
    event = Event.objects.get(pk=order.event_id)
    assert event.title == "旧数据" and event.description == "=cmd|x"


def test_duplicate_hints_refuse_non_finite_or_impossible_points(client, crew, bearer):
    headers = bearer("command")
    for lat, field in (("nan", "lat"), ("1e18", "lat"), ("inf", "lat")):
        r = client.get(
            "/api/v1/events/duplicates",
            {"category": "construction_dust", "lat": lat, "lon": "113.05"},
            **headers,
        )
        assert r.status_code == 400 and field in field_of(r)
