"""`gridgov import-met` (air/met_import.py): forecasts per station or region stored per issue
time, re-imports idempotent, the latest forecast issued before a moment; observed meteorology
stored as factors through the readings path; bad rows and arguments refused, nothing written."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gridgov.air.factor_models import FactorHour, FactorReading
from gridgov.air.met_forecast_models import MetForecast
from gridgov.air.met_import import forecast_met
from gridgov.air.models import CST

NOW = dt.datetime(2026, 12, 7, 10, 0, tzinfo=CST)
ISSUED = "2026-12-07T08:00+08:00"
I8 = int(dt.datetime(2026, 12, 7, 8, tzinfo=CST).timestamp())
H12 = int(dt.datetime(2026, 12, 7, 12, tzinfo=CST).timestamp())  # a valid hour, China time

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _now(clock):
    clock.travel(NOW, tick=False)


def _run(tmp_path, capsys, text: str, *args: str, name: str = "met.csv") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    call_command("import_met", str(path), *args)
    return capsys.readouterr().out


def _forecast(tmp_path, capsys, text: str, issued: str = ISSUED, commit: bool = True) -> str:
    args = ["--kind", "forecast", "--issued", issued] + (["--commit"] if commit else [])
    return _run(tmp_path, capsys, text, *args)


def _stored(station_code: str | None = None) -> dict[tuple[str, int, int, str], float]:
    qs = MetForecast.objects.select_related("station")
    if station_code:
        qs = qs.filter(station__code=station_code)
    return {(f.station.code, f.issued_at, f.ts, f.code): f.value for f in qs}


def test_forecast_by_station_stores_each_element_in_standard_units(stations, tmp_path, capsys):
    out = _forecast(
        tmp_path,
        capsys,
        "station,time,wd,ws,temp,rh,dewp,pres,rain\n"
        "M1,2026-12-07T12:00,NE,3.5,4.5,55,-3,1021.5,0\n"
        "M1,2026-12-07 13:00:00,calm,0.2,,,,,\n"
        "N1,2026-12-07T04:00:00Z,270,1.0,,,,,0.4\n",
    )
    assert "Applied" in out and "11 forecast values stored" in out
    assert _stored("M1") == pytest.approx(
        {("M1", I8, H12, "a01008"): 45.0, ("M1", I8, H12, "a01007"): 3.5,
         ("M1", I8, H12, "a01001"): 4.5, ("M1", I8, H12, "a01002"): 55.0,
         ("M1", I8, H12, "dewp"): -3.0, ("M1", I8, H12, "a01006"): 102.15,
         ("M1", I8, H12, "rain"): 0.0, ("M1", I8, H12 + 3600, "a01007"): 0.2}
    )  # fmt: skip
    # 04:00 UTC is 12:00 China time; no factor reading is written for a forecast.
    assert _stored("N1") == {
        ("N1", I8, H12, "a01008"): 270.0,
        ("N1", I8, H12, "a01007"): 1.0,
        ("N1", I8, H12, "rain"): 0.4,
    }
    assert not FactorReading.objects.exists()


def test_forecast_by_region_covers_every_station_under_it(stations, tmp_path, capsys):
    _forecast(tmp_path, capsys, "region,time,ws\nD-S1,2026-12-07T12:00,2.5\n")
    assert _stored() == {
        ("M1", I8, H12, "a01007"): 2.5,
        ("M2", I8, H12, "a01007"): 2.5,
    }  # N1 has no grid: it is under no region


def test_dry_run_by_default_writes_nothing(stations, tmp_path, capsys):
    out = _forecast(tmp_path, capsys, "station,time,ws\nM1,2026-12-07T12:00,2\n", commit=False)
    assert "Dry run" in out and "1 forecast values" in out
    assert not MetForecast.objects.exists()


def test_forecast_import_is_idempotent_and_a_correction_replaces(stations, tmp_path, capsys):
    text = "station,time,ws,temp\nM1,2026-12-07T12:00,2,5\nM2,2026-12-07T12:00,3,6\n"
    _forecast(tmp_path, capsys, text)
    first = _stored()
    _forecast(tmp_path, capsys, text)
    assert _stored() == first and MetForecast.objects.count() == 4
    _forecast(tmp_path, capsys, "station,time,ws\nM1,2026-12-07T12:00,9\n")
    assert MetForecast.objects.count() == 4
    assert _stored("M1")[("M1", I8, H12, "a01007")] == 9.0
    assert _stored("M1")[("M1", I8, H12, "a01001")] == 5.0


def test_forecast_met_gives_the_latest_issue_before_the_moment(stations, tmp_path, capsys):
    m1 = stations["micro"].pk
    m2 = stations["micro2"].pk
    _forecast(tmp_path, capsys, "station,time,ws\nM1,2026-12-07T12:00,1\nM2,2026-12-07T12:00,7\n",
              issued="2026-12-06T20:00")  # fmt: skip
    _forecast(tmp_path, capsys, "station,time,ws,temp\nM1,2026-12-07T12:00,2,3\n",
              issued="2026-12-07T08:00")  # fmt: skip
    i20 = I8 - 12 * 3600
    # Before 08:00 only the evening issue is known; the 08:00 issue itself is not "before" 08:00.
    before = forecast_met([m1, m2], H12, H12 + 3600, issued_before=I8)
    assert {k: (v.issued_at, v.values) for k, v in before.items()} == {
        (m1, H12): (i20, {"a01007": 1.0}),
        (m2, H12): (i20, {"a01007": 7.0}),
    }
    after = forecast_met([m1, m2], H12, H12 + 3600, issued_before=I8 + 60)
    assert after[(m1, H12)].issued_at == I8
    assert after[(m1, H12)].values == {"a01007": 2.0, "a01001": 3.0}
    assert after[(m2, H12)].issued_at == i20  # the later issue did not cover M2
    assert forecast_met([m1], H12 + 3600, H12 + 7200, issued_before=I8 + 60) == {}
    assert forecast_met([m1], H12, H12 + 3600, issued_before=i20) == {}


def test_forecast_reads_an_excel_sheet_with_chinese_headers(stations, tmp_path, capsys):
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    ws.append(["站点 station", "时间", "风速 ws", "气压"])
    ws.append(["M1", dt.datetime(2026, 12, 7, 12, 0), 4.25, 1000])
    ws.append([None, None, None, None])
    ws.append(["M2", "2026-12-07T13:00", 1, None])
    path = tmp_path / "met.xlsx"
    book.save(path)
    call_command("import_met", str(path), "--kind", "forecast", "--issued", ISSUED, "--commit")
    assert _stored() == pytest.approx(
        {("M1", I8, H12, "a01007"): 4.25, ("M1", I8, H12, "a01006"): 100.0,
         ("M2", I8, H12 + 3600, "a01007"): 1.0}
    )  # fmt: skip


def test_observed_kind_stores_hourly_factors_like_import_readings(stations, tmp_path, capsys):
    out = _run(
        tmp_path,
        capsys,
        "region,time,wd,ws,temp\nD-S1,2026-12-07T08:00,SSW,2.0,1.5\n",
        "--kind", "observed", "--commit",
    )  # fmt: skip
    assert "2 station-hours stored" in out
    for code in ("M1", "M2"):
        values = dict(
            FactorReading.objects.filter(station__code=code, ts=I8).values_list("code", "value")
        )
        assert values == {"a01008": 202.5, "a01007": 2.0, "a01001": 1.5}
        assert set(
            FactorReading.objects.filter(station__code=code).values_list(
                "interval_minutes", flat=True
            )
        ) == {60}
        hour = FactorHour.objects.get(station__code=code, ts=I8, code="a01001")
        assert (hour.n, hour.total) == (1, 1.5)
    assert not MetForecast.objects.exists()


def test_observed_kind_refuses_future_hours_and_writes_nothing(stations, tmp_path, capsys):
    with pytest.raises(CommandError, match="1 error"):
        _run(
            tmp_path,
            capsys,
            "station,time,ws\nM1,2026-12-07T08:00,2\nM1,2026-12-07T12:00,2\n",
            "--kind", "observed", "--commit",
        )  # fmt: skip
    assert "row 3, time: more than 5 minutes in the future" in capsys.readouterr().out
    assert not FactorReading.objects.exists()


def test_bad_rows_are_named_by_row_and_column_and_nothing_is_written(stations, tmp_path, capsys):
    text = (
        "station,region,time,wd,ws,rh\n"
        "M1,,2026-12-07T12:00,NE,2,50\n"  # good
        "M9,,2026-12-07T12:00,,1,\n"  # 3: unknown station
        ",D-X,2026-12-07T12:00,,1,\n"  # 4: unknown region
        ",,2026-12-07T12:00,,1,\n"  # 5: neither
        "M1,D-S1,2026-12-07T13:00,,1,\n"  # 6: both
        "M2,,2026-02-30T12:00,,1,\n"  # 7: impossible date
        "M2,,2026-12-07T12:30,,1,\n"  # 8: not on the hour
        "M2,,2026-12-07T12:00,NXE,-1,101\n"  # 9: three bad cells
        "M1,,2026-12-07T12:00,,3,\n"  # 10: M1 12:00 ws again
        "M\x07,,2026-12-07T12:00,,1,\n"  # 11: control character
        "M2,,2026-12-30T12:00,,1,\n"  # 12: far beyond the issue
    )
    with pytest.raises(CommandError, match="12 error"):
        _forecast(tmp_path, capsys, text)
    out = capsys.readouterr().out
    for expected in [
        "row 3, station: unknown station 'M9'",
        "row 4, region: unknown region 'D-X'",
        "row 5, station: a station or a region is required",
        "row 6, station: give a station or a region, not both",
        "row 7, time: not an ISO 8601 hour",
        "row 8, time: not an ISO 8601 hour (must be on the hour)",
        "row 9, wd: 'NXE' is neither degrees nor a 16-point compass word",
        "row 9, ws: -1 is outside 0–",
        "row 9, rh: 101 is outside 0–100 %",
        "row 10, time: the same station and hour as row 2",
        "row 11, station:",
        "row 12, time: more than a day before or 16 days after --issued",
    ]:
        assert expected in out, expected
    assert "row 2," not in out
    assert not MetForecast.objects.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--kind", "forecast"], "--issued is required"),
        (["--kind", "observed", "--issued", ISSUED], "only for --kind forecast"),
        (
            ["--kind", "forecast", "--issued", "2026-02-30T08:00"],
            "--issued: '2026-02-30T08:00' is not a date",
        ),
        (["--kind", "forecast", "--issued", "2026-12-07T08:00\x1b"], "--issued: "),
        (["--kind", "forecast", "--issued", "2026-12-08T08:00+08:00"], "in the future"),
        (["--kind", "forecast", "--issued", "1999-12-31T08:00"], "2000 or later"),
    ],
)
def test_bad_arguments_exit_non_zero(stations, tmp_path, args, message):
    path = tmp_path / "met.csv"
    path.write_text("station,time,ws\nM1,2026-12-07T12:00,2\n", encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        call_command("import_met", str(path), *args, "--commit")
    assert not MetForecast.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("met.csv", "station,time,pm25\nM1,2026-12-07T12:00,2\n", "unknown column"),
        ("met.csv", "station,ws\nM1,2\n", "missing column: time"),
        ("met.csv", "time,ws\n2026-12-07T12:00,2\n", "missing column: station or region"),
        ("met.csv", "station,time\nM1,2026-12-07T12:00\n", "no meteorology column"),
        ("met.csv", "station,time,ws,风速\nM1,2026-12-07T12:00,2,2\n", "given twice"),
        ("met.csv", "", "empty"),
        ("met.xlsx", "not a workbook", "not an Excel workbook"),
    ],
)
def test_bad_files_exit_non_zero(stations, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        call_command("import_met", str(path), "--kind", "forecast", "--issued", ISSUED, "--commit")
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_met", str(tmp_path / "nope.csv"), "--kind", "observed")
    assert not MetForecast.objects.exists()
