"""The registry in Excel: templates, a dry run naming every bad row and column, a commit that
writes all or nothing, export → import round trip, and the commands' exit status."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook, load_workbook

from gridgov.sources import excel
from gridgov.sources.models import PollutionSource, SourceChange
from gridgov.sources.services import SourceInput, create_source, point_geometry

pytestmark = pytest.mark.django_db


def sheet(path: Path, category: str, rows: list[dict]) -> Path:
    """A workbook in the template's columns with the given cells (by key)."""
    keys = [key for key, _ in excel.columns(category)]
    wb = Workbook()
    ws = wb.active
    ws.title = category
    ws.append(excel.headers(category))
    for row in rows:
        ws.append([row.get(k) for k in keys])
    wb.save(path)
    return path


def test_template_has_every_column_and_a_help_sheet(tmp_path):
    out = tmp_path / "t.xlsx"
    call_command("source_template", "--category", "construction_site", "-o", str(out))
    wb = load_workbook(out)
    assert wb.sheetnames == ["construction_site", "说明"]
    header = [c.value for c in wb["construction_site"][1]]
    assert header[:3] == ["编号 code", "名称 name", "地址 address"]
    assert "施工阶段 phase" in header and "扬尘防治措施(六个百分百) dust_measures" in header
    help_rows = {r[0]: r[2] for r in wb["说明"].iter_rows(min_row=2, values_only=True)}
    assert "土方阶段" in help_rows["施工阶段 phase"]
    with pytest.raises(CommandError):
        call_command("source_template", "--category", "spaceship", "-o", str(out))


def good_rows() -> list[dict]:
    return [
        {
            "name": "东一花园工地",
            "lat": 35.2,
            "lon": 113.05,
            "phase": "主体阶段",
            "dust_measures": "工地周边围挡，物料堆放覆盖",
            "pm10_monitor": "是",
            "area_m2": 12000,
        },
        {"code": "GD-X-2", "name": "二号工地", "lat": 35.21, "lon": 113.15, "phase": "earthwork"},
        {
            "name": "拆迁片区",
            "geometry": "POLYGON ((113.01 35.01, 113.02 35.01, 113.02 35.02, 113.01 35.01))",
            "status": "停工/停产",
        },
    ]


def test_dry_run_then_commit(tmp_path, people, territory):
    path = sheet(tmp_path / "sites.xlsx", "construction_site", good_rows())
    report = excel.read_sources(path, "construction_site")
    assert report.ok, report.errors
    assert [r.action for r in report.rows] == ["create", "create", "create"]
    assert not PollutionSource.objects.exists()  # a dry run writes nothing
    written = excel.apply_import(report, people["command"].user)
    assert len(written) == 3
    first = PollutionSource.objects.get(name="东一花园工地")
    assert first.attributes["phase"] == "structure"
    assert first.attributes["dust_measures"] == ["fencing", "covering"]
    assert first.attributes["pm10_monitor"] is True
    assert PollutionSource.objects.get(code="GD-X-2").grid.code == "D-S1-C1-G2"
    area = PollutionSource.objects.get(name="拆迁片区")
    assert area.geometry["type"] == "Polygon" and area.status == "suspended"
    assert set(SourceChange.objects.values_list("action", flat=True)) == {"imported"}


def test_every_bad_row_and_column_is_named(tmp_path, people, territory):
    create_source(
        SourceInput(
            category="restaurant", name="饭店", code="CY-1", geometry=point_geometry(35.2, 113.05)
        )
    )
    rows = [
        {"name": "好的", "lat": 35.2, "lon": 113.05},
        {"name": "", "lat": 35.2, "lon": 113.05},  # row 3
        {"name": "坏阶段", "lat": 35.2, "lon": 113.05, "phase": "跳舞"},  # row 4
        {"name": "越界", "lat": 20.0, "lon": 120.0},  # row 5
        {"name": "坏面积", "lat": 35.2, "lon": 113.05, "area_m2": "很大"},  # row 6
        {"name": "控制\x7f字符", "lat": 35.2, "lon": 113.05},  # row 7
        {"name": "别的类别", "code": "CY-1", "lat": 35.2, "lon": 113.05},  # row 8
        {"name": "坏布尔", "lat": 35.2, "lon": 113.05, "video": "也许"},  # row 9
        {"name": "无位置"},  # row 10
        {"name": "坏几何", "geometry": "POLYGON ((1 2"},  # row 11
        {"name": "坏状态", "lat": 35.2, "lon": 113.05, "status": "睡觉"},  # row 12
        {"name": "坏岗位", "lat": 35.2, "lon": 113.05, "responsible": "13912345678"},  # row 13
        {"name": "长" * 101, "lat": 35.2, "lon": 113.05},  # row 14
        {"name": "重复", "code": "GD-9", "lat": 35.2, "lon": 113.05},  # row 15
        {"name": "重复", "code": "GD-9", "lat": 35.2, "lon": 113.05},  # row 16
        {"name": "巨大", "lat": 35.2, "lon": 113.05, "area_m2": 10**30},  # row 17
    ]
    path = sheet(tmp_path / "bad.xlsx", "construction_site", rows)
    report = excel.read_sources(path, "construction_site")
    named = {(e.row, e.column) for e in report.errors}
    assert named == {
        (3, "name"),
        (4, "phase"),
        (5, "geometry/lat/lon"),
        (6, "area_m2"),
        (7, "name"),
        (8, "code"),
        (9, "video"),
        (10, "geometry/lat/lon"),
        (11, "geometry/lat/lon"),
        (12, "status"),
        (13, "responsible"),
        (14, "name"),
        (16, "code"),
        (17, "area_m2"),
    }, report.errors
    with pytest.raises(ValueError):
        excel.apply_import(report)
    assert PollutionSource.objects.count() == 1


