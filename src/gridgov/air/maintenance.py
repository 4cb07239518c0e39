"""Maintenance issues (运维工单) of the stations: a device fault, a calibration due, a station
silent for hours. `sweep` (every 15 minutes by the worker, or `gridgov air maintenance`)
opens one issue per station and condition while the condition lasts (an episode), ends it when
the condition clears, and asks the registered order openers for one work order per issue.

The work orders live above air: `workorders` registers its opener in its AppConfig.ready()
(`register_order_opener`), as it registers the alarm orders' finder. An issue remembers its
order, so a doubled or repeated sweep never opens a second one for the same episode; an opener
that could not make one (no grid, no category) is asked again at the next sweep.

Conditions (settings, with their defaults):
- device fault: the HJ 212 receiver refused a packet of the station's device (DeviceStatus
  .faults) within GRIDGOV_DEVICE_FAULT_HOURS (24);
- calibration due: a micro or mobile station (sensors drift; control stations follow their own
  QA/QC) whose last calibration — or, never calibrated, its registration — is more than
  GRIDGOV_CALIBRATION_DUE_DAYS (90) days old;
- offline: no reading for more than GRIDGOV_MAINTENANCE_OFFLINE_HOURS (24) hours after its
  last interval ended (a station that never sent counts from its registration).

An inspection for suspected tampering (MaintenanceKind.TAMPER) is opened by a reviewer, not by a
condition (air/tampering.py `decide`): the sweep keeps it open until its order is made, then
ends it as handed over.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.air.models import DeviceStatus, Station, StationKind
from gridgov.air.upkeep_models import Calibration, MaintenanceIssue, MaintenanceKind

log = logging.getLogger(__name__)

SENSOR_KINDS = (StationKind.MICRO, StationKind.MOBILE)


def offline_hours() -> float:
    return float(getattr(settings, "GRIDGOV_MAINTENANCE_OFFLINE_HOURS", 24))


def calibration_days() -> float:
    return float(getattr(settings, "GRIDGOV_CALIBRATION_DUE_DAYS", 90))


def fault_hours() -> float:
    return float(getattr(settings, "GRIDGOV_DEVICE_FAULT_HOURS", 24))


# An opener makes the work orders of the issues it is given: {issue id: (order id, reference)}
# for those it made one for.
OrderOpener = Callable[[list[MaintenanceIssue]], dict[int, tuple[int, str]]]
_openers: list[OrderOpener] = []


def register_order_opener(opener: OrderOpener) -> None:
    if opener not in _openers:
        _openers.append(opener)


@dataclass(frozen=True)
class Condition:
    station_id: int
    kind: str
    detail: str


def _stamp(moment: dt.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "—"


def conditions(now: dt.datetime) -> list[Condition]:
    """Every maintenance condition holding now, over the active stations."""
    stations = list(Station.objects.filter(active=True).select_related("state"))
    found: list[Condition] = []
    ids = [s.pk for s in stations]
    # Device faults.
    since = now - dt.timedelta(hours=fault_hours())
    for d in DeviceStatus.objects.filter(station_id__in=ids):
        stamped = [(f, _parsed(f.get("at"))) for f in d.faults or [] if isinstance(f, dict)]
        recent = [(f, at) for f, at in stamped if at is not None and at >= since]
        if recent:
            last, at = recent[-1]
            detail = _("设备数据包被拒收：%(reason)s（%(n)d 次，最近 %(at)s）") % {
                "reason": last.get("reason", "?"),
                "n": len(recent),
                "at": _stamp(at),
            }
            found.append(Condition(d.station_id, MaintenanceKind.DEVICE_FAULT.value, detail))
    # Calibrations due.
    last_cal = dict(
        Calibration.objects.filter(station_id__in=ids)
        .values("station_id")
        .annotate(last=Max("valid_from"))
        .values_list("station_id", "last")
    )
    due_before = now - dt.timedelta(days=calibration_days())
    for s in stations:
        if s.kind not in SENSOR_KINDS:
            continue
        calibrated_at: dt.datetime | None = last_cal.get(s.pk)
        if (calibrated_at or s.created_at) <= due_before:
            detail = (
                _("上次校准 %(at)s，已超过 %(days)g 天")
                % {"at": _stamp(calibrated_at), "days": calibration_days()}
                if calibrated_at
                else _("从未校准（登记于 %(at)s）") % {"at": _stamp(s.created_at)}
            )
            found.append(Condition(s.pk, MaintenanceKind.CALIBRATION_DUE.value, detail))
    # Long silences.
    limit = offline_hours() * 3600
    for s in stations:
        state = getattr(s, "state", None)
        if state is not None:
            silent_since = state.last_ts + s.interval_minutes * 60
        else:
            silent_since = s.created_at.timestamp()
        if now.timestamp() - silent_since > limit:
            detail = _("已 %(h).0f 小时无数据（最近数据 %(at)s）") % {
                "h": (now.timestamp() - silent_since) / 3600,
                "at": _stamp(dt.datetime.fromtimestamp(state.last_ts, tz=dt.UTC))
                if state is not None
                else "—",
            }
            found.append(Condition(s.pk, MaintenanceKind.OFFLINE.value, detail))
    return found


def _parsed(text: object) -> dt.datetime | None:
    if not isinstance(text, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


@dataclass
class SweepResult:
    opened: int = 0
    ended: int = 0
    orders: int = 0


def sweep(now: dt.datetime | None = None) -> SweepResult:
    """Open, refresh and end the issues so that each holding condition has exactly one open
    issue; then ask the openers for the orders of open issues that have none yet."""
    now = now or timezone.now()
    result = SweepResult()
    holding = {(c.station_id, c.kind): c for c in conditions(now)}
    open_issues = {
        (i.station_id, i.kind): i for i in MaintenanceIssue.objects.filter(ended_at=None)
    }
    for key, issue in open_issues.items():
        if issue.kind == MaintenanceKind.TAMPER and issue.order_id is None:
            continue  # a reviewer asked for this inspection: open until its order is made
        if key not in holding:
            issue.ended_at = now
            issue.save(update_fields=["ended_at"])
            result.ended += 1
        else:
            issue.last_seen_at = now
            issue.save(update_fields=["last_seen_at"])
    for key, c in holding.items():
        if key in open_issues:
            continue
        issue = MaintenanceIssue(
            station_id=c.station_id,
            kind=c.kind,
            detail=c.detail[:200],
            opened_at=now,
            last_seen_at=now,
        )
        try:
            with transaction.atomic():
                issue.save()
        except IntegrityError:  # another sweep opened it a moment ago
            continue
        result.opened += 1
    result.orders = open_orders()
    return result


def open_orders() -> int:
    """Ask the openers for the orders of the open issues that have none; returns how many were
    made."""
    pending = list(
        MaintenanceIssue.objects.filter(ended_at=None, order_id=None).select_related(
            "station", "station__grid", "station__operator"
        )
    )
    made = 0
    for opener in _openers if pending else ():
        try:
            orders = opener(pending)
        except Exception:
            log.exception("maintenance orders not opened now; the next sweep retries")
            continue
        for issue in pending:
            if issue.pk in orders and issue.order_id is None:
                issue.order_id, issue.order_reference = orders[issue.pk]
                issue.save(update_fields=["order_id", "order_reference"])
                made += 1
        pending = [i for i in pending if i.order_id is None]
    return made
