"""The station page's pollution rose and CPF section (污染玫瑰图, air/rose.py)."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from typing import Any, cast

from django.core.cache import cache

from gridgov import inputs
from gridgov.air import rose
from gridgov.air.met import COMPASS
from gridgov.air.models import CST, POLLUTANT_FIELDS

DEFAULT_DAYS = 30
MAX_DAYS = 366
CACHE_SECONDS = 86400  # a kept rose is read again only while its data is unchanged anyway
POLLUTANT_NAMES = {"pm25": "PM2.5", "pm10": "PM10", "so2": "SO₂", "no2": "NO₂", "co": "CO",
                   "o3": "O₃"}  # fmt: skip
ZH_SECTORS = ("北", "北东北", "东北", "东东北", "东", "东东南", "东南", "南东南",
              "南", "南西南", "西南", "西西南", "西", "西西北", "西北", "北西北")  # fmt: skip


def drawn_rose(
    station_id: int, t0: int, t1: int, pollutant: str, p: int, last: dt.date
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The rose and the CPF of the hours [t0, t1), kept in the cache under the station, the
    period, the pollutant, the percentile and what the data is made of (rose.data_mark: its
    latest hour, rows and sums), so a view with no new data reads them back and new data makes
    them again."""
    mark = rose.data_mark(station_id, t0, t1, pollutant)
    digest = hashlib.sha256(repr(mark).encode()).hexdigest()[:24]
    key = f"air:rose:{station_id}:{pollutant}:{t0}:{t1}:{p}:{digest}"
    kept = cache.get(key)
    if kept is not None:
        return cast(tuple[dict[str, Any], dict[str, Any]], kept)
    hours = rose.station_hours(station_id, t0, t1, pollutant)
    made = (rose.rose(hours, rose.grade_ii_line(pollutant, last)), rose.cpf(hours, float(p)))
    cache.set(key, made, CACHE_SECONDS)
    return made


def rose_context(station_id: int, query: Mapping[str, str], today: dt.date) -> dict[str, Any]:
    """The section's form values (rose_pollutant, rose_from, rose_to, rose_p from the query;
    a bad one falls back to its default with a message), the rose and the CPF."""
    problems: list[str] = []
    pollutant = query.get("rose_pollutant", "pm25")
    if pollutant not in POLLUTANT_FIELDS:
        problems.append(f"rose_pollutant: {pollutant[:20]!r}")
        pollutant = "pm25"
    try:
        last = inputs.parse_date("rose_to", query.get("rose_to"), today)
        first = inputs.parse_date(
            "rose_from", query.get("rose_from"), last - dt.timedelta(days=DEFAULT_DAYS - 1)
        )
        if last < first or (last - first).days >= MAX_DAYS:
            raise inputs.InputError("rose_from", f"at most {MAX_DAYS} days, from ≤ to")
    except inputs.InputError as exc:
        problems.append(str(exc))
        last, first = today, today - dt.timedelta(days=DEFAULT_DAYS - 1)
    try:
        p = int(query.get("rose_p", "75"))
        if not 1 <= p <= 99:
            raise ValueError
    except ValueError:
        problems.append("rose_p: 1–99")
        p = 75
    t0 = int(dt.datetime.combine(first, dt.time(), CST).timestamp())
    t1 = int(dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), CST).timestamp())
    drawn, found = drawn_rose(station_id, t0, t1, pollutant, p, last)
    rows = [
        {"direction": s["direction"], "zh": zh, "hours": s["hours"], "mean": s["mean"],
         "above": a, "cpf": c["cpf"]}
        for s, zh, a, c in zip(
            drawn["sectors"], ZH_SECTORS, drawn["above_share"]["sectors"], found["sectors"],
            strict=True,
        )
    ]  # fmt: skip
    used = sum(s["hours"] for s in drawn["sectors"]) + drawn["calm"]["hours"]
    return {
        "pollutant": pollutant,
        "pollutants": [(k, POLLUTANT_NAMES[k]) for k in POLLUTANT_FIELDS],
        "name": POLLUTANT_NAMES[pollutant],
        "unit": "mg/m³" if pollutant == "co" else "µg/m³",
        "from": first,
        "to": last,
        "percentile": p,
        "problems": problems,
        "rows": rows,
        "calm": drawn["calm"],
        "calm_cpf": found["calm"]["cpf"],
        "line": drawn["line"],
        "threshold": found["threshold"],
        "hours": used,
        "chart": {
            "directions": list(COMPASS),
            "zh": list(ZH_SECTORS),
            "bands": [[b["mean"] for b in s["bands"]] for s in drawn["sectors"]],
            "band_hours": [[b["hours"] for b in s["bands"]] for s in drawn["sectors"]],
            "band_names": [
                f"{b['from_ms']:g}–{b['to_ms']:g} m/s"
                if b["to_ms"] is not None
                else f"≥{b['from_ms']:g} m/s"
                for b in drawn["sectors"][0]["bands"]
            ],
            "cpf": [c["cpf"] for c in found["sectors"]],
            "unit": "mg/m³" if pollutant == "co" else "µg/m³",
        },
    }
