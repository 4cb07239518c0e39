"""The analysts' commands: import-stations, import-readings (CSV and Parquet), air daily/assess,
aqi — and a month of real Beijing control-station data through the whole path."""

import csv
import datetime as dt
import io
import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.core.management import CommandError, call_command

from gridgov.air.models import DailyAggregate, HourlyAggregate, Reading, Station

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "beijing_multisite"
HEADER = "station,time,pm25,pm10,so2,no2,co,o3\n"


def write(tmp_path, text, name="readings.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- stations --------------------------------------------------------------------------------


def test_import_stations_dry_run_then_commit_locates_each_in_its_grid(territory, tmp_path, capsys):
    path = write(
        tmp_path,
        "code,name,kind,lat,lon\nW1,东一微站,微站,35.2,113.05\nC1,市站,national,36.5,113.2\n",
        "stations.csv",
    )
    call_command("import_stations", str(path))
    assert "Would create 2" in capsys.readouterr().out and not Station.objects.exists()
    call_command("import_stations", str(path), "--commit")
    w1, c1 = Station.objects.get(code="W1"), Station.objects.get(code="C1")
    assert w1.grid.code == "D-S1-C1-G1" and w1.kind == "micro" and w1.interval_minutes == 1
    assert c1.grid is None and c1.interval_minutes == 60  # outside every grid: allowed


@pytest.mark.parametrize(
    ("line", "column"),
    [
        ("W1,x,castle,35.2,113.05", "kind"),
        ("W1,x,micro,95,113.05", "lat"),
        ("W1,,micro,35.2,113.05", "name"),
        ("W1,x,micro,35.2,113.05,7", "interval_minutes"),
    ],
)
def test_import_stations_bad_rows_are_named_and_nothing_is_written(
    territory, tmp_path, capsys, line, column
):
    path = write(tmp_path, f"code,name,kind,lat,lon,interval_minutes\n{line}\n", "s.csv")
    with pytest.raises(CommandError):
        call_command("import_stations", str(path), "--commit")
    assert f"row 2, {column}" in capsys.readouterr().out
    assert not Station.objects.exists()


# --- readings --------------------------------------------------------------------------------


def minutes_csv(code, start, n, base=40.0):
    lines = [HEADER]
    for k in range(n):
        t = start + dt.timedelta(minutes=k)
        lines.append(
            f"{code},{t:%Y-%m-%dT%H:%M:%S},{base + (k % 7)},{60 + k % 5},8,30,0.7,{80 + k % 9}\n"
        )
    return "".join(lines)


def test_import_readings_csv_is_idempotent(stations, tmp_path, capsys):
    path = write(tmp_path, minutes_csv("M1", dt.datetime(2026, 11, 20, 8, 0), 120))
    call_command("import_readings", str(path))
    assert "120 stored" in capsys.readouterr().out
    call_command("import_readings", str(path))
    assert "0 stored, 120 already there" in capsys.readouterr().out
    # a time without an offset is China Standard Time: 08:00 CST is 00:00 UTC
    first = Reading.objects.order_by("ts").first()
    assert first.ts == int(dt.datetime(2026, 11, 20, 0, 0, tzinfo=dt.UTC).timestamp())
    assert HourlyAggregate.objects.filter(station=stations["micro"]).count() == 2


def test_import_readings_reports_bad_rows_and_keeps_the_good(stations, tmp_path, capsys):
    text = minutes_csv("M1", dt.datetime(2026, 11, 20, 8, 0), 5)
    text += "NOPE,2026-11-20T08:10:00,1,1,1,1,1,1\n"
    text += "M1,2026-11-20T08:11:30,1,1,1,1,1,1\n"
    text += "M1,whenever,1,1,1,1,1,1\n"
    text += "M1,2026-11-20T08:12:00,abc,1,1,1,1,1\n"
    call_command("import_readings", str(write(tmp_path, text)))
    out = capsys.readouterr().out
    assert "row 7, station: unknown station 'NOPE'" in out
    assert "row 8, time: not on the station's 1-minute interval" in out
    assert "row 9, time" in out
    assert "row 10, pm25" in out
    assert Reading.objects.count() == 5


def test_strict_import_writes_nothing_when_any_row_is_bad(stations, tmp_path, capsys):
    text = minutes_csv("M1", dt.datetime(2026, 11, 20, 8, 0), 5)
    text += "M1,2026-11-20T08:10:00,1,1,1,1,900,1\n"  # CO in µg/m³
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import_readings", str(write(tmp_path, text)), "--strict")
    assert "row 7, co" in capsys.readouterr().out
    assert not Reading.objects.exists()


def test_import_readings_refuses_unknown_columns_and_missing_files(stations, tmp_path):
    with pytest.raises(CommandError, match="unknown column"):
        call_command("import_readings", str(write(tmp_path, "station,time,pm25,humidity\n")))
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_readings", str(tmp_path / "none.csv"))


def test_import_readings_parquet(stations, tmp_path, capsys):
    times = [
        dt.datetime(2026, 11, 20, 8, k, tzinfo=dt.timezone(dt.timedelta(hours=8)))
        for k in range(30)
    ]
    table = pa.table(
        {
            "station": ["M1"] * 30,
            "time": pa.array(times, pa.timestamp("s", tz="+08:00")),
            "pm25": np.linspace(30, 40, 30),
            "co": [0.5] * 30,
        }
    )
    path = tmp_path / "r.parquet"
    pq.write_table(table, path)
    call_command("import_readings", str(path))
    assert "30 stored" in capsys.readouterr().out
    assert Reading.objects.filter(station=stations["micro"]).count() == 30


def test_hourly_means_need_the_interval_option(stations, tmp_path, capsys):
    text = HEADER + "".join(
        f"N1,2026-11-20T{h:02d}:00:00,{30 + h},50,5,20,0.6,70\n" for h in range(24)
    )
    path = write(tmp_path, text)
    call_command("import_readings", str(path), "--interval", "60")
    day = DailyAggregate.objects.get(station=stations["national"], day=dt.date(2026, 11, 20))
    assert day.pm25_n == 24 and day.pm25 == pytest.approx(np.mean([30 + h for h in range(24)]))


# --- reports ---------------------------------------------------------------------------------


def load_day(stations, tmp_path):
    text = HEADER + "".join(
        f"N1,2026-11-20T{h:02d}:00:00,{70 + h % 3},{90 + h % 4},{8 + h % 3},{34 + h % 3},"
        f"{1.0 + (h % 3) / 10:.1f},{60 + 4 * h}\n"
        for h in range(24)
    )
    call_command("import_readings", str(write(tmp_path, text)), "--interval", "60")


def test_air_daily_prints_the_daily_report(stations, tmp_path, capsys):
    load_day(stations, tmp_path)
    capsys.readouterr()
    call_command("air", "daily", "--from", "2026-11-20", "--to", "2026-11-21", "--station", "N1")
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert list(rows[0]) == [
        "station",
        "date",
        "pm25",
        "pm10",
        "so2",
        "no2",
        "co",
        "o3_1h_max",
        "o3_8h_max",
        "iaqi_pm25",
        "iaqi_pm10",
        "iaqi_so2",
        "iaqi_no2",
        "iaqi_co",
        "iaqi_o3",
        "aqi",
        "level",
        "category",
        "primary_pollutants",
        "standard",
        "review",
    ]
    day, empty = rows
    assert day["review"] == "unreviewed"
    # pm25 hourly values 70,71,72 repeating -> mean 71; 2026 rules: 60..115 -> 100 + 50*11/55 = 110
    assert day["pm25"] == "71" and day["iaqi_pm25"] == "110" and day["aqi"] == "110"
    assert day["primary_pollutants"] == "PM2.5" and day["category"] == "轻度污染"
    assert day["co"] == "1.1" and day["standard"] == "2026"
    assert empty["pm25"] == "" and empty["aqi"] == "" and empty["category"] == "NA"


def test_air_daily_json_and_forced_standard(stations, tmp_path, capsys):
    load_day(stations, tmp_path)
    out = tmp_path / "d.json"
    call_command(
        "air",
        "daily",
        "--from",
        "2026-11-20",
        "--to",
        "2026-11-20",
        "--station",
        "N1",
        "--standard",
        "2012",
        "--format",
        "json",
        "-o",
        str(out),
    )
    row = json.loads(out.read_text())[0]
    # 2012: 35..75 -> 50..100: 71 -> 50 + ceil(50*36/40) = 95
    assert row["iaqi_pm25"] == 95 and row["standard"] == "2012"


def test_air_assess_prints_json_per_unit(stations, tmp_path, capsys):
    load_day(stations, tmp_path)
    capsys.readouterr()
    call_command("air", "assess", "--from", "2026-11-20", "--to", "2026-11-20", "--station", "N1")
    (item,) = json.loads(capsys.readouterr().out)
    assert item["station"] == "N1" and item["valid_days"] == 1 and item["pm25"] == 71
    assert item["comprehensive_index"] is not None and item["good_day_ratio"] == 0.0


@pytest.mark.parametrize(
    "args",
    [
        ["--from", "2026-13-01", "--to", "2026-12-01"],
        ["--from", "2026-12-02", "--to", "2026-12-01"],
        ["--from", "2026-12-01", "--to", "2026-12-01", "--station", "NOPE"],
        ["--from", "2026-12-01", "--to", "2026-12-01", "--region", "NOPE"],
    ],
)
def test_air_commands_refuse_bad_arguments(stations, args):
    with pytest.raises(CommandError):
        call_command("air", "daily", *args)


def test_aqi_command(capsys, db):
    call_command("aqi", "--pm25", "75", "--standard", "2012")
    assert json.loads(capsys.readouterr().out)["aqi"] == 100
    call_command("aqi", "--pm25", "75", "--date", "2026-06-01")
    assert json.loads(capsys.readouterr().out)["aqi"] == 114
    with pytest.raises(CommandError):
        call_command("aqi", "--pm25", "-3")
    with pytest.raises(CommandError):
        call_command("aqi")


def test_aqi_command_on_a_csv(tmp_path, capsys, db):
    path = write(tmp_path, "pm25,pm10,o3_8h_max\n28,40,90\n36,,\n", "c.csv")
    call_command("aqi", "--csv", str(path), "--standard", "2012")
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["aqi"] for r in rows] == ["45", "52"]


