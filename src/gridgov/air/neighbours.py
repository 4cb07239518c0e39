"""Which stations are a station's neighbours: the one choice the alarms (neighbour rule), the
tampering scan and the difference-in-differences (治理成效) share.

The candidates are the active ambient (non-emission) stations, read once per ``Neighbourhood``
(one query, however many stations are asked about). ``around`` gives those within a radius of a
point, nearest first (ties in the order read), without the station asked about, at most
``limit`` of them; ``also`` adds stations of the given kinds wherever they are (the alarms'
fallback reference: the control stations), after those within the radius.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from gridgov.air.geodesy import distance_km
from gridgov.air.models import Station, StationKind

CONTROL = (StationKind.NATIONAL.value, StationKind.PROVINCIAL.value)


@dataclass(frozen=True)
class Candidates:
    """The stations a neighbour may be, as arrays, and each one's position."""

    ids: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    kinds: np.ndarray
    position: dict[int, int]


class Neighbourhood:
    """The active ambient stations (``stations``), in ``order`` (a Station field; "code" by
    default, the stations' own order), read when first asked for."""

    def __init__(self, order: str = "code") -> None:
        self.order = order

    @cached_property
    def stations(self) -> Candidates:
        rows = list(
            Station.objects.filter(active=True)
            .exclude(kind=StationKind.EMISSION)
            .order_by(self.order, "pk")
            .values_list("pk", "lat", "lon", "kind")
        )
        return Candidates(
            np.array([r[0] for r in rows], dtype=np.int64),
            np.array([r[1] for r in rows], dtype=float),
            np.array([r[2] for r in rows], dtype=float),
            np.array([str(r[3]) for r in rows], dtype=object),
            {int(r[0]): k for k, r in enumerate(rows)},
        )

    def where(self, station_id: int) -> tuple[float, float] | None:
        """(lat, lon) of a station: from the ones read, else (an inactive one) from the table."""
        c = self.stations
        k = c.position.get(int(station_id))
        if k is not None:
            return float(c.lat[k]), float(c.lon[k])
        found = Station.objects.filter(pk=station_id).values_list("lat", "lon").first()
        return None if found is None or found[0] is None else (found[0], found[1])

    def around(
        self,
        lat: float,
        lon: float,
        radius_km: float,
        *,
        exclude: int | None = None,
        limit: int | None = None,
        also: Iterable[str] = (),
    ) -> tuple[np.ndarray, np.ndarray]:
        """(positions, km) of the neighbours of (lat, lon): within the radius nearest first (at
        most ``limit``), then every other station of a kind in ``also``, nearest first."""
        c = self.stations
        if not len(c.ids):
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        dist = np.asarray(distance_km(lat, lon, c.lat, c.lon), dtype=float)
        order = np.argsort(dist, kind="stable")
        if exclude is not None:
            order = order[c.ids[order] != exclude]
        inside = order[dist[order] <= radius_km][:limit]
        kinds = tuple(also)
        if kinds:
            extra = order[np.isin(c.kinds[order], kinds) & ~np.isin(order, inside)]
            inside = np.concatenate([inside, extra])
        return inside, dist[inside]

    def of(
        self, station_id: int, radius_km: float, limit: int | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """``around`` a station (by id), without itself; nothing when it has no place."""
        at = self.where(station_id)
        if at is None:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        return self.around(at[0], at[1], radius_km, exclude=station_id, limit=limit)
