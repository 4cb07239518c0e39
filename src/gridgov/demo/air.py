"""Air data for the demo district: a micro-station in every community/village, three control
stations, hourly means from 1 January and minute data for the last 3 days — all through the
real ingestion path, so aggregates, targets, rankings and alarms are computed, not invented.

The weather is made, but made like weather: a seasonal baseline (dirty winters, clean summers),
multi-day episodes that build up regionally and end with a cold front, a diurnal cycle (night and
morning peaks for PM, an afternoon peak for O3, rush-hour NO2), a west–east gradient between the
urban streets and the towns, and a few local hotspots (a dusty construction site, a restaurant
street) that the alarm rules catch.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from gridgov.air.ingest import Batch, IngestResult, ingest, station_infos
from gridgov.air.models import CST, POLLUTANT_FIELDS, Station, Target
from gridgov.air.stations import StationSpec, save_station
from gridgov.demo.winds import seed_winds
from gridgov.territory.geometry import parse_geometry
from gridgov.territory.models import Level, Region

# Minute data for the last days (the day before yesterday a day per batch, then an hour per
# batch, so the alarm rules see the episodes unfold); hourly means before. Three days keep
# every minute-level fault the reviewer meets and the build quick (a week was ~40% more rows).
MINUTE_DAYS = 3
# progress steps: stations, months, minute batches, winds, targets, data review, tampering
STEPS = 1 + 12 + (MINUTE_DAYS - 2) + 48 + 1 + 1 + 1 + 1
CONTROL_STATIONS = [
    # code, name, kind, offset from the district centre (lon, lat)
    ("410871-GK1", "高新区国控站", "national", (-0.03, 0.005)),
    ("410871-SK1", "阳庙镇省控站", "provincial", (0.05, 0.02)),
    ("410800-GK9", "市监测站(区外)", "national", (-0.16, 0.03)),
]
HOTSPOTS = 3


@dataclass(frozen=True)
class DemoStation:
    id: int
    code: str
    lon: float
    lat: float
    factor: float
    hotspot: bool


Progress = Callable[[str, int], None]


def create_stations(seed: int) -> list[DemoStation]:
    rng = np.random.default_rng(seed + 10)
    district = Region.objects.get(level=Level.DISTRICT)
    centre = parse_geometry(district.code, district.geometry).centroid
    specs = []
    for community in Region.objects.active().filter(level=Level.COMMUNITY).order_by("code"):
        geom = parse_geometry(community.code, community.geometry)
        point = geom.representative_point()
        specs.append(
            StationSpec(
                f"W{community.code}",
                f"{community.name}微站",
                "micro",
                round(point.y, 6),
                round(point.x, 6),
                1,
            )
        )
    for code, name, kind, (dx, dy) in CONTROL_STATIONS:
        specs.append(
            StationSpec(code, name, kind, round(centre.y + dy, 6), round(centre.x + dx, 6), 60)
        )
    out = []
    micro = [s for s in specs if s.kind == "micro"]
    hot = _hot_indices(rng, len(micro))  # the first draw: planted_hotspots repeats it
    for i, spec in enumerate(specs):
        station = save_station(spec)
        west_east = (spec.lon - centre.x) / 0.09  # urban west is dirtier than the towns
        factor = float(1.0 - 0.12 * west_east + rng.normal(0, 0.05))
        out.append(
            DemoStation(
                station.pk,
                station.code,
                spec.lon,
                spec.lat,
                factor,
                spec.kind == "micro" and i in hot,
            )
        )
    return out


def _hot_indices(rng: np.random.Generator, micro: int) -> set[int]:
    return set(rng.choice(micro, HOTSPOTS, replace=False).tolist())


def planted_hotspots(seed: int) -> list[Station]:
    """The micro-stations `create_stations(seed)` made hot spots (construction-site bursts in
    the minute-data days): for checking that the hot-grid ranking finds them."""
    communities = Region.objects.active().filter(level=Level.COMMUNITY).order_by("code")
    micro = [f"W{c.code}" for c in communities]
    picked = _hot_indices(np.random.default_rng(seed + 10), len(micro))
    return list(Station.objects.filter(code__in=[micro[i] for i in sorted(picked)]))


def regional_weather(rng: np.random.Generator, days: int, start: dt.date) -> np.ndarray:
    """Daily regional PM2.5 background: seasonal level × episodes (build-up, then clean-out)."""
    doy = np.array([(start + dt.timedelta(days=d)).timetuple().tm_yday for d in range(days)])
    seasonal = 40 + 22 * np.cos(2 * math.pi * (doy - 15) / 365.0)
    level = np.empty(days)
    state = 1.0
    d = 0
    while d < days:
        if rng.random() < 0.12:  # an episode: 3–6 days of stagnation, then a front
            length = int(rng.integers(3, 7))
            peak = rng.uniform(1.8, 3.2)
            ramp = np.linspace(state, peak, length)
            level[d : d + length] = ramp[: max(0, min(length, days - d))]
            d += length
            state = rng.uniform(0.4, 0.6)  # clean-out after the front
        else:
            state = 0.7 * state + 0.3 * rng.lognormal(0, 0.25)
            level[d] = state
            d += 1
    return seasonal * level[:days]


def hourly_fields(
    rng: np.random.Generator, stations: list[DemoStation], start: dt.date, days: int
) -> np.ndarray:
    """(stations, days × 24, 6) hourly means in POLLUTANT_FIELDS order."""
    background = np.repeat(regional_weather(rng, days, start), 24)  # per hour
    hours = np.tile(np.arange(24), days)
    doy = np.repeat([(start + dt.timedelta(days=d)).timetuple().tm_yday for d in range(days)], 24)
    summer = np.cos(2 * math.pi * (doy - 196) / 365.0)  # 1 in mid-July, −1 in mid-January
    pm_diurnal = 1 + 0.22 * np.cos(2 * math.pi * (hours - 23) / 24)
    o3_diurnal = np.clip(np.cos(2 * math.pi * (hours - 15) / 24), -0.6, 1)
    no2_diurnal = (
        1 + 0.25 * np.exp(-((hours - 8) ** 2) / 4) + 0.3 * np.exp(-((hours - 19) ** 2) / 5)
    )
    out = np.empty((len(stations), len(hours), len(POLLUTANT_FIELDS)))
    for s, st in enumerate(stations):
        noise = rng.lognormal(0, 0.12, len(hours))
        pm25 = background * pm_diurnal * st.factor * noise
        dust = rng.lognormal(math.log(12), 0.4, len(hours))
        pm10 = pm25 * rng.uniform(1.25, 1.45) + dust
        no2 = (22 + 0.25 * pm25) * no2_diurnal * st.factor * rng.lognormal(0, 0.1, len(hours))
        o3 = np.clip((62 + 42 * summer) * (1 + 0.8 * o3_diurnal) - 0.3 * no2, 3, None)
        o3 = o3 * rng.lognormal(0, 0.08, len(hours))
        so2 = 6 + 0.06 * pm25 * rng.lognormal(0, 0.2, len(hours))
        co = 0.35 + 0.011 * pm25 * rng.lognormal(0, 0.1, len(hours))
        out[s] = np.column_stack([pm25, pm10, so2, no2, co, o3])
    return out


def _batch(ids: np.ndarray, ts: np.ndarray, values: np.ndarray) -> Batch:
    n = len(ts)
    return Batch(ids, ts, values, np.zeros(values.shape, dtype=bool), np.arange(1, n + 1))


def generate(
    seed: int = 2026, today: dt.date | None = None, progress: Progress | None = None
) -> IngestResult:
    """Stations, their data through the ingestion path, and the district's targets."""
    progress = progress or (lambda step, n: None)
    rng = np.random.default_rng(seed + 11)
    today = today or dt.datetime.now(CST).date()
    stations = create_stations(seed)
    progress("stations", 1)
    start = dt.date(today.year, 1, 1)
    days = (today - start).days + 1
    fields = hourly_fields(rng, stations, start, days)
    t0 = int(dt.datetime.combine(start, dt.time(), CST).timestamp())
    now = dt.datetime.now(dt.UTC).timestamp()
    hour_ts = t0 + 3600 * np.arange(days * 24, dtype=np.int64)
    minute_from = int(
        dt.datetime.combine(today - dt.timedelta(days=MINUTE_DAYS - 1), dt.time(), CST).timestamp()
    )
    infos = station_infos([s.id for s in stations])
    hourly_infos = {k: replace(v, interval=60) for k, v in infos.items()}
    total = IngestResult()
    # Hourly means before the minute window (and for control stations, all along), month by month.
    ids = np.array([s.id for s in stations], dtype=np.int64)
    is_micro = np.array([not s.code.startswith("410") for s in stations])
    month_edges = sorted(
        {
            int(
                np.searchsorted(hour_ts, int(dt.datetime(start.year, m, 1, tzinfo=CST).timestamp()))
            )
            for m in range(1, 13)
        }
        | {len(hour_ts)}
    )
    for a, b in itertools.pairwise(month_edges):
        ts = hour_ts[a:b]
        keep_station = np.ones((len(stations), len(ts)), dtype=bool)
        keep_station[is_micro] = ts < minute_from
        keep_station &= ts + 3600 <= now  # no hour that has not ended
        s_idx, t_idx = np.nonzero(keep_station)
        if len(s_idx):
            batch = _batch(ids[s_idx], ts[t_idx], fields[s_idx, a + t_idx])
            total.add(ingest(batch, hourly_infos, now=now, evaluate_alarms=False))
        progress("hourly", 1)
    # Minute data for the micro-stations: a day per batch, then the last two days an hour per
    # batch, as stations would send them, so the alarm rules see the episodes unfold.
    micro = [i for i, s in enumerate(stations) if is_micro[i]]
    sprayed = next(i for i in micro[len(FAULTS) :] if not stations[i].hotspot)
    spray_at = int(dt.datetime.combine(today - dt.timedelta(days=1), SPRAY_AT, CST).timestamp())
    windows = [(minute_from + d * 86400, 1440) for d in range(MINUTE_DAYS - 2)]
    windows += [(minute_from + (MINUTE_DAYS - 2) * 86400 + k * 3600, 60) for k in range(48)]
    for window_start, length in windows:
        minutes = window_start + 60 * np.arange(length, dtype=np.int64)
        minutes = minutes[minutes <= now]
        if len(minutes) == 0:
            break
        h = ((minutes - t0) // 3600).astype(int)
        rows_s, values = [], []
        for i in micro:
            wiggle = 1 + 0.06 * np.sin(minutes / 420.0 + i) + rng.normal(0, 0.04, len(minutes))
            v = fields[i, h] * wiggle[:, None]
            if stations[i].hotspot:
                v = _hotspot(v, minutes, rng)
            fault = micro.index(i)
            if fault < len(FAULTS):
                v = _fault(v, minutes, today, FAULTS[fault])
            if i == sprayed:
                v = _spray(v, minutes, spray_at)
            values.append(v)
            rows_s.append(np.full(len(minutes), stations[i].id, dtype=np.int64))
        batch = _batch(np.concatenate(rows_s), np.tile(minutes, len(micro)), np.concatenate(values))
        total.add(ingest(batch, infos, now=now, evaluate_alarms=length == 60))
        progress("minutes", 1)
    seed_winds(rng, [int(i) for i in ids], fields[:, :, 0], hour_ts, now)
    progress("winds", 1)
    create_targets(today)
    progress("targets", 1)
    seed_reviews(today, [stations[i] for i in micro[: len(FAULTS)]])
    progress("data review", 1)
    seed_tampering(stations[sprayed], spray_at, now)
    progress("tampering", 1)
    return total


# A fog cannon aimed at one micro-station's inlet yesterday at 10:00: its particulates fall to a
# fifth for the hour while its neighbours' do not, and its humidity jumps (干扰监测).
SPRAY_AT = dt.time(10, 0)
SPRAY_LEFT = 0.2


def _spray(values: np.ndarray, minutes: np.ndarray, at: int) -> np.ndarray:
    hit = (minutes >= at) & (minutes < at + 3600)
    if not hit.any():
        return values
    out = values.copy()
    out[hit, :2] *= SPRAY_LEFT  # PM2.5, PM10
    return out


def seed_tampering(station: DemoStation, spray_at: int, now: float) -> None:
    """The sprayed station's humidity (HJ 212 a01002) over yesterday — steady, then 30 points up
    in the sprayed hour — and the tampering scan over that day, as the hourly job runs it."""
    from gridgov.air import tamper_scan
    from gridgov.air.factor_models import FactorHour

    day_start = spray_at - 10 * 3600
    if day_start + 86400 > now:
        return  # the day is not over (a demo built for a date still under way)
    rh = {day_start + 3600 * h: 55.0 + 4.0 * math.sin(h / 4.0) for h in range(24)}
    rh[spray_at] = rh[spray_at - 3600] + 30.0
    FactorHour.objects.bulk_create(
        [
            FactorHour(station_id=station.id, ts=ts, code="a01002", n=1, total=v)
            for ts, v in rh.items()
        ],
        ignore_conflicts=True,
    )
    start = dt.datetime.fromtimestamp(day_start, dt.UTC)
    tamper_scan.scan(start, start + dt.timedelta(days=1))


# Faults of the first micro-stations' analysers, as a data reviewer meets them (day before today,
# pollutant, from, to, value): an SO2 analyser stuck for hours (suspect), PM2.5 below zero after
# a zero drift and PM10 above the analyser's range (invalid).
# (days back, pollutant, from, to, the value written over the minutes in between)
Fault = tuple[tuple[int, ...], str, dt.time, dt.time, float]
FAULTS: list[Fault] = [
    ((1, 2), "so2", dt.time(9, 0), dt.time(13, 0), 27.0),
    ((1,), "pm25", dt.time(14, 0), dt.time(14, 20), -3.0),
    ((1,), "pm10", dt.time(16, 0), dt.time(16, 6), 2600.0),
]


def _fault(values: np.ndarray, minutes: np.ndarray, today: dt.date, fault: Fault) -> np.ndarray:
    days_before, pollutant, start, end, value = fault
    out = values
    for back in days_before:
        day = today - dt.timedelta(days=back)
        lo = int(dt.datetime.combine(day, start, CST).timestamp())
        hi = int(dt.datetime.combine(day, end, CST).timestamp())
        hit = (minutes >= lo) & (minutes < hi)
        if hit.any():
            out = out.copy() if out is values else out
            out[hit, POLLUTANT_FIELDS.index(pollutant)] = value
    return out


def seed_reviews(today: dt.date, faulty: list[DemoStation]) -> None:
    """The data reviewer's work the day before yesterday: the stuck SO2 hours invalidated with a
    reason, every control station's day and the faulty station's approved. Yesterday is left for
    the reviewer who logs in (未审核, with its suspect and invalid values)."""
    from django.contrib.auth import get_user_model

    from gridgov.air import review
    from gridgov.air.models import Station

    reviewer = get_user_model().objects.filter(username="reviewer").first()
    if reviewer is None or not faulty:
        return
    day = today - dt.timedelta(days=2)
    stuck = Station.objects.get(pk=faulty[0].id)
    _, _, start, end, _ = FAULTS[0]
    review.decide(
        stuck,
        reviewer,
        action="invalidate",
        pollutant="so2",
        start=dt.datetime.combine(day, start, CST),
        end=dt.datetime.combine(day, end, CST) - dt.timedelta(minutes=1),
        reason="分析仪零点漂移，读数恒定；现场核查后判为无效",
    )
    review.approve_day(stuck, reviewer, day)
    for station in Station.objects.filter(kind__in=["national", "provincial"]):
        review.approve_day(station, reviewer, day)


def _hotspot(values: np.ndarray, minutes: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A dusty construction site: PM10 and PM2.5 surge in working hours on some days."""
    hour = ((minutes + 8 * 3600) % 86400) // 3600
    working = (hour >= 9) & (hour < 17)
    bursts = working & (np.sin(minutes / 5400.0) > 0.2)
    out = values.copy()
    out[bursts, 0] += rng.uniform(70, 110)
    out[bursts, 1] += rng.uniform(200, 320)
    return out


def create_targets(today: dt.date) -> None:
    """The year's targets: the district and each street/town."""
    start, end = dt.date(today.year, 1, 1), dt.date(today.year, 12, 31)
    district = Region.objects.get(level=Level.DISTRICT)
    rows = [
        Target(region=district, metric="pm25", start=start, end=end, value=45),
        Target(region=district, metric="pm10", start=start, end=end, value=75),
        Target(region=district, metric="good_day_ratio", start=start, end=end, value=70),
        Target(region=district, metric="comprehensive_index", start=start, end=end, value=4.6),
    ]
    for street in Region.objects.active().filter(level=Level.STREET).order_by("code"):
        rows.append(Target(region=street, metric="pm25", start=start, end=end, value=45))
    Target.objects.bulk_create(rows, ignore_conflicts=True)