# --- real data ---------------------------------------------------------------------------------


@pytest.mark.skipif(not SHARED.exists(), reason="../shared/data is not beside this clone")
def test_a_month_of_beijing_control_station_data(territory, tmp_path, capsys):
    """Dongsi, January 2017: hourly means (CO given in µg/m³ there, converted to mg/m³)."""
    Station.objects.create(
        code="Dongsi", name="东四", kind="national", lat=39.93, lon=116.42, interval_minutes=60
    )
    rows, by_day = [HEADER], {}
    with open(SHARED / "PRSA_Data_Dongsi_20130301-20170228.csv", newline="") as handle:
        for r in csv.DictReader(handle):
            if (r["year"], r["month"]) != ("2017", "1"):
                continue

            def v(key, scale=1.0, r=r):
                return "" if r[key] == "NA" else f"{float(r[key]) * scale:g}"

            rows.append(
                f"Dongsi,2017-01-{int(r['day']):02d}T{int(r['hour']):02d}:00:00,"
                f"{v('PM2.5')},{v('PM10')},{v('SO2')},{v('NO2')},{v('CO', 0.001)},"
                f"{v('O3')}\n"
            )
            if r["PM2.5"] != "NA":
                by_day.setdefault(int(r["day"]), []).append(float(r["PM2.5"]))
    path = write(tmp_path, "".join(rows))
    call_command("import_readings", str(path), "--interval", "60", "--no-alarms")
    assert "744 stored" in capsys.readouterr().out
    days = {d.day.day: d for d in DailyAggregate.objects.filter(station__code="Dongsi")}
    for day, values in by_day.items():
        if len(values) >= 20:
            assert days[day].pm25 == pytest.approx(np.mean(values))
        else:
            assert days[day].pm25 is None
    call_command(
        "air", "assess", "--from", "2017-01-01", "--to", "2017-01-31", "--station", "Dongsi"
    )
    (result,) = json.loads(capsys.readouterr().out)
    assert result["required_days"] == 27 and result["limits"] == "GB 3095-2012"
    assert 50 < result["pm25"] < 200  # a polluted winter month
