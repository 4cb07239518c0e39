"""The pollution rose of a Beijing control station's year (Dongsi, 2016-03-01 → 2017-02-28,
../shared/data/beijing_multisite), imported through `import-readings` with its `wd` (16-point
compass words) and `ws` columns and asked of the API, equals an independent computation straight
from the raw CSV: every sector's and band's hours and mean, and calm, within 1e-6.

The independent side's rule, written apart from the product's code (plain csv and Python): an
hour counts when its PM2.5 is given and within the instrument range 0–1000 µg/m³ (the product
leaves out negative and above-range values: air/quality.py; in this year every given value is
within it) and WSPM is given; calm when WSPM < 0.5 m/s whatever wd says; otherwise it needs a wd
word, whose sector is the word itself (N, NNE … NNW), and its band is [0.5, 2), [2, 4), [4, 6)
or ≥ 6 m/s; every other hour is left out."""

from __future__ import annotations

import csv
import io
import time
from collections import defaultdict
from pathlib import Path

import pytest
from django.core.management import call_command

from gridgov.air.models import Station

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "beijing_multisite"
FILE = SHARED / "PRSA_Data_Dongsi_20130301-20170228.csv"
COMPASS = ["N", "NNE", "NE", "ENE", "E", "ESE", "SE", "SSE",
           "S", "SSW", "SW", "WSW", "W", "WNW", "NW", "NNW"]  # fmt: skip
EDGES = [0.5, 2.0, 4.0, 6.0]
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not FILE.exists(), reason="../shared/data (the Beijing stations) is not beside this clone"
    ),
]


def in_year(r: dict[str, str]) -> bool:
    year, month = int(r["year"]), int(r["month"])
    return (year == 2016 and month >= 3) or (year == 2017 and month <= 2)


def load() -> tuple[str, list[dict[str, str]]]:
    """The import CSV (CO in mg/m³, NA as empty) and the raw rows of the year."""
    out = io.StringIO()
    out.write("station,time,pm25,pm10,so2,no2,co,o3,wd,ws\n")
    rows = []
    with open(FILE, newline="") as handle:
        for r in csv.DictReader(handle):
            if not in_year(r):
                continue
            rows.append(r)
            cells = []
            for column in ("PM2.5", "PM10", "SO2", "NO2", "CO", "O3"):
                raw = r[column]
                if raw == "NA":
                    cells.append("")
                else:
                    cells.append(repr(float(raw) / 1000) if column == "CO" else raw)
            wd = "" if r["wd"] == "NA" else r["wd"]
            ws = "" if r["WSPM"] == "NA" else r["WSPM"]
            day = f"{r['year']}-{int(r['month']):02d}-{int(r['day']):02d}"
            when = f"{day}T{int(r['hour']):02d}:00:00"
            out.write(f"DS,{when},{','.join(cells)},{wd},{ws}\n")
    return out.getvalue(), rows


def independent(rows: list[dict[str, str]]) -> dict[str, object]:
    """Hours and mean per (sector, band) and calm, from the raw rows."""
    cells: dict[tuple[str, int], list[float]] = defaultdict(list)
    calm: list[float] = []
    for r in rows:
        if r["PM2.5"] == "NA" or r["WSPM"] == "NA":
            continue
        value, speed = float(r["PM2.5"]), float(r["WSPM"])
        if not 0 <= value <= 1000:
            continue
        if speed < 0.5:
            calm.append(value)
        elif r["wd"] in COMPASS:
            band = sum(speed >= edge for edge in EDGES[1:])
            cells[(r["wd"], band)].append(value)
    return {"cells": cells, "calm": calm}


def mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def test_dongsi_rose_equals_an_independent_computation(tmp_path, client, bearer, capsys):
    text, rows = load()
    assert len(rows) == 8760
    Station.objects.create(
        code="DS", name="东四", kind="national", lat=39.93, lon=116.42, interval_minutes=60
    )
    path = tmp_path / "dongsi.csv"
    path.write_text(text)
    started = time.monotonic()
    call_command("import_readings", str(path), "--interval", "60", "--no-alarms")
    imported = time.monotonic() - started
    assert "8,760 stored" in capsys.readouterr().out
    response = client.get(
        "/api/v1/air/stations/DS/rose?pollutant=pm25&from=2016-03-01&to=2017-02-28",
        **bearer("command"),
    )
    assert response.status_code == 200, response.content
    got = response.json()
    want = independent(rows)
    cells: dict[tuple[str, int], list[float]] = want["cells"]  # type: ignore[assignment]
    checked = 0
    for i, sector in enumerate(got["sectors"]):
        name = COMPASS[i]
        assert sector["direction"] == name
        every = [v for k in range(4) for v in cells[(name, k)]]
        assert sector["hours"] == len(every), name
        assert sector["mean"] == pytest.approx(mean(every), abs=1e-6), name
        for k, band in enumerate(sector["bands"]):
            assert (band["from_ms"], band["to_ms"]) == (EDGES[k], [*EDGES, None][k + 1])
            assert band["hours"] == len(cells[(name, k)]), (name, k)
            expected = mean(cells[(name, k)])
            if expected is None:
                assert band["mean"] is None
            else:
                assert band["mean"] == pytest.approx(expected, abs=1e-6), (name, k)
            checked += 1
    calm: list[float] = want["calm"]  # type: ignore[assignment]
    assert got["calm"]["hours"] == len(calm)
    assert got["calm"]["mean"] == pytest.approx(mean(calm), abs=1e-6)
    assert checked == 64
    used = sum(s["hours"] for s in got["sectors"]) + got["calm"]["hours"]
    with capsys.disabled():
        ne, sw = got["sectors"][2], got["sectors"][10]
        print(
            f"\nDongsi 2016-03→2017-02 PM2.5 rose: import {imported:.1f} s; {used} hours used, "
            f"calm {got['calm']['hours']} h mean {got['calm']['mean']:.3f}; "
            f"NE {ne['hours']} h mean {ne['mean']:.3f} "
            f"(bands {[b['hours'] for b in ne['bands']]}); "
            f"SW {sw['hours']} h mean {sw['mean']:.3f} (bands {[b['hours'] for b in sw['bands']]})"
        )
