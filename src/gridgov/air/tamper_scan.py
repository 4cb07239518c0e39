"""Scanning for tampering (干扰监测) and deciding on what it finds.

`scan(start, end)` runs the detectors (air/tampering.py) over the hours and days that ended in
[start, end) and the receiver's clock counters; each new finding marks the values it covers with
Flag.TAMPER (suspect: they still count until the data review decides), then the hours and days
are recomputed as after a review decision, and the finding is opened (TamperFinding). A finding
already there is not opened again; an open one whose day is still under way has its newer values
marked too. The worker runs it every hour over the last hours (GRIDGOV_TAMPER_SCAN_HOURS).

A reviewer (air.add_reviewdecision, within their scope) confirms a finding — optionally asking
the station's operator for an inspection: a maintenance issue whose work order the maintenance
openers make — or dismisses it with a reason. Dismissing clears no mark: people decide on the
values in the data review. Each finding is decided once, by whom and when recorded on it.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov import inputs
from gridgov.air import aggregate, maintenance, quality, tamper_data, tampering
from gridgov.air.ingest import station_infos
from gridgov.air.models import CST, POLLUTANT_FIELDS, Flag
from gridgov.air.review import ReviewError, can_review
from gridgov.air.tamper_models import TamperFinding, TamperStatus
from gridgov.air.upkeep_models import MaintenanceIssue, MaintenanceKind
from gridgov.core.actor import Account, recorded_user
from gridgov.errors import CONFLICT, DomainError

log = logging.getLogger(__name__)
HOUR, DAY = aggregate.HOUR, aggregate.DAY
PM_COLUMNS = [POLLUTANT_FIELDS.index(p) for p in tampering.PM]


def scan_hours() -> float:
    return float(getattr(settings, "GRIDGOV_TAMPER_SCAN_HOURS", 6))


@dataclass
class ScanResult:
    found: int = 0  # findings the detectors made (new or not)
    opened: int = 0  # new findings
    marked: int = 0  # readings rows marked


def _utc(ts: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(int(ts), tz=dt.UTC)


def detect(start: int, end: int) -> list[tampering.Finding]:
    """Every detector's findings on the hours (spray) and CST days (flat) that ended within
    [start, end), and on the clock counters of the devices."""
    area = tamper_data.area(tampering.limit("radius_km"))
    judged = area.judged
    found: list[tampering.Finding] = []
    if not judged:
        return found
    # Spray: the hours ending in the window, and the two before the first.
    first = start - start % HOUR
    hours = np.arange(first - 2 * HOUR, end - HOUR + 1, HOUR, dtype=np.int64)
    hours = hours[hours + HOUR <= end]
    if len(hours) >= 3:
        means = tamper_data.mean_grid(area.ids, hours)[:, :, PM_COLUMNS]
        rh = tamper_data.humidity_grid(area.ids, hours)
        for k in judged:
            near = area.near[k]
            found += tampering.spray(area.ids[k], hours, means[k], rh[k], means[near], rh[near])
    # Flat: the CST days ending in the window, with the day before each.
    for day_start in _days_ending(start, end):
        day_hours = np.arange(day_start - DAY, day_start + DAY, HOUR, dtype=np.int64)
        grid = tamper_data.mean_grid(area.ids, day_hours)
        for k in judged:
            reasons = {}
            for j, p in enumerate(POLLUTANT_FIELDS):
                day = grid[k, 24:, j]
                why = tampering.flat_day(
                    day, grid[k, :24, j], grid[area.near[k], 24:, j], quality.stuck_floor(p)
                )
                if why is not None:
                    reasons[p] = why
            if reasons:
                found.append(
                    tampering.Finding(
                        area.ids[k], "flat", day_start, day_start + DAY, tuple(reasons), reasons
                    )
                )
    clocks = tamper_data.clock_days([area.ids[k] for k in judged])
    for sid, days in clocks.items():
        found += tampering.clock(sid, days)
    return found


def _days_ending(start: int, end: int) -> list[int]:
    """Starts of the CST days whose end lies in (start, end]."""
    first = dt.datetime.fromtimestamp(start, CST).date()
    out: list[int] = []
    day = first
    while True:
        lo = int(dt.datetime.combine(day, dt.time(), CST).timestamp())
        if lo + DAY > end:
            return out
        if lo + DAY > start:
            out.append(lo)
        day += dt.timedelta(days=1)


def scan(start: dt.datetime, end: dt.datetime) -> ScanResult:
    """Run the detectors on [start, end), open the new findings and mark their values."""
    lo, hi = int(start.timestamp()), int(end.timestamp())
    result = ScanResult()
    findings = detect(lo, hi)
    result.found = len(findings)
    existing = {
        (f.station_id, f.kind, int(f.start.timestamp())): f
        for f in TamperFinding.objects.filter(
            station_id__in={f.station_id for f in findings},
            start__in={_utc(f.start) for f in findings},
        )
    }
    for f in findings:
        row = existing.get((f.station_id, f.kind, f.start))
        if row is None:
            row = TamperFinding(
                station_id=f.station_id,
                kind=f.kind,
                start=_utc(f.start),
                end=_utc(f.end),
                pollutants=list(f.pollutants) or list(POLLUTANT_FIELDS),
                evidence=f.evidence,
            )
            try:
                with transaction.atomic():  # the finding and its marks, or neither
                    row.save()
                    result.marked += mark(row, min(f.end, hi))
            except IntegrityError:  # another scan opened it a moment ago
                continue
            result.opened += 1
        elif row.status == TamperStatus.OPEN and row.evidence != f.evidence:
            # A day under way (the clock counters count on): its newer values are marked too.
            with transaction.atomic():
                row.evidence = f.evidence
                row.save(update_fields=["evidence"])
                result.marked += mark(row, min(f.end, hi))
    return result


def mark(finding: TamperFinding, until: int | None = None) -> int:
    """Mark the finding's values (to `until` at most) Flag.TAMPER; recompute their hours and
    days. Returns the rows marked."""
    start = int(finding.start.timestamp())
    end = (
        int(finding.end.timestamp()) if until is None else min(int(finding.end.timestamp()), until)
    )
    columns = [p for p in finding.pollutants if p in POLLUTANT_FIELDS]
    if not columns or end <= start:
        return 0
    sets = ", ".join(f"{p}_flag = {p}_flag | {Flag.TAMPER}" for p in columns)
    unmarked = " OR ".join(f"({p}_flag & {Flag.TAMPER}) = 0" for p in columns)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE air_reading SET {sets} WHERE station_id = %s AND ts >= %s AND ts < %s "  # noqa: S608 (column names only)
            f"AND ({unmarked})",
            [finding.station_id, start, end],
        )
        marked = max(int(cursor.rowcount), 0)
        if marked:
            hours = np.arange(start - start % HOUR, end, HOUR, dtype=np.int64)
            ids = np.full(len(hours), finding.station_id, dtype=np.int64)
            aggregate.rebuild_hours(ids, hours, station_infos([finding.station_id]))
            aggregate.recompute_days(ids, hours)
    return marked


def scan_recent(now: dt.datetime | None = None) -> ScanResult:
    """The worker's hourly scan: the last GRIDGOV_TAMPER_SCAN_HOURS hours."""
    now = now or timezone.now()
    return scan(now - dt.timedelta(hours=scan_hours()), now)


