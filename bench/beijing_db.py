"""The Beijing control stations (../shared/data/beijing_multisite, 2013-03 → 2017-02, hourly,
with their weather) in a SQLite database of their own, built once through the CLI as a user
would (`migrate`, the 12 stations, `import-readings --interval 60` with the meteorology columns
wd/ws/temp/rh/dewp/pres/rain) and kept in bench/out/beijing.sqlite3 for the benchmarks that need
years of real data (bench/forecast_backtest.py).

    PYTHONPATH=src python bench/beijing_db.py          # build (or reuse) and print its path
"""

from __future__ import annotations

import csv
import math
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
DB = OUT / "beijing.sqlite3"
SHARED = HERE.parents[1] / "shared" / "data" / "beijing_multisite"

# code, file name, name, latitude, longitude (the sites' published positions, ±0.01°)
STATIONS = [
    ("BJ-AT", "Aotizhongxin", "奥体中心", 39.982, 116.397),
    ("BJ-CP", "Changping", "昌平镇", 40.217, 116.230),
    ("BJ-DL", "Dingling", "定陵", 40.292, 116.220),
    ("BJ-DS", "Dongsi", "东四", 39.929, 116.417),
    ("BJ-GY", "Guanyuan", "官园", 39.929, 116.339),
    ("BJ-GC", "Gucheng", "古城", 39.914, 116.184),
    ("BJ-HR", "Huairou", "怀柔镇", 40.328, 116.628),
    ("BJ-NZ", "Nongzhanguan", "农展馆", 39.937, 116.461),
    ("BJ-SY", "Shunyi", "顺义新城", 40.127, 116.655),
    ("BJ-TT", "Tiantan", "天坛", 39.886, 116.407),
    ("BJ-WL", "Wanliu", "万柳", 39.987, 116.287),
    ("BJ-WS", "Wanshouxigong", "万寿西宫", 39.878, 116.352),
]
POLLUTANTS = ("PM2.5", "PM10", "SO2", "NO2", "CO", "O3")
MET = (("wd", "wd"), ("WSPM", "ws"), ("TEMP", "temp"), ("DEWP", "dewp"), ("PRES", "pres"),
       ("RAIN", "rain"))  # fmt: skip


def env(db: Path = DB) -> dict[str, str]:
    return {
        **os.environ,
        "GRIDGOV_DATA_DIR": str(OUT),
        "DATABASE_URL": f"sqlite:///{db}",
        "PYTHONPATH": str(HERE.parent / "src"),
    }


def rh_of(temp: float, dewp: float) -> float:
    """Relative humidity (%) from temperature and dew point (Magnus, over water)."""
    a, b = 17.625, 243.04
    return 100 * math.exp(a * dewp / (b + dewp) - a * temp / (b + temp))


def write_csv(path: Path) -> int:
    """One import file for the 12 stations: CO in mg/m³, NA empty, rh from temp and dew point."""
    rows = 0
    with open(path, "w", newline="") as out:
        out.write("station,time,pm25,pm10,so2,no2,co,o3,wd,ws,temp,dewp,pres,rain,rh\n")
        for code, file_name, *_ in STATIONS:
            src = SHARED / f"PRSA_Data_{file_name}_20130301-20170228.csv"
            with open(src, newline="") as handle:
                for r in csv.DictReader(handle):
                    cells = []
                    for column in POLLUTANTS:
                        raw = r[column]
                        if raw == "NA":
                            cells.append("")
                        else:
                            cells.append(repr(float(raw) / 1000) if column == "CO" else raw)
                    for column, _ in MET:
                        cells.append("" if r[column] == "NA" else r[column])
                    rh = ""
                    if r["TEMP"] != "NA" and r["DEWP"] != "NA":
                        rh = f"{min(100.0, rh_of(float(r['TEMP']), float(r['DEWP']))):.1f}"
                    cells.append(rh)
                    when = f"{r['year']}-{int(r['month']):02d}-{int(r['day']):02d}T{int(r['hour']):02d}:00:00"
                    out.write(f"{code},{when},{','.join(cells)}\n")
                    rows += 1
    return rows


def build() -> Path:
    if DB.exists():
        return DB
    if not SHARED.exists():
        sys.exit(f"{SHARED} is not beside this clone: the Beijing data is needed")
    OUT.mkdir(exist_ok=True)
    part = OUT / "beijing-building.sqlite3"  # renamed to DB only when complete
    for leftover in OUT.glob("beijing-building.sqlite3*"):
        leftover.unlink()
    python = sys.executable
    e = env(part)
    subprocess.run([python, "-m", "gridgov.cli", "migrate", "-v", "0"], env=e, check=True)
    script = (
        "import django; django.setup()\n"
        "from gridgov.air.models import Station\n"
        f"for code, _, name, lat, lon in {STATIONS!r}:\n"
        "    Station.objects.get_or_create(code=code, defaults=dict(name=name, kind='national', "
        "lat=lat, lon=lon, interval_minutes=60))\n"
    )
    subprocess.run([python, "-c", script], env={**e, "DJANGO_SETTINGS_MODULE": "gridgov.settings"},
                   check=True)  # fmt: skip
    csv_path = OUT / "beijing-import.csv"
    rows = write_csv(csv_path)
    t = time.perf_counter()
    subprocess.run(
        [python, "-m", "gridgov.cli", "import-readings", str(csv_path), "--interval", "60",
         "--no-alarms"],
        env=e, check=True,
    )  # fmt: skip
    print(f"imported {rows:,} station-hours in {time.perf_counter() - t:.0f} s", file=sys.stderr)
    csv_path.unlink()
    part.rename(DB)
    return DB


if __name__ == "__main__":
    print(build())
