"""Demo data for "from an air alarm to the sources": a recent wind at every ambient station, an
emission monitor (ST=31) for some registered enterprises, and a responsible source named on the
air-alarm orders already handled. Reads what the database holds (stations, sources, orders);
deterministic for a seed."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

from django.db import transaction

from gridgov.air.hj212.devices import hash_password
from gridgov.air.models import AMBIENT_KINDS, Station, StationKind, StationWind
from gridgov.sources.categories import Category
from gridgov.sources.models import PollutionSource, Status
from gridgov.sources.nearby import nearby_for_point, usable_wind
from gridgov.sources.services import as_input, update_source
from gridgov.workorders.models import Event
from gridgov.workorders.states import State

MONITORED_GRADES = ("C", "D")  # the enterprises a district watches most closely
DEMO_DEVICE_PW = "123456"
HANDLED = (State.HANDLED, State.VERIFIED, State.CLOSED)


@dataclass
class AlarmSourcesResult:
    winds: int
    monitors: int
    named: int


def seed_alarm_sources(
    seed: int = 2026, *, now: float | None = None, monitors: int = 8
) -> AlarmSourcesResult:
    """Winds for every active ambient station (one prevailing direction with a little spread
    per station, 1–6 m/s, a few minutes old), up to `monitors` emission stations linked to
    enterprises (grade C/D first) by MN, and on handled air-alarm orders without one, the
    first upwind (else nearest) source near the alarm's station named responsible."""
    rng = random.Random(seed)
    now = time.time() if now is None else now
    prevailing = rng.choice([0, 45, 90, 135, 180, 225, 270, 315]) + rng.uniform(-20, 20)
    with transaction.atomic():
        winds = []
        for station in Station.objects.filter(active=True, kind__in=AMBIENT_KINDS).order_by("pk"):
            winds.append(
                StationWind(
                    station=station,
                    ts=int(now) - 60 * rng.randint(1, 10),
                    wd=round((prevailing + rng.uniform(-25, 25)) % 360, 1),
                    ws=round(rng.uniform(1.0, 6.0), 1),
                )
            )
        StationWind.objects.bulk_create(
            winds,
            update_conflicts=True,
            unique_fields=["station"],
            update_fields=["ts", "wd", "ws"],
        )
        made = _monitors(rng, monitors)
        named = _name_sources(now)
    return AlarmSourcesResult(len(winds), made, named)


def emission_station(source: PollutionSource, code: str, name: str, mn: str) -> Station:
    """A source's monitoring device as a station of kind `emission` (污染源在线监测: its
    packets carry ST=31), hourly, at the source and in its grid, known by its MN and the demo
    device password (hashed)."""
    return Station.objects.create(
        code=code,
        name=name[:100],
        kind=StationKind.EMISSION,
        lat=source.lat,
        lon=source.lon,
        grid=source.grid,
        interval_minutes=60,
        mn=mn,
        pw_hash=hash_password(DEMO_DEVICE_PW),
    )


def _monitors(rng: random.Random, limit: int) -> int:
    enterprises = [
        s
        for s in PollutionSource.objects.filter(
            category=Category.ENTERPRISE, status=Status.ACTIVE
        ).order_by("code")
        if not s.attributes.get("monitor_mns")
    ]
    enterprises.sort(key=lambda s: (s.attributes.get("grade") not in MONITORED_GRADES, s.code))
    made = 0
    for source in enterprises[:limit]:
        mn = f"EM{source.pk:06d}{rng.randint(0, 9999):04d}"
        code = f"E-{source.code}"
        if Station.objects.filter(code=code).exists():
            continue
        emission_station(source, code, f"{source.name}排口", mn)
        data = as_input(source)
        data.attributes = {**data.attributes, "monitor_mns": [mn]}
        update_source(source.pk, data, note="在线监测设备联网")
        made += 1
    return made


def _name_sources(now: float) -> int:
    events = (
        Event.objects.filter(
            alarm__isnull=False, pollution_source__isnull=True, order__state__in=HANDLED
        )
        .select_related("alarm__station__wind")
        .order_by("pk")
    )
    named = 0
    for event in events:
        station = event.alarm.station  # type: ignore[union-attr]
        w = getattr(station, "wind", None)
        wind = usable_wind(w.wd, w.ws, w.ts, now) if w is not None else None
        found = nearby_for_point(station.lat, station.lon, wind, limit=1)
        if found:
            Event.objects.filter(pk=event.pk).update(pollution_source_id=found[0].id)
            named += 1
    return named
