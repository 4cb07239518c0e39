"""治理成效 of a heavy-pollution warning: each station's change against its neighbours'.

A declared warning is district-wide, so every active ambient (non-emission) station is in its
area. For each: the difference-in-differences (air.effect.did, PM2.5) of

- after: the warning's span [starts_at, the earliest of ends_at, ended_early_at and now), and
- before: the same hours one week earlier (same hours of the day and weekday, so the daily cycle
  cancels), against its neighbours (air.effect.neighbours_of). The stations, their neighbours
  and the hourly rows of both windows are read in a fixed number of queries (air.effect.dids).

Since the neighbours were under the same warning, this measures whether a station improved MORE
than those around it (where the measures bit hardest), not the warning's absolute effect; the
absolute change (station after − before) is kept beside it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from gridgov.air.effect import Effect, dids, neighbours_of
from gridgov.air.models import Station, StationKind
from gridgov.air.neighbours import Neighbourhood
from gridgov.emergency.models import Warning

WEEK = 7 * 86400
POLLUTANT = "pm25"


@dataclass(frozen=True)
class StationEffect:
    station_id: int
    code: str
    name: str
    effect: Effect


@dataclass(frozen=True)
class WarningEffect:
    before: tuple[int, int]
    after: tuple[int, int]
    stations: list[StationEffect]

    @property
    def mean_did(self) -> float | None:
        values = [s.effect.did for s in self.stations if s.effect.did is not None]
        return sum(values) / len(values) if values else None


def warning_windows(w: Warning, now: dt.datetime | None = None) -> tuple[tuple[int, int], ...]:
    end = min(t for t in (w.ends_at, w.ended_early_at, now or timezone.now()) if t is not None)
    t2, t3 = int(w.starts_at.timestamp()), int(max(end, w.starts_at).timestamp())
    return (t2 - WEEK, t3 - WEEK), (t2, t3)


def warning_effect(w: Warning, now: dt.datetime | None = None) -> WarningEffect:
    before, after = warning_windows(w, now)
    stations = list(
        Station.objects.filter(active=True)
        .exclude(kind=StationKind.EMISSION)
        .order_by("code")
        .values_list("pk", "code", "name")
    )
    hood = Neighbourhood()
    groups = [(pk, neighbours_of(pk, hood=hood)) for pk, _, _ in stations]
    effects = dids(groups, before, after, POLLUTANT)
    rows = [
        StationEffect(pk, code, name, e)
        for (pk, code, name), e in zip(stations, effects, strict=True)
    ]
    return WarningEffect(before, after, rows)


def station_labels() -> tuple[dict[int, str], dict[int, str]]:
    """{station id: code}, {station id: name} of every station (the answer names neighbours)."""
    rows = list(Station.objects.values_list("pk", "code", "name"))
    return {r[0]: r[1] for r in rows}, {r[0]: r[2] for r in rows}