CONFIRM, DISMISS = "confirm", "dismiss"


class AlreadyDecided(ReviewError):
    kind = CONFLICT


def decide(
    finding: TamperFinding, user: Account, *, action: str, reason: str, inspect: bool = False
) -> TamperFinding:
    """A reviewer confirms or dismisses an open finding, with a reason; confirming may ask the
    station's operator for an inspection (a maintenance issue and its work order)."""
    if not can_review(user):
        raise DomainError.forbidden(_("需要数据审核权限"))
    if action not in (CONFIRM, DISMISS):
        raise ReviewError("action", _("只能确认或排除"))
    text = (reason or "").strip()
    if not text:
        raise ReviewError("reason", _("请填写理由"))
    try:
        text = inputs.check_text("reason", text, 200)
    except inputs.InputError as exc:
        raise ReviewError(exc.field, exc.message) from None
    if inspect and action != CONFIRM:
        raise ReviewError("inspect", _("只有确认干扰时才能派发现场核查"))
    with transaction.atomic():
        locked = TamperFinding.objects.select_for_update().get(pk=finding.pk)
        if locked.status != TamperStatus.OPEN:
            raise AlreadyDecided("finding", _("该疑点已核查"))
        now = timezone.now()
        locked.status = TamperStatus.CONFIRMED if action == CONFIRM else TamperStatus.DISMISSED
        locked.decided_by = recorded_user(user)
        locked.decided_at = now
        locked.reason = text
        if inspect:
            locked.issue = _inspection(locked, now)
        locked.save(update_fields=["status", "decided_by", "decided_at", "reason", "issue"])
    if inspect:
        maintenance.open_orders()
        locked.refresh_from_db()
    return locked


def _inspection(finding: TamperFinding, now: dt.datetime) -> MaintenanceIssue:
    """The station's open tampering inspection (one at a time), or a new one."""
    detail = _("疑似人为干扰（%(kind)s，%(at)s），请现场核查采样口周边") % {
        "kind": finding.get_kind_display(),
        "at": timezone.localtime(finding.start).strftime("%Y-%m-%d %H:%M"),
    }
    current = MaintenanceIssue.objects.filter(
        station_id=finding.station_id, kind=MaintenanceKind.TAMPER, ended_at=None
    ).first()
    if current is not None:
        return current
    return MaintenanceIssue.objects.create(
        station_id=finding.station_id,
        kind=MaintenanceKind.TAMPER,
        detail=detail[:200],
        opened_at=now,
        last_seen_at=now,
    )
