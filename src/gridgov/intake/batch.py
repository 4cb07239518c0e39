"""`take_many`: a file's worth of detections without images (a fire-point list) taken at once,
with the outcome `take` would give each when taken one by one in time order — but read in a
few queries and written in bulk (the events through workorders' `create_dispatched_events`), so
1,000 points take a second or two, not a query-bound minute.

The same rules as `take` (gridgov.intake.take): checked first (bad ones come back as errors,
the others go on), known (system, external id) → repeated, outside every grid → outside, no
category → refused, a repeat of an open event's point (or of a point of this batch) → merged,
else a new dispatched event. One transaction under the system's row lock; should anything
clash (a concurrent `take` of the same id slipped in), the batch falls back to `take` one by one.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.errors import DomainError
from gridgov.intake.models import ExternalEvent, IntakeSystem, SystemKind
from gridgov.intake.take import (
    FARMLAND,
    KIND_CATEGORY,
    SOURCE,
    Detection,
    _description,
    _row,
    _title,
    checked,
    distance_m,
    lock_system,
    take,
)
from gridgov.territory import extent
from gridgov.territory.locate import locate
from gridgov.territory.models import Region
from gridgov.workorders.models import Category
from gridgov.workorders.services import EventInput, create_dispatched_events
from gridgov.workorders.states import OPEN_STATES

log = logging.getLogger(__name__)
CELL = 0.01  # degrees: the buckets the merge search looks in (≥ 1 km at these latitudes)
CHUNK = 500


@dataclass
class Outcome:
    detection: Detection
    outcome: str = ""  # created | merged | outside | refused | repeated
    error: DomainError | None = None


@dataclass
class _Point:
    lat: float
    lon: float
    at: dt.datetime
    cluster: int  # index into clusters (a new event) or -event_id (an existing one)


def take_many(
    system: IntakeSystem, found: list[Detection], *, now: dt.datetime | None = None
) -> list[Outcome]:
    """One Outcome per detection, in time order (see the module's doc)."""
    now = now or timezone.now()
    results = []
    good = []
    for d in sorted(found, key=lambda d: (d.detected_at, str(d.external_id))):
        result = Outcome(d)
        results.append(result)
        if d.image is not None or system.kind != SystemKind.SATELLITE:
            result.error = DomainError("invalid", "batch: fire points only", "kind")
            continue
        try:
            checked(system, d, now)
        except DomainError as exc:
            result.error = exc
            continue
        good.append(result)
    try:
        with transaction.atomic():
            lock_system(system)
            _take_all(system, good, now)
    except IntegrityError:
        log.warning("fire-point batch clashed; taking one at a time")
        for r in good:
            try:
                r.outcome = take(system, r.detection, now=now).outcome
            except DomainError as exc:
                r.error = exc
    return results


def _categories() -> dict[str, Category]:
    codes = {c for c in KIND_CATEGORY.values() if c} | {"open_burning"}
    found = Category.objects.filter(code__in=codes, active=True, parent__isnull=False)
    return {c.code: c for c in found}


def _take_all(system: IntakeSystem, good: list[Outcome], now: dt.datetime) -> None:
    ids = [r.detection.external_id for r in good]
    known: set[str] = set()
    for i in range(0, len(ids), CHUNK):
        known.update(
            ExternalEvent.objects.filter(system=system, external_id__in=ids[i : i + CHUNK])
            .values_list("external_id", flat=True)
        )  # fmt: skip
    categories = _categories()
    box = extent.district_box()
    meters = settings.GRIDGOV_INTAKE_MERGE_METERS
    window = dt.timedelta(hours=settings.GRIDGOV_INTAKE_MERGE_HOURS)
    buckets: dict[tuple[int, int], list[_Point]] = defaultdict(list)
    if good:
        _load_open_points(system, good, window, buckets)
    rows: list[ExternalEvent] = []
    row_cluster: list[int] = []  # per row: its cluster (>= 0) or -event_id, or 0 for none
    clusters: list[EventInput] = []
    grid_ids: dict[int, int] = {}
    seen: set[str] = set()
    for r in good:
        d = r.detection
        if d.external_id in known or d.external_id in seen:
            r.outcome = "repeated"
            continue
        seen.add(d.external_id)
        grid = None
        if box is None or (box[1] <= d.lat <= box[3] and box[0] <= d.lon <= box[2]):
            where = locate(d.lat, d.lon)
            grid = where.grid.id if where.inside and where.grid is not None else None
        if grid is None:
            r.outcome = "outside"
            rows.append(_row(system, d, now, refused=_("不在本区任何网格内"), outcome="outside"))
            row_cluster.append(0)
            continue
        code = KIND_CATEGORY["fire"]
        if d.land_type and not any(w in d.land_type for w in FARMLAND):
            code = "open_burning"
        category = categories.get(code)
        if category is None:
            why = _("没有可用的事件类别 %(c)s") % {"c": code}
            r.outcome = "refused"
            rows.append(_row(system, d, now, refused=why, outcome="refused"))
            row_cluster.append(0)
            continue
        target = _near(buckets, d, meters, window)
        if target is not None:
            r.outcome = "merged"
            rows.append(_row(system, d, now, merged=True, outcome="merged"))
            row_cluster.append(target)
        else:
            r.outcome = "created"
            target = len(clusters)
            clusters.append(
                EventInput(
                    source=SOURCE[SystemKind.SATELLITE],
                    category=category,
                    title=_title(system, d, category),
                    description=_description(system, d),
                    address=d.address,
                    lat=d.lat,
                    lon=d.lon,
                )
            )
            grid_ids[target] = grid
            rows.append(_row(system, d, now, outcome="created"))
            row_cluster.append(target)
        buckets[_cell(d.lat, d.lon)].append(_Point(d.lat, d.lon, d.detected_at, target))
    regions = Region.objects.defer("geometry").in_bulk(set(grid_ids.values()))
    for i, data in enumerate(clusters):
        data.region = regions[grid_ids[i]]
    orders = create_dispatched_events(clusters, now=now)
    for row, cluster in zip(rows, row_cluster, strict=True):
        if row.outcome in ("created", "merged"):
            row.event_id = -cluster if cluster < 0 else orders[cluster].event_id
    ExternalEvent.objects.bulk_create(rows, batch_size=CHUNK)


def _cell(lat: float, lon: float) -> tuple[int, int]:
    return (math.floor(lat / CELL), math.floor(lon / CELL))


def _near(
    buckets: dict[tuple[int, int], list[_Point]],
    d: Detection,
    meters: float,
    window: dt.timedelta,
) -> int | None:
    """The cluster of the nearest point within `meters` and `window` (None: no such point)."""
    reach = max(1, math.ceil(meters / 111_000 / max(math.cos(math.radians(d.lat)), 0.01) / CELL))
    cy, cx = _cell(d.lat, d.lon)
    best: tuple[float, int] | None = None
    for y in range(cy - reach, cy + reach + 1):
        for x in range(cx - reach, cx + reach + 1):
            for p in buckets.get((y, x), ()):
                if abs(p.at - d.detected_at) > window:
                    continue
                far = distance_m(d.lat, d.lon, p.lat, p.lon)
                if far <= meters and (best is None or far < best[0]):
                    best = (far, p.cluster)
    return None if best is None else best[1]


def _load_open_points(
    system: IntakeSystem,
    good: list[Outcome],
    window: dt.timedelta,
    buckets: dict[tuple[int, int], list[_Point]],
) -> None:
    """The system's stored points that made or joined an open event, near the batch's times."""
    first = min(r.detection.detected_at for r in good) - window
    last = max(r.detection.detected_at for r in good) + window
    stored = ExternalEvent.objects.filter(
        system=system,
        event__isnull=False,
        event__order__state__in=OPEN_STATES,
        detected_at__gte=first,
        detected_at__lte=last,
        lat__isnull=False,
        lon__isnull=False,
    ).values_list("lat", "lon", "detected_at", "event_id")
    for lat, lon, at, event_id in stored.iterator(chunk_size=2000):
        assert lat is not None and lon is not None and event_id is not None  # filtered above
        buckets[_cell(lat, lon)].append(_Point(lat, lon, at, -event_id))
