"""A year of the 12 Beijing control stations (../shared/data/beijing_multisite, 2016), fed
through the CLI as a user would (`import-readings --interval 60`, `air daily`), agrees with an
independent computation of HJ 663 (validity, 24-h means, O3 1-h and daily max 8-h) and HJ 633
(rounding per GB/T 8170, exact IAQI, AQI, primary pollutant) under both standards on ≥ 99.5% of
complete days. Written separately from the product's code: plain Python, Decimal and Fraction."""

from __future__ import annotations

import csv
import io
import math
import re
from collections import defaultdict
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from django.core.management import call_command

from gridgov.air.models import Station

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "beijing_multisite"
YEAR = 2016
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not SHARED.exists(), reason="../shared/data (the Beijing stations) is not beside this clone"
    ),
]

# IAQI breakpoints (AIR_STANDARDS.md): the IAQI column, then each indicator's concentrations.
IAQI = [0, 50, 100, 150, 200, 300, 400, 500]
BREAKPOINTS = {
    "so2": [0, 50, 150, 475, 800, 1600, 2100, 2620],
    "no2": [0, 40, 80, 180, 280, 565, 750, 940],
    "co": [0, 2, 4, 14, 24, 36, 48, 60],
    "o3_8h_max": [0, 100, 160, 215, 265, 800],
    "o3_1h_max": [0, 160, 200, 300, 400, 800, 1000, 1200],
    ("pm10", "2012"): [0, 50, 150, 250, 350, 420, 500, 600],
    ("pm10", "2026"): [0, 50, 120, 250, 350, 420, 500, 600],
    ("pm25", "2012"): [0, 35, 75, 115, 150, 250, 350, 500],
    ("pm25", "2026"): [0, 35, 60, 115, 150, 250, 350, 500],
}
NAMES = {"pm25": "PM2.5", "pm10": "PM10", "so2": "SO2", "no2": "NO2", "co": "CO"}
MEANS = ["pm25", "pm10", "so2", "no2", "co"]


def rounded(value: Fraction, pollutant: str) -> Decimal:
    """GB/T 8170: round half to even on the exact value; CO to 0.1, the rest to integers."""
    scale = 10 if pollutant == "co" else 1
    scaled = value * scale
    down = math.floor(scaled)
    rest = scaled - down
    whole = down + (1 if rest > Fraction(1, 2) or (rest == Fraction(1, 2) and down % 2) else 0)
    return Decimal(whole) / scale


def iaqi(c: Decimal, key: object) -> int | None:
    points = BREAKPOINTS[key]  # type: ignore[index]
    if c > points[-1]:
        return None  # above the top: the caller decides (cap, 1-h O3, 300)
    for i in range(1, len(points)):
        if c <= points[i]:
            lo, hi = Fraction(points[i - 1]), Fraction(points[i])
            span = Fraction(IAQI[i] - IAQI[i - 1])
            return IAQI[i - 1] + math.ceil(span * (Fraction(c) - lo) / (hi - lo))
    raise AssertionError("unreachable")


def day_values(hours: list[dict[str, Fraction | None]]) -> dict[str, Fraction | None]:
    """HJ 663 daily statistics of one calendar day (24 hourly means, None = missing)."""
    out: dict[str, Fraction | None] = {}
    for p in MEANS:
        values = [h[p] for h in hours if h[p] is not None]
        out[p] = sum(values) / len(values) if len(values) >= 20 else None
    o3 = [h["o3"] for h in hours]
    valid_o3 = [v for v in o3 if v is not None]
    out["o3_1h_max"] = max(valid_o3) if len(valid_o3) >= 20 else None
    windows = []
    for end in range(8, 25):  # the 8-h means ending at 08:00 … 24:00
        inside = [v for v in o3[end - 8 : end] if v is not None]
        if len(inside) >= 6:
            windows.append(sum(inside) / len(inside))
    best = max(windows) if windows else None
    if best is not None and (len(windows) >= 14 or best > 160):
        out["o3_8h_max"] = best
    else:
        out["o3_8h_max"] = None
    return out


