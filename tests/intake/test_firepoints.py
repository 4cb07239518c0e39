"""gridgov import-firepoints: the columns, the merge rule over a file, outside points counted,
bad rows named; the bulk path gives the outcomes `take` gives one by one."""

from __future__ import annotations

import datetime as dt
import json
import random

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gridgov.intake import firepoints
from gridgov.intake.batch import take_many
from gridgov.intake.models import ExternalEvent, IntakeSystem, SystemKind
from gridgov.intake.take import take
from gridgov.workorders.models import Event, Source, WorkOrder
from gridgov.workorders.states import State
from tests.intake.helpers import CST, fire, system

pytestmark = pytest.mark.django_db


@pytest.fixture
def day(crew, clock):
    """08:00 China time two days ago (every point of a test lies in the past)."""
    today = clock.now().astimezone(CST).date()
    return dt.datetime.combine(today - dt.timedelta(days=2), dt.time(8), CST)


def write(tmp_path, text: str, name: str = "fire.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8-sig")
    return path


def run(path, *args, commit=True):
    out = __import__("io").StringIO()
    try:
        call_command(
            "import_firepoints", str(path), *args, *(["--commit"] if commit else []), stdout=out
        )
    except CommandError as exc:
        return out.getvalue(), str(exc)
    return out.getvalue(), ""


def test_chinese_headers_merge_and_outside_points(tmp_path, day, people):
    t = day.strftime("%Y-%m-%d")
    path = write(tmp_path, (
        "编号,经度,纬度,时间,可信度,卫星,地类\n"
        f"FP1,113.05,35.2,{t} 08:00,85,FY-3D,耕地\n"
        f"FP2,113.05,35.208,{t} 20:00,70,NPP,耕地\n"  # 890 m, 12 h: merges
        f"FP3,113.05,35.215,{t} 22:00,70,NPP,耕地\n"  # 780 m from FP2: merges (chain)
        f"FP4,113.30,35.2,{t} 09:00,90,NPP,林地\n"  # G3: its own, open burning
        f"FP5,116.00,39.9,{t} 09:00,90,NPP,耕地\n"  # far outside
        f"FP6,113.20,35.45,{t} 09:00,90,NPP,耕地\n"  # in the margin, in no grid
    ))  # fmt: skip
    out, error = run(path)
    assert error == ""
    assert "imported 2, merged 2, outside 2, refused 0" in out
    assert Event.objects.filter(source=Source.SATELLITE).count() == 2
    first = ExternalEvent.objects.get(external_id="FP1")
    assert set(
        ExternalEvent.objects.filter(event=first.event).values_list("external_id", flat=True)
    ) == {"FP1", "FP2", "FP3"}
    assert first.event.category.code == "straw_burning"
    assert ExternalEvent.objects.get(external_id="FP4").event.category.code == "open_burning"
    order = WorkOrder.objects.get(event=first.event)
    assert order.state == State.DISPATCHED and order.assignee == people["g1_worker"]
    assert first.raw["卫星"] == "FY-3D" and first.confidence == 85
    # The same file again: nothing new.
    out, error = run(path)
    assert "imported 0, merged 0, outside 0, refused 0, already known 6" in out
    assert ExternalEvent.objects.count() == 6


def test_the_order_of_the_file_does_not_matter(tmp_path, day):
    t = day.strftime("%Y-%m-%d")
    path = write(tmp_path, (
        "id,lon,lat,time\n"
        f"B,113.05,35.208,{t} 20:00\n"
        f"A,113.05,35.2,{t} 08:00\n"
    ))  # fmt: skip
    out, _ = run(path)
    assert "imported 1, merged 1" in out
    assert ExternalEvent.objects.get(external_id="A").outcome == "created"
    assert ExternalEvent.objects.get(external_id="B").merged


