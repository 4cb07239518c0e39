"""Excel: the portfolio exported with a totals sheet (phones masked unless the account may see
them) and imported back; an import with any bad row writes nothing and names row and column."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from gridgov.projects import excel, listing
from gridgov.projects.listing import Filters
from gridgov.projects.models import Project, StatusChange

pytestmark = pytest.mark.django_db


def book(rows: list[list]) -> bytes:
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


HEADER = ["项目编号", "项目名称", "项目类型", "申报单位", "计划类别", "年度", "批复资金万元",
          "责任单位代码", "纬度", "经度"]  # fmt: skip


def test_export_and_round_trip(place, users):
    user = users["command"]
    content = excel.export(user, listing.portfolio(user, Filters()))
    wb = load_workbook(io.BytesIO(content))
    ws = wb.worksheets[0]
    header = [c.value for c in ws[1]]
    assert header[0] == "项目编号 code"
    rows = {
        r[0]: dict(zip(header, r, strict=False)) for r in ws.iter_rows(min_row=2, values_only=True)
    }
    assert set(rows) == {"KJ-E1", "KJ-W1", "KJ-D1"}
    east = rows["KJ-E1"]
    assert (east["已支出万元 spent"], east["支出进度% spend_rate"], east["节点逾期 overdue"]) == (
        40, 40, "是",
    )  # fmt: skip
    assert east["负责人电话 phones"] == "13900000008"  # the command office sees it
    totals = wb.worksheets[1]
    assert [c.value for c in totals[2]][:4] == [3, 300, 40, 13.3]
    before = {p.code: (p.name, p.kind, p.plan, p.year, p.granted, p.owner_id, p.grid_id)
              for p in Project.objects.all()}  # fmt: skip
    Project.objects.all().delete()
    result = excel.import_projects(user, content)
    assert result.ok, result.errors
    assert result.created == 3
    after = {p.code: (p.name, p.kind, p.plan, p.year, p.granted, p.owner_id, p.grid_id)
             for p in Project.objects.all()}  # fmt: skip
    assert after == before
    # The status comes back as the imported one, with its history row.
    assert Project.objects.get(code="KJ-E1").status == "approved"
    assert StatusChange.objects.filter(project__code="KJ-E1").count() == 1


def test_export_masks_phones(place, users):
    user = users["east_secretary"]  # sees the project in its grid, not the street official
    content = excel.export(user, listing.portfolio(user, Filters()))
    ws = load_workbook(io.BytesIO(content)).worksheets[0]
    header = [c.value for c in ws[1]]
    row = dict(zip(header, next(ws.iter_rows(min_row=2, values_only=True)), strict=False))
    assert row["负责人电话 phones"] == "139****0008"


def test_import_errors_write_nothing(place, users):
    content = book([
        HEADER,
        ["KJ-I1", "生物医药中试平台", "研发/科技项目", "某药业", "省级资金", 2026, 80, "D-S1",
         35.2, 113.05],
        ["KJ-E1", "重复编号", "rd", "某公司", "city_st", 2026, 10, "D-S1", None, None],
        ["KJ-I2", "坏年度", "rd", "某公司", "city_st", "二〇二六", 10, "D-S1", None, None],
        ["KJ-I3", "坏类型", "卫星", "某公司", "city_st", 2026, 10, "D-S1", None, None],
        ["KJ-I4", "不在辖区", "rd", "某公司", "city_st", 2026, 10, "D-S1", 35.2, 113.3],
        ["KJ-I1", "重复行", "rd", "某公司", "city_st", 2026, 10, "D-S1", None, None],
        ["KJ-I5", "坏金额", "rd", "某公司", "city_st", 2026, "NaN", "D-S1", None, None],
    ])  # fmt: skip
    result = excel.import_projects(users["s1_official"], content)
    assert not result.ok and result.created == 0
    got = {(e.row, e.column) for e in result.errors}
    assert got == {(3, "项目编号"), (4, "年度"), (5, "项目类型"), (6, "纬度"), (7, "项目编号"),
                   (8, "批复资金万元")}  # fmt: skip
    assert not Project.objects.filter(code__startswith="KJ-I").exists()
    good = book([HEADER, *[r for r in [
        ["KJ-I1", "生物医药中试平台", "研发/科技项目", "某药业", "省级资金", 2026, 80, "D-S1",
         35.2, 113.05],
    ]]])  # fmt: skip
    result = excel.import_projects(users["s1_official"], good)
    assert result.ok and result.created == 1
    p = Project.objects.get(code="KJ-I1")
    assert (p.kind, p.plan, p.granted, p.grid.code) == (
        "rd", "provincial", Decimal("80.00"), "D-S1-C1-G1",
    )  # fmt: skip


def test_import_missing_column_and_bad_file(place, users):
    result = excel.import_projects(users["command"], book([["项目编号"], ["X"]]))
    assert {e.column for e in result.errors} >= {"项目名称", "责任单位代码"}
    result = excel.import_projects(users["command"], b"not a workbook")
    assert result.errors[0].column == "file"
