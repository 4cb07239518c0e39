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

import numpy as np

from gridgov.air.geodesy import distance_km
from gridgov.air.models import Station, StationKind

CONTROL = (StationKind.NATIONAL.value, StationKind.PROVINCIAL.value)


class Neighbourhood:
    """The active ambient stations as arrays (ids, lat, lon, kinds), in ``order`` (a Station
    field; "code" by default, the stations' own order), read when first asked for."""

    def __init__(self, order: str = "code") -> None:
        self.order = order
        self._loaded = False
        self._position: dict[int, int] = {}

    def _load(self) -> None:
        if self._loaded:
            return
        rows = list(
            Station.objects.filter(active=True)
            .exclude(kind=StationKind.EMISSION)
            .order_by(self.order, "pk")
            .values_list("pk", "lat", "lon", "kind")
        )
        self._ids = np.array([r[0] for r in rows], dtype=np.int64)
        self._lat = np.array([r[1] for r in rows], dtype=float)
        self._lon = np.array([r[2] for r in rows], dtype=float)
        self._kinds = np.array([str(r[3]) for r in rows], dtype=object)
        self._position = {int(sid): k for k, sid in enumerate(self._ids.tolist())}
        self._loaded = True

    @property
    def ids(self) -> np.ndarray:
        self._load()
        return self._ids

    @property
    def lat(self) -> np.ndarray:
        self._load()
        return self._lat

    @property
    def lon(self) -> np.ndarray:
        self._load()
        return self._lon

    @property
    def kinds(self) -> np.ndarray:
        self._load()
        return self._kinds

    def __len__(self) -> int:
        return len(self.ids)

    def where(self, station_id: int) -> tuple[float, float] | None:
        """(lat, lon) of a station: from the ones read, else (an inactive one) from the table."""
        self._load()
        k = self._position.get(int(station_id))
        if k is not None:
            return float(self.lat[k]), float(self.lon[k])
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
        if not len(self.ids):
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        dist = np.asarray(distance_km(lat, lon, self.lat, self.lon), dtype=float)
        order = np.argsort(dist, kind="stable")
        if exclude is not None:
            order = order[self.ids[order] != exclude]
        inside = order[dist[order] <= radius_km][:limit]
        kinds = tuple(also)
        if kinds:
            extra = order[np.isin(self.kinds[order], kinds) & ~np.isin(order, inside)]
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