def test_english_headers_and_the_date_forms(tmp_path, day):
    d = day
    forms = [
        d.strftime("%Y-%m-%dT%H:%M:%S+08:00"),
        d.strftime("%Y/%m/%d %H:%M"),
        d.strftime("%Y%m%d %H%M"),
        d.strftime("%Y年%m月%d日 %H:%M"),
        d.strftime("%Y年%m月%d日%H时%M分"),
        (d - dt.timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M:%SZ"),
    ]
    lines = ["FID,Longitude,Latitude,DateTime,Confidence,Sensor"]
    for i, f in enumerate(forms):
        lines.append(f"P{i},{113.02 + 0.03 * i:.2f},35.1,{f},h,VIIRS")
    out, error = run(write(tmp_path, "\n".join(lines) + "\n"))
    assert error == "", out
    times = set(ExternalEvent.objects.values_list("detected_at", flat=True))
    assert times == {day}
    assert set(ExternalEvent.objects.values_list("confidence", flat=True)) == {90.0}


def test_firms_date_and_clock_columns_in_utc(tmp_path, day):
    utc = day.astimezone(dt.UTC)
    path = write(tmp_path, (
        "fire_id,longitude,latitude,acq_date,acq_time,confidence\n"
        f"V1,113.05,35.2,{utc:%Y-%m-%d},{utc:%H%M},0.8\n"
    ))  # fmt: skip
    out, error = run(path, "--utc")
    assert error == "", out
    row = ExternalEvent.objects.get()
    assert row.detected_at == day and row.confidence == 80


def test_geojson(tmp_path, day):
    doc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [113.05, 35.2]},
         "properties": {"编号": "G1", "时间": day.isoformat(), "可信度": 77}},
    ]}  # fmt: skip
    path = tmp_path / "fire.geojson"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    out, error = run(path)
    assert error == "" and "imported 1" in out


def test_bad_rows_are_named_and_the_others_taken(tmp_path, day):
    t = day.strftime("%Y-%m-%d")
    path = write(tmp_path, (
        "编号,经度,纬度,时间,可信度\n"
        f"OK1,113.05,35.2,{t} 08:00,80\n"
        f"B1,abc,35.2,{t} 08:00,80\n"
        f"B2,113.05,95,{t} 08:00,80\n"
        f"B3,113.05,35.2,{t[:4]}-02-30 08:00,80\n"
        f"B4,113.05,35.2,{t} 08:00,nan\n"
        f"B5,113.05,35.2,{t} 08:00,1e999\n"
        f"{'X' * 70},113.05,35.2,{t} 08:00,80\n"
        f"B\x07,113.05,35.2,{t} 08:00,80\n"
        f",113.05,35.2,{t} 08:00,80\n"
        f"B9,113.05,35.2,1850-01-01 08:00,80\n"
        f"B10,113.05,35.2,2999-01-01 08:00,80\n"
        f"B11,113.05,35.2,next tuesday,80\n"
    ))  # fmt: skip
    out, error = run(path)
    assert "11 row(s) refused" in error
    assert "imported 1, merged 0, outside 0, refused 11" in out
    for where in ("row 3, lon", "row 4, lat", "row 5, time", "row 6, confidence",
                  "row 7, confidence", "row 8, id", "row 9, id", "row 10, id", "row 11, time",
                  "row 12, time", "row 13, time"):  # fmt: skip
        assert where in out, where
    assert ExternalEvent.objects.count() == 1


def test_missing_columns_stop_the_import(tmp_path):
    _out, error = run(write(tmp_path, "编号,经度\nA,113\n"))
    assert "missing column(s): lat (纬度), time (时间)" in error


def test_a_point_that_repeats_one_already_stored_merges(tmp_path, day):
    sat = system(SystemKind.SATELLITE, code="firepoints")
    first = take(sat, fire("OLD", day))
    t = (day + dt.timedelta(hours=3)).strftime("%Y-%m-%d %H:%M")
    out, _ = run(write(tmp_path, f"编号,经度,纬度,时间\nNEW,113.051,35.2,{t}\n"))
    assert "merged 1" in out
    assert ExternalEvent.objects.get(external_id="NEW").event_id == first.record.event_id


def test_the_bulk_path_agrees_with_take_one_by_one(day):
    rng = random.Random(7)
    points = []
    for i in range(120):
        at = day + dt.timedelta(minutes=rng.randint(0, 36 * 60))
        lat, lon = rng.uniform(35.0, 35.5), rng.uniform(112.95, 113.45)
        points.append((f"R{i}", at, lat, lon, rng.choice(["耕地", "林地", ""])))
    one = IntakeSystem.objects.create(code="one", name="逐条", kind=SystemKind.SATELLITE)
    many = IntakeSystem.objects.create(code="many", name="批量", kind=SystemKind.SATELLITE)
    for pid, at, lat, lon, land in sorted(points, key=lambda p: (p[1], p[0])):
        take(one, fire(pid, at, lat, lon, land_type=land))
    take_many(many, [fire(p, at, lat, lon, land_type=land) for p, at, lat, lon, land in points])

    def shape(system):
        rows = ExternalEvent.objects.filter(system=system).select_related("event__category")
        first_of = {}
        for r in sorted(rows, key=lambda r: (r.detected_at, r.external_id)):
            if r.event_id is not None:
                first_of.setdefault(r.event_id, r.external_id)
        return {
            r.external_id: (r.outcome, first_of.get(r.event_id),
                            r.event.category.code if r.event else None)
            for r in rows
        }  # fmt: skip

    assert shape(one) == shape(many)
    assert {o for o, _, _ in shape(many).values()} >= {"created", "merged", "outside"}