def test_commit_is_all_or_nothing(tmp_path, people, territory):
    path = sheet(tmp_path / "sites.xlsx", "construction_site", good_rows())
    report = excel.read_sources(path, "construction_site")
    assert report.ok
    # Between the check and the commit, someone registers code GD-X-2: nothing is written.
    create_source(
        SourceInput(
            category="construction_site",
            name="抢先",
            code="GD-X-2",
            geometry=point_geometry(35.2, 113.05),
        )
    )
    from gridgov.sources.services import SourceError

    with pytest.raises(SourceError) as err:
        excel.apply_import(report)
    assert "row 3" in str(err.value)
    assert list(PollutionSource.objects.values_list("name", flat=True)) == ["抢先"]


def test_export_import_round_trip(tmp_path, people, territory):
    site = create_source(
        SourceInput(
            category="construction_site",
            name="东一花园工地",
            address="建设路1号",
            geometry=point_geometry(35.2, 113.05),
            attributes={"phase": "structure", "dust_measures": ["fencing"], "video": True},
            notes="重点工地",
            responsible_post_id=people["g1_leader"].posts.get().pk,
        )
    )
    road = create_source(
        SourceInput(
            category="road_section",
            name="人民路",
            geometry={"type": "LineString", "coordinates": [[113.05, 35.1], [113.35, 35.1]]},
            attributes={"cleaning_class": "1", "sweeps_per_day": 3, "length_km": 27.3},
        )
    )
    shop = create_source(
        SourceInput(
            category="restaurant",
            name="老王饭店",
            geometry=point_geometry(35.21, 113.06),
            attributes={"seats": 40, "cleaning_dates": ["2026-03-01", "2026-04-01"]},
        )
    )
    out = tmp_path / "all.xlsx"
    call_command("export_sources", "-o", str(out))
    wb = load_workbook(out)
    assert set(wb.sheetnames) == {"construction_site", "road_section", "restaurant"}
    before = {s.pk: (s.version, s.attributes, s.geometry) for s in (site, road, shop)}
    for category in ("construction_site", "road_section", "restaurant"):
        report = excel.read_sources(out, category)
        assert report.ok, report.errors
        assert [r.action for r in report.rows] == ["unchanged"], category
    # Edit one cell, import: exactly that change.
    ws = wb["construction_site"]
    keys = [c.value.split()[-1] for c in ws[1]]
    ws.cell(row=2, column=keys.index("phase") + 1, value="装饰装修")
    wb.save(out)
    report = excel.read_sources(out, "construction_site")
    assert [(r.action, r.changed) for r in report.rows] == [("update", ["attributes"])]
    excel.apply_import(report)
    site.refresh_from_db()
    assert site.attributes == {**before[site.pk][1], "phase": "decoration"}
    assert site.responsible_post_id is not None and site.notes == "重点工地"
    road.refresh_from_db()
    assert (road.version, road.geometry) == before[road.pk][::2]


def test_import_command_dry_run_and_exit_status(tmp_path, people, territory, capsys):
    good = sheet(tmp_path / "good.xlsx", "construction_site", good_rows())
    call_command("import_sources", str(good), "--category", "construction_site")
    assert not PollutionSource.objects.exists()
    assert "Dry run" in capsys.readouterr().out
    call_command("import_sources", str(good), "--category", "construction_site", "--commit")
    assert PollutionSource.objects.count() == 3
    bad = sheet(
        tmp_path / "bad.xlsx", "construction_site", [{"name": "", "lat": 35.2, "lon": 113.05}]
    )
    with pytest.raises(CommandError, match="1 error"):
        call_command("import_sources", str(bad), "--category", "construction_site", "--commit")
    assert "row 2, name" in capsys.readouterr().out
    # Scope: the west's secretary may not import a site in the east.
    with pytest.raises(CommandError):
        call_command(
            "import_sources",
            str(good),
            "--category",
            "construction_site",
            "--user",
            "west_secretary",
        )


def test_the_gridgov_cli_exits_non_zero_on_errors(tmp_path, people, territory):
    """Through the real command runner: an error is a non-zero exit status."""
    from gridgov.cli import main

    bad = sheet(tmp_path / "bad.xlsx", "construction_site", [{"name": "x", "lat": 95, "lon": 113}])
    with pytest.raises(SystemExit) as exited:
        main(["gridgov", "import-sources", str(bad), "--category", "construction_site"])
    assert exited.value.code != 0
    not_excel = tmp_path / "x.xlsx"
    not_excel.write_bytes(b"hello")
    report = excel.read_sources(not_excel, "farmland")
    assert report.errors[0].column == "file"
