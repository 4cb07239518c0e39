"""Excel import (row errors named, all or nothing) and export (round trip; families masked
without the permission), the horse-race metric and the demo's seed."""

from __future__ import annotations

import datetime as dt
import io
import random

import pytest
from openpyxl import load_workbook

from gridgov.core import sheets
from gridgov.customs import ceremonies, excel
from gridgov.customs.models import Council, Registration, RulesVersion
from gridgov.racing.metrics import REGISTRY
from gridgov.workorders.models import WorkOrder
from tests.customs.conftest import wedding

pytestmark = pytest.mark.django_db

GOOD = ["D-S1-C1-G1", "婚事", "2026-06-06", "张大山", "13812345678", 12, 100, 12000, 1, ""]
OVER = ["D-S1-C1-G1", "wedding", "2026-06-07", "王二", "", 26, None, None, 1, "超桌"]


def book(*rows):
    return sheets.export(excel.COLUMNS, rows)


def test_import_writes_all_rows_and_flags(villages, users):
    report, created = excel.import_registrations(users["g1_worker"], book(GOOD, OVER))
    assert report.ok, report.errors
    assert [r.flagged for r in created] == [False, True]
    assert WorkOrder.objects.count() == 1 and created[1].order_id is not None


def test_import_refuses_every_row_when_one_fails(villages, users):
    bad_cell = [*GOOD[:5], "many", *GOOD[6:]]
    other_grid = ["D-S2-C2-G3", *GOOD[1:]]
    bad_date = [GOOD[0], GOOD[1], "2026-02-30", *GOOD[3:]]
    report, created = excel.import_registrations(
        users["g1_worker"], book(GOOD, bad_cell, other_grid, bad_date, ["", "", "", "x" * 51])
    )
    assert not report.ok and created == []
    got = {(e.row, e.column) for e in report.errors}
    assert {(3, "桌数"), (4, "网格代码"), (5, "举办日期")} <= got
    assert (6, "户主姓名") in got
    assert not Registration.objects.exists() and not WorkOrder.objects.exists()


def test_import_refuses_a_non_workbook(villages, users):
    report, created = excel.import_registrations(users["g1_worker"], b"not excel")
    assert not report.ok and report.errors[0].column == "file" and created == []


def test_export_round_trip_and_masking(villages, users):
    ceremonies.register(users["g1_worker"], wedding(villages.g1))
    ceremonies.register(users["g1_worker"], wedding(villages.g1, tables=30))
    plain = excel.export_registrations(users["command"])
    masked = excel.export_registrations(users["s1_official"])
    rows = list(load_workbook(io.BytesIO(masked)).active.iter_rows(values_only=True))
    assert rows[1][3] == "张**" and rows[1][4] == "138****5678"
    assert "超标" in rows[0][11] and rows[2][11] == "是"
    assert "桌数：上限 20，实际 30" in rows[2][12]
    # the unmasked export imports back as the same registrations
    Registration.objects.all().delete()
    report, created = excel.import_registrations(users["command"], plain)
    assert report.ok, report.errors
    assert [(r.family_head, r.tables, r.flagged) for r in created] == [
        ("张大山", 18, False), ("张大山", 30, True),
    ]  # fmt: skip


def test_export_page_and_import_page(login, villages, users):
    ceremonies.register(users["g1_worker"], wedding(villages.g1))
    c = login("g1_worker")
    r = c.get("/customs/registrations/export.xlsx")
    assert r.status_code == 200
    first = list(load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))[1]
    assert first[3] == "张**"  # a grid worker has no unmasked export
    upload = io.BytesIO(book(GOOD, [*GOOD[:5], "many", *GOOD[6:]]))
    upload.name = "r.xlsx"
    page = c.post("/customs/registrations/import/", {"file": upload}).content.decode()
    assert "import-errors" in page and Registration.objects.count() == 1
    upload = io.BytesIO(book(GOOD))
    upload.name = "r.xlsx"
    assert c.post("/customs/registrations/import/", {"file": upload}).status_code == 302
    assert Registration.objects.count() == 2


def test_import_api_answers_row_errors(client, bearer, villages):
    from django.core.files.uploadedfile import SimpleUploadedFile

    headers = bearer("g1_worker")
    bad = SimpleUploadedFile("r.xlsx", book(GOOD, ["D-S1-C1-G1", "婚事", "2026-06-06", "", "",
                                                   1, None, None, 1, ""]))  # fmt: skip
    r = client.post("/api/v1/customs/registrations/import", {"file": bad}, **headers)
    assert r.status_code == 400
    assert r.json()["errors"] == [{"field": "row 3: 户主姓名", "message": "required"}]
    ok = SimpleUploadedFile("r.xlsx", book(GOOD, OVER))
    r = client.post("/api/v1/customs/registrations/import", {"file": ok}, **headers)
    assert r.status_code == 200 and r.json() == {"created": 2, "flagged": 1}


def test_compliance_metric(villages, users):
    metric = REGISTRY["custom_compliance_rate"]
    assert metric.higher_is_better and metric.sample == "ceremonies" and metric.unit == "%"
    w = users["g1_worker"]
    for tables in (10, 12, 30, 14):
        ceremonies.register(w, wedding(villages.g1, tables=tables, cost="10000"))
    ceremonies.register(users["command"], wedding(villages.g3, tables=99))  # no limit: within
    got = metric([villages.east, villages.west], dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert got[villages.east.pk].value == 75.0 and got[villages.east.pk].sample == 4
    assert got[villages.west.pk].value == 100.0 and got[villages.west.pk].sample == 1
    empty = metric([villages.east], dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    assert empty[villages.east.pk].value is None and empty[villages.east.pk].sample == 0
    streets = metric([villages.east.parent], dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert streets[villages.east.parent_id].value == 75.0


def test_demo_seed(villages, users):
    from gridgov.demo.customs import seed_customs

    today = dt.date(2026, 12, 1)  # the 1st of a month: the demo's dates still lie behind it
    made = seed_customs(random.Random(3), today, users["command"])
    regs = Registration.objects.exclude(created_by=None)
    assert made == regs.count() and made > 0
    assert regs.filter(date__gt=today).count() == 0
    communities = {villages.east.pk, villages.west.pk}
    assert set(RulesVersion.objects.values_list("community_id", flat=True)) == communities
    assert Council.objects.count() == 2
    for council in Council.objects.all():
        assert 5 <= council.members.current(today).count() <= 9
    flagged = regs.filter(flagged=True)
    assert flagged.exists() and all(r.order_id for r in flagged)
    assert seed_customs(random.Random(3), today, users["command"]) == 0  # idempotent
