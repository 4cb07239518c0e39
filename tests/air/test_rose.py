"""Pollution rose and CPF (air/rose.py): sectors, bands, calm, the line, CPF; the API and the
station page's section."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from django.core.management import call_command

from gridgov.air import rose


def _hours(values, directions, speeds):
    return {
        "ts": np.arange(len(values)),
        "value": np.array(values, dtype=float),
        "direction": np.array(directions, dtype=float),
        "speed": np.array(speeds, dtype=float),
    }


def test_sectors_are_centred_on_their_bearings_and_bands_are_half_open():
    d = np.array([348.75, 359.9, 0.0, 11.2499, 11.25, 33.75, 180.0, 337.4, 360.0])
    sector, _ = rose.classify(d, np.full(len(d), 3.0))
    assert sector.tolist() == [0, 0, 0, 0, 1, 2, 8, 15, 0]
    s = np.array([0.0, 0.49, 0.5, 1.99, 2.0, 5.99, 6.0, 30.0, np.nan, 1.0])
    d = np.array([90.0] * 9 + [np.nan])
    sector, band = rose.classify(d, s)
    assert sector.tolist() == [-1, -1, 4, 4, 4, 4, 4, 4, -2, -2]
    assert band[2:8].tolist() == [0, 0, 1, 2, 3, 3]
    # Calm needs no direction.
    assert rose.classify(np.array([np.nan]), np.array([0.2]))[0].tolist() == [-1]


def test_rose_counts_hours_means_calm_and_the_share_above_the_line():
    hours = _hours(
        values=[10, 30, 50, 80, 100, np.nan, 70, 20],
        directions=[0, 5, 355, 90, 92, 0, np.nan, np.nan],
        speeds=[1.0, 3.0, 7.0, 1.0, 2.5, 1.0, 1.0, 0.1],
    )
    out = rose.rose(hours, line=45.0)
    n, e = out["sectors"][0], out["sectors"][4]
    assert [s["direction"] for s in out["sectors"]][:5] == ["N", "NNE", "NE", "ENE", "E"]
    assert (n["hours"], n["mean"]) == (3, 30.0)
    assert [(b["from_ms"], b["to_ms"], b["hours"], b["mean"]) for b in n["bands"]] == [
        (0.5, 2.0, 1, 10.0), (2.0, 4.0, 1, 30.0), (4.0, 6.0, 0, None), (6.0, None, 1, 50.0)
    ]  # fmt: skip
    assert (e["hours"], e["mean"]) == (2, 90.0)
    assert out["sectors"][1] == {
        "direction": "NNE", "hours": 0, "mean": None,
        "bands": [{"from_ms": lo, "to_ms": hi, "hours": 0, "mean": None}
                  for lo, hi in [(0.5, 2.0), (2.0, 4.0), (4.0, 6.0), (6.0, None)]],
    }  # fmt: skip
    assert out["calm"] == {"hours": 1, "mean": 20.0}
    assert out["left_out"] == 2  # no valid mean; no direction though windy
    assert out["above_share"]["sectors"][0] == pytest.approx(1 / 3)
    assert out["above_share"]["sectors"][4] == 1.0
    assert out["above_share"]["all"] == pytest.approx(3 / 6)
    assert out["above_share"]["calm"] == 0.0


def test_cpf_is_the_share_of_a_sectors_hours_at_or_above_the_percentile():
    # Valid hours 10, 20, … 100 (the one without wind counts in the percentile too).
    hours = _hours(
        values=[10, 20, 30, 40, 50, 60, 70, 80, 90, 100],
        directions=[0, 0, 0, 0, 180, 180, 180, 180, 180, np.nan],
        speeds=[1, 1, 1, 1, 3, 3, 3, 3, 0.2, np.nan],
    )
    out = rose.cpf(hours, 75.0)
    assert out["threshold"] == pytest.approx(77.5)  # HJ 663: k = 1 + 9·0.75 = 7.75
    assert out["valid_hours"] == 10
    assert out["sectors"][0]["cpf"] == 0.0 and out["sectors"][0]["hours"] == 4
    assert out["sectors"][8]["cpf"] == pytest.approx(1 / 4)
    assert out["sectors"][8]["bands"][1]["cpf"] == pytest.approx(1 / 4)
    assert out["sectors"][1]["cpf"] is None
    assert out["calm"] == {"hours": 1, "cpf": 1.0}


def test_grade_ii_line_follows_the_standard_in_force():
    assert rose.grade_ii_line("pm25", dt.date(2025, 12, 31)) == 75.0
    assert rose.grade_ii_line("pm25", dt.date(2026, 3, 1)) == 60.0
    assert rose.grade_ii_line("o3", dt.date(2025, 1, 1)) == 160.0
    assert rose.grade_ii_line("co", dt.date(2025, 1, 1)) == 4.0


ROWS = [  # hour, pm25, wd, ws
    (0, 40, "N", 1.0),
    (1, 60, "N", 3.0),
    (2, 200, "S", 5.0),
    (3, 100, "S", 7.0),
    (4, 20, "calm", 0.2),
    (5, 90, "", 2.0),  # no direction: left out
    (6, "", "E", 2.0),  # no pollutant: left out
]


@pytest.fixture
def roses(stations, tmp_path, capsys):
    text = "station,time,pm25,wd,ws\n" + "".join(
        f"N1,2026-11-19T{h:02d}:00:00,{v},{wd},{ws}\n" for h, v, wd, ws in ROWS
    )
    path = tmp_path / "n1.csv"
    path.write_text(text)
    call_command("import_readings", str(path), "--no-alarms")
    assert "7 stored" in capsys.readouterr().out
    return stations


URL = "/api/v1/air/stations/{}/rose?pollutant=pm25&from=2026-11-19&to=2026-11-19"


@pytest.mark.django_db
def test_api_rose_answers_every_sector_band_and_calm(roses, client, bearer):
    response = client.get(URL.format("N1") + "&line=75", **bearer("east_secretary"))
    assert response.status_code == 200, response.content
    body = response.json()
    assert [s["direction"] for s in body["sectors"]] == [
        "N", "NNE", "NE", "ENE", "E", "ESE", "SE", "SSE",
        "S", "SSW", "SW", "WSW", "W", "WNW", "NW", "NNW",
    ]  # fmt: skip
    n, s = body["sectors"][0], body["sectors"][8]
    assert (n["hours"], n["mean"], s["hours"], s["mean"]) == (2, 50.0, 2, 150.0)
    assert [b["hours"] for b in n["bands"]] == [1, 1, 0, 0]
    assert [b["mean"] for b in s["bands"]] == [None, None, 200.0, 100.0]
    assert s["bands"][3] == {"from_ms": 6.0, "to_ms": None, "hours": 1, "mean": 100.0}
    assert body["calm"] == {"hours": 1, "mean": 20.0}
    assert sum(x["hours"] for x in body["sectors"]) == 4 and body["left_out"] == 2
    assert (body["from"], body["to"], body["line"]) == ("2026-11-19", "2026-11-19", 75.0)
    assert body["above_share"]["sectors"][8] == 1.0 and body["above_share"]["all"] == 0.4
    default = client.get(URL.format("N1"), **bearer("east_secretary")).json()
    assert default["line"] == 60.0  # grade-II 24-h PM2.5 limit in force since 2026-03-01
    cpf = client.get(
        "/api/v1/air/stations/N1/cpf?pollutant=pm25&from=2026-11-19&to=2026-11-19&percentile=50",
        **bearer("east_secretary"),
    ).json()
    # Valid hours 40, 60, 200, 100, 20, 90: the median is 75.
    assert cpf["threshold"] == 75.0 and cpf["percentile"] == 50
    assert cpf["sectors"][0]["cpf"] == 0.0 and cpf["sectors"][8]["cpf"] == 1.0
    assert cpf["calm"] == {"hours": 1, "cpf": 0.0}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "status", "field"),
    [
        ("pollutant=pm1&from=2026-11-19&to=2026-11-19", 400, "pollutant"),
        ("pollutant=pm25&from=2026-11-32&to=2026-11-19", 400, "from"),
        ("pollutant=pm25&from=2026-11-19&to=2026-11-18", 400, "to"),
        ("pollutant=pm25&from=2025-01-01&to=2026-11-19", 400, "to"),
        ("pollutant=pm25&from=2026-11-19&to=2026-11-19&line=-3", 400, "line"),
        ("pollutant=pm25&from=2026-11-19&to=2026-11-19&line=abc", 400, "line"),
    ],
)
def test_api_rose_bad_input_names_the_field(roses, client, bearer, query, status, field):
    response = client.get(f"/api/v1/air/stations/N1/rose?{query}", **bearer("east_secretary"))
    assert response.status_code == status, response.content
    assert field in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("percentile", ["0", "100", "x"])
def test_api_cpf_percentile_is_1_to_99(roses, client, bearer, percentile):
    response = client.get(
        f"/api/v1/air/stations/N1/cpf?from=2026-11-19&to=2026-11-19&percentile={percentile}",
        **bearer("east_secretary"),
    )
    assert response.status_code == 400, response.content
    assert "percentile" in response.content.decode()


@pytest.mark.django_db
def test_api_rose_of_a_station_outside_the_scope_is_404(stations, client, bearer):
    west = bearer("west_secretary")
    for path in ("rose", "cpf"):
        assert client.get(f"/api/v1/air/stations/M1/{path}", **west).status_code == 404
        assert client.get(f"/api/v1/air/stations/NOPE/{path}", **west).status_code == 404
    assert client.get("/api/v1/air/stations/M1/rose", **bearer("east_secretary")).status_code == 200


@pytest.mark.django_db
def test_station_page_draws_the_rose_from_json_script(roses, login):
    page = login("east_secretary").get(
        "/air/station/N1/?rose_from=2026-11-19&rose_to=2026-11-19&rose_p=50"
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert "污染玫瑰图" in html and 'id="rose-data"' in html and "air/rose.js" in html
    assert "vendor/echarts/echarts.min.js" in html and "cdn" not in html.lower()
    assert (
        '<tr class="rose-sector" data-direction="S"><td>南 S</td><td>2</td><td>150.0</td>' in html
    )
    bad = login("east_secretary").get("/air/station/N1/?rose_p=500&rose_pollutant=x").content
    assert "rose_p: 1–99" in bad.decode() and "rose_pollutant" in bad.decode()


@pytest.mark.django_db
def test_station_page_keeps_the_rose_until_new_data(roses, login, tmp_path, capsys, monkeypatch):
    """A second view of the same station and period reads the rose back (the hours are not read
    again); a new hour of data, or only a new wind, makes it again with the new figures."""
    made: list[int] = []
    real = rose.station_hours

    def counted(*args, **kwargs):
        made.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(rose, "station_hours", counted)
    client = login("east_secretary")
    url = "/air/station/N1/?rose_from=2026-11-19&rose_to=2026-11-19&rose_p=50"
    south = '<tr class="rose-sector" data-direction="S"><td>南 S</td><td>{}</td>'
    assert south.format(2) in client.get(url).content.decode()
    assert south.format(2) in client.get(url).content.decode()
    assert len(made) == 1
    other = "/air/station/N1/?rose_from=2026-11-18&rose_to=2026-11-19&rose_p=50"
    client.get(other)
    assert len(made) == 2  # another period: its own rose
    path = tmp_path / "more.csv"
    path.write_text("station,time,pm25,wd,ws\nN1,2026-11-19T08:00:00,120,S,3.0\n")
    call_command("import_readings", str(path), "--no-alarms")
    capsys.readouterr()
    assert south.format(3) in client.get(url).content.decode()
    assert len(made) == 3
    client.get(url)
    assert len(made) == 3
    path.write_text("station,time,pm25,wd,ws\nN1,2026-11-19T09:00:00,,S,3.0\n")
    call_command("import_readings", str(path), "--no-alarms")  # a wind, no pollutant
    client.get(url)
    assert len(made) == 4
