"""Meteorology columns of `import-readings` (air/met.py): wd (degrees or compass, calm), ws,
temp, rh, dewp, pres (hPa → kPa), rain — stored as factors, bad values refused per row."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gridgov.air import met
from gridgov.air.factor_models import FactorHour, FactorReading
from gridgov.air.factors import Sums, factor
from gridgov.air.models import CST, StationWind

T8 = int(dt.datetime(2026, 11, 20, 8, tzinfo=CST).timestamp())


def _import(tmp_path, capsys, text: str) -> str:
    path = tmp_path / "met.csv"
    path.write_text(text, encoding="utf-8")
    call_command("import_readings", str(path))
    return capsys.readouterr().out


def _values(ts: int) -> dict[str, float | None]:
    return dict(FactorReading.objects.filter(ts=ts).values_list("code", "value"))


def test_parse_accepts_degrees_compass_and_calm_and_refuses_the_rest():
    assert met.parse("wd", "NNE") == 22.5
    assert met.parse("WD", "nnw") == 337.5
    assert met.parse("wd", " sw ") == 225.0
    assert met.parse("wd", "360") == 360.0
    for calm in ("calm", "C", "静风", "CALM"):
        assert met.parse("wd", calm) is None
    assert met.parse("pres", 1013.2) == pytest.approx(101.32)
    assert met.parse("rain", "") is None
    for column, bad, reason in [
        ("wd", "NXE", "compass"),
        ("wd", "361", "outside"),
        ("wd", "-1", "outside"),
        ("ws", "-0.1", "outside"),
        ("rain", "-2", "outside"),
        ("rh", "100.5", "outside"),
        ("temp", "nan", "finite"),
        ("dewp", "inf", "finite"),
        ("pres", "101.3", "outside"),  # kPa given where hPa is expected
        ("ws", "fast", "not a number"),
        ("temp", math.inf, "finite"),
    ]:
        with pytest.raises(ValueError, match=reason):
            met.parse(column, bad)


def test_registry_has_dew_point_and_rain():
    assert (factor("dewp").zh, factor("dewp").unit, factor("dewp").kind) == (
        "露点温度", "℃", "meteorology",
    )  # fmt: skip
    assert (factor("rain").zh, factor("rain").unit) == ("降水量", "mm")
    assert factor("a01006").unit == "kPa"


@pytest.mark.django_db
def test_import_stores_meteorology_as_factors_with_a_vector_mean(stations, tmp_path, capsys):
    out = _import(
        tmp_path,
        capsys,
        "station,time,pm25,wd,ws,temp,rh,dewp,pres,rain\n"
        "M1,2026-11-20T08:00:00,30,NNE,2.0,12.5,60,3.1,1013.2,0\n"
        "M1,2026-11-20T08:01:00,31,calm,0.3,12.6,61,3.2,1013.0,0.2\n"
        "M1,2026-11-20T08:02:00,32,350,1.0,,,,,\n"
        "M1,2026-11-20T08:03:00,33,10,1.0,,,,,\n",
    )
    assert "4 stored" in out and "0 errors" in out
    first = _values(T8)
    assert first == pytest.approx(
        {"a01008": 22.5, "a01007": 2.0, "a01001": 12.5, "a01002": 60.0, "dewp": 3.1,
         "a01006": 101.32, "rain": 0.0}
    )  # fmt: skip
    calm = _values(T8 + 60)
    assert "a01008" not in calm and calm["a01007"] == 0.3 and calm["rain"] == 0.2
    hour = {h.code: h for h in FactorHour.objects.filter(ts=T8)}
    assert hour["a01008"].n == 3 and hour["a01007"].n == 4
    s = hour["a01008"]
    mean, flag = Sums(s.n, s.total, s.x, s.y, s.ux, s.uy).mean("a01008")
    # Speed-weighted unit vectors of 22.5° (2 m/s), 350° and 10° (1 m/s each).
    x = 2 * math.sin(math.radians(22.5)) + math.sin(math.radians(350)) + math.sin(math.radians(10))
    y = 2 * math.cos(math.radians(22.5)) + math.cos(math.radians(350)) + math.cos(math.radians(10))
    assert flag == "N" and mean == pytest.approx(math.degrees(math.atan2(x, y)), abs=1e-6)
    assert hour["a01007"].total / hour["a01007"].n == pytest.approx(1.075)
    assert StationWind.objects.get(station__code="M1").wd == 10.0


@pytest.mark.django_db
@pytest.mark.parametrize("fallback", [False, True], ids=["columnar", "row-by-row"])
def test_bad_meteorology_refuses_its_row_naming_the_column(stations, tmp_path, capsys, fallback):
    # A pollutant cell that is not a number sends the block down the row-by-row path.
    extra = "M1,2026-11-20T08:09:00,abc,N,1,,,,,\n" if fallback else ""
    out = _import(
        tmp_path,
        capsys,
        "station,time,pm25,wd,ws,temp,rh,dewp,pres,rain\n"
        "M1,2026-11-20T08:00:00,30,NE,2.0,12.5,60,3.1,1013.2,0\n"
        "M1,2026-11-20T08:01:00,30,NXE,2.0,,,,,\n"
        "M1,2026-11-20T08:02:00,30,400,2.0,,,,,\n"
        "M1,2026-11-20T08:03:00,30,E,-1,,,,,\n"
        "M1,2026-11-20T08:04:00,30,E,1,,120,,,\n"
        "M1,2026-11-20T08:05:00,30,E,1,,,,,-0.5\n"
        "M1,2026-11-20T08:06:00,30,E,1,NaN,,,,\n"
        "M1,2026-11-20T08:07:00,30,E,1,,,,101.3,\n"
        "M1,2026-11-20T08:08:00,30,e,1,,,,,\n" + extra,
    )
    assert "row 3, wd:" in out and "compass" in out
    assert "row 4, wd: 400 is outside 0–360" in out
    assert "row 5, ws: -1 is outside" in out
    assert "row 6, rh: 120 is outside 0–100" in out
    assert "row 7, rain: -0.5 is outside" in out
    assert "row 8, temp:" in out and "finite" in out
    assert "row 9, pres: 101.3 is outside 300–1100 hPa" in out
    stored = sorted(FactorReading.objects.filter(code="a01008").values_list("ts", "value"))
    assert stored == [(T8, 45.0), (T8 + 480, 90.0)]  # only the good rows, NE and e (east)
    if fallback:
        assert "row 11, pm25" in out


@pytest.mark.django_db
def test_a_column_and_its_code_together_are_refused(stations, tmp_path):
    path = tmp_path / "both.csv"
    path.write_text("station,time,pm25,temp,a01001\nM1,2026-11-20T08:00:00,30,1,1\n")
    with pytest.raises(CommandError, match="temp and a01001 are the same factor"):
        call_command("import_readings", str(path))