def aqi_of(values: dict[str, Fraction | None], standard: str) -> tuple[int, set[str]]:
    """(AQI, primary pollutants) of a complete day."""
    sub: dict[str, int] = {}
    for p in MEANS:
        key = (p, standard) if p in ("pm10", "pm25") else p
        c = rounded(values[p], p)  # type: ignore[arg-type]
        found = iaqi(c, key)
        sub[NAMES[p]] = 500 if found is None else found
    o3_8h = rounded(values["o3_8h_max"], "o3")  # type: ignore[arg-type]
    o3_1h = rounded(values["o3_1h_max"], "o3")  # type: ignore[arg-type]
    eight = iaqi(o3_8h, "o3_8h_max")
    if standard == "2012":
        one = iaqi(o3_1h, "o3_1h_max")
        one = 500 if one is None else one
        sub["O3"] = max(one, eight) if eight is not None else one
    else:
        sub["O3"] = 300 if eight is None else eight
    aqi = max(sub.values())
    primary = {name for name, v in sub.items() if v == aqi} if aqi > 50 else set()
    return aqi, primary


def load_year() -> tuple[str, dict[tuple[str, str], list[dict[str, Fraction | None]]]]:
    """The import CSV (CO in mg/m³), and each station-day's 24 hours for the independent side."""
    out = io.StringIO()
    out.write("station,time,pm25,pm10,so2,no2,co,o3\n")
    days: dict[tuple[str, str], list[dict[str, Fraction | None]]] = defaultdict(
        lambda: [dict.fromkeys(["pm25", "pm10", "so2", "no2", "co", "o3"]) for _ in range(24)]
    )
    columns = {"pm25": "PM2.5", "pm10": "PM10", "so2": "SO2", "no2": "NO2", "co": "CO", "o3": "O3"}
    for path in sorted(SHARED.glob("PRSA_Data_*.csv")):
        with open(path, newline="") as handle:
            for r in csv.DictReader(handle):
                if int(r["year"]) != YEAR:
                    continue
                station, hour = r["station"], int(r["hour"])
                date = f"{YEAR}-{int(r['month']):02d}-{int(r['day']):02d}"
                cells = []
                for key, column in columns.items():
                    raw = r[column]
                    exact = None if raw == "NA" else Fraction(raw) / (1000 if key == "co" else 1)
                    days[(station, date)][hour][key] = exact
                    cells.append(
                        "" if exact is None else str(Decimal(exact.numerator) / exact.denominator)
                    )
                out.write(f"{station},{date}T{hour:02d}:00:00," + ",".join(cells) + "\n")
    return out.getvalue(), days


def primary_of(text: str) -> set[str]:
    names = {part.strip() for part in re.split(r"[,;/、 ]+", text) if part.strip()}
    return {"O3" if n.upper().startswith("O3") else n for n in names if n not in ("NA", "-")}


def test_a_year_of_beijing_control_stations_agrees_with_hj633_and_hj663(tmp_path, capsys):
    text, days = load_year()
    stations = sorted({station for station, _date in days})
    assert len(stations) == 12
    for code in stations:
        Station.objects.create(
            code=code, name=code, kind="national", lat=40.0, lon=116.4, interval_minutes=60
        )
    path = tmp_path / "beijing-2016.csv"
    path.write_text(text)
    call_command("import_readings", str(path), "--interval", "60", "--no-alarms")
    capsys.readouterr()

    expected = {key: day_values(hours) for key, hours in days.items()}
    complete = {k: v for k, v in expected.items() if all(x is not None for x in v.values())}
    report = []
    for standard in ("2012", "2026"):
        call_command(
            "air", "daily", "--from", f"{YEAR}-01-01", "--to", f"{YEAR}-12-31",
            "--station", *stations, "--standard", standard, "--format", "csv",
        )  # fmt: skip
        rows = {
            (r["station"], r["date"]): r
            for r in csv.DictReader(io.StringIO(capsys.readouterr().out))
        }
        agree: dict[str, int] = defaultdict(int)
        for key, values in complete.items():
            got = rows.get(key)
            if got is None:
                continue
            for p in [*MEANS, "o3_1h_max", "o3_8h_max"]:
                if p == "o3_1h_max" and standard == "2026":
                    continue
                pollutant = "co" if p == "co" else p
                if got[p] != "" and Decimal(got[p]) == rounded(values[p], pollutant):  # type: ignore[arg-type]
                    agree[p] += 1
            aqi, primary = aqi_of(values, standard)
            agree["aqi"] += got["aqi"] == str(aqi)
            agree["primary"] += primary_of(got["primary_pollutants"]) == primary
        for measure, n in sorted(agree.items()):
            report.append((standard, measure, n / len(complete)))
    print(
        "\n".join(
            f"{s} {m}: {share:.2%} of {len(complete)} complete days" for s, m, share in report
        )
    )
    worst = min(report, key=lambda item: item[2])
    assert worst[2] >= 0.995, report