def test_summary_line():
    s = firepoints.ImportSummary()
    s.counts.update(created=3, merged=2)
    assert s.line() == "imported 3, merged 2, outside 0, refused 0, already known 0"


def test_a_blank_or_bad_clock_is_refused_never_an_invented_midnight(tmp_path, day):
    utc = day.astimezone(dt.UTC)
    d = f"{utc:%Y-%m-%d}"
    path = write(tmp_path, (
        "fire_id,longitude,latitude,acq_date,acq_time\n"
        f"V1,113.05,35.2,{d},{utc:%H%M}\n"
        f"V2,113.06,35.2,{d},\n"
        f"V3,113.07,35.2,{d},   \n"
        f"V4,113.08,35.2,{d},2460\n"
        f"V5,113.09,35.2,{d},ab\n"
        f"V6,113.10,35.2,,0512\n"
        f"V7,113.11,35.2,{d},12345\n"
    ))  # fmt: skip
    out, error = run(path, "--utc")
    assert "6 row(s) refused" in error, out
    for where in ("row 3, clock", "row 4, clock", "row 5, clock", "row 6, clock",
                  "row 7, date", "row 8, clock"):  # fmt: skip
        assert where in out, (where, out)
    assert "row 3, clock: a clock time (HHMM) is required" in out
    assert list(ExternalEvent.objects.values_list("external_id", "detected_at")) == [("V1", day)]


@pytest.mark.parametrize(
    "value", ["{d:%Y-%m-%d}", "{d:%Y/%m/%d}", "{d:%Y%m%d}", "{d:%Y年%m月%d日}"]
)
def test_a_date_alone_is_not_a_detection_time(tmp_path, day, value):
    path = write(tmp_path, f"编号,经度,纬度,时间\nD1,113.05,35.2,{value.format(d=day)}\n")
    out, error = run(path)
    assert "1 row(s) refused" in error
    assert "row 2, time:" in out and "without a time of day" in out
    assert ExternalEvent.objects.count() == 0


def test_a_gb18030_file_is_read_and_an_undecodable_one_refused_clearly(tmp_path, day):
    t = day.strftime("%Y-%m-%d %H:%M")
    gb = tmp_path / "gb.csv"
    gb.write_bytes(f"编号,经度,纬度,时间,地址\nG1,113.05,35.2,{t},东一社区\n".encode("gb18030"))
    out, error = run(gb)
    assert error == "" and "imported 1" in out
    bad = tmp_path / "bad.csv"
    bad.write_bytes("编号,经度,纬度,时间\n".encode() + b"B1,113.05,35.2,\xff\xfe\x80\n")
    out, error = run(bad)
    assert "neither UTF-8 nor GB18030" in error and "bad.csv" in error


def test_without_commit_it_is_a_dry_run_with_the_counts_it_would_have(tmp_path, day):
    t = day.strftime("%Y-%m-%d")
    path = write(tmp_path, (
        "编号,经度,纬度,时间\n"
        f"FP1,113.05,35.2,{t} 08:00\n"
        f"FP2,113.05,35.208,{t} 20:00\n"  # merges into FP1
        f"FP5,116.00,39.9,{t} 09:00\n"  # outside
    ))  # fmt: skip
    out, error = run(path, commit=False)
    assert error == "", out
    assert "would have: imported 1, merged 1, outside 1, refused 0" in out
    assert "Dry run: nothing was written. Add --commit to apply." in out
    assert not ExternalEvent.objects.exists() and not Event.objects.exists()
    assert not IntakeSystem.objects.filter(code="firepoints").exists()
    out, error = run(path)  # now for real: the same counts
    assert "imported 1, merged 1, outside 1, refused 0" in out and "would" not in out
    assert ExternalEvent.objects.count() == 3
    out, _ = run(path, commit=False)
    assert "already known 3" in out and ExternalEvent.objects.count() == 3


def test_a_dry_run_with_bad_rows_exits_non_zero_and_writes_nothing(tmp_path, day):
    t = day.strftime("%Y-%m-%d")
    path = write(tmp_path, f"编号,经度,纬度,时间\nOK,113.05,35.2,{t} 08:00\nB,abc,35.2,{t} 08:00\n")
    out, error = run(path, commit=False)
    assert "1 row(s) would be refused; nothing written" in error
    assert "row 3, lon" in out and "would have: imported 1" in out
    assert not ExternalEvent.objects.exists()
