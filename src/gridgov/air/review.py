"""Data review (数据审核): a reviewer's decisions on flagged values, and the day's review state.

The automatic checks (quality.py) only mark values; people decide. A reviewer confirms a value
or a range (it counts, whatever its automatic flags) or invalidates it (it never counts), with a
reason, and marks a station's day as reviewed (审核通过 → 已审核). Every decision is a
ReviewDecision row; nothing is deleted. Undoing a decision sets its undone_at, and the review
bits of the values it covered are rebuilt from the decisions still in force (later ones win), so
undo restores exactly what the other decisions say. After every change the touched hours and
days are recomputed from the stored readings, which rewrites the monthly store and bumps its
revision: AQI, rankings, assessments and targets follow without anything else to do.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov import inputs
from gridgov.air import aggregate, quality
from gridgov.air.ingest import station_infos
from gridgov.air.models import (
    CST,
    POLLUTANT_FIELDS,
    Flag,
    ReviewAction,
    ReviewDecision,
    Station,
)
from gridgov.core.actor import Account, recorded_user, required_user
from gridgov.core.scopes import under_paths
from gridgov.errors import CONFLICT, FieldRefusal
from gridgov.people import scope

REVIEW_PERMISSION = "air.add_reviewdecision"
REASON_MAX = 200
# Flag bits → why a value is marked, in the reviewer's words.
REASONS: dict[int, Any] = {
    Flag.NEGATIVE: _("负值"),
    Flag.ABOVE_RANGE: _("超出仪器量程"),
    Flag.NOT_A_NUMBER: _("非数值"),
    Flag.DEVICE: _("设备标记非正常"),
    Flag.STUCK: _("长时间恒值"),
    Flag.JUMP: _("突变"),
    Flag.NEIGHBOUR: _("明显偏离周边站点"),
    Flag.TAMPER: _("疑似人为干扰"),
}
DEVICE_FLAG_NAMES: dict[str, Any] = {
    "F": _("停运"),
    "M": _("维护"),
    "S": _("手工输入"),
    "D": _("故障"),
    "C": _("校准"),
    "T": _("超测定上限"),
    "B": _("通讯异常"),
}


class ReviewError(FieldRefusal, ValueError):
    """A decision that cannot be taken; `field` names the input at fault (invalid)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(field, message)
        self.args = (f"{field}: {message}",)


class AlreadyUndone(ReviewError):
    kind = CONFLICT


VIEW_PERMISSION = "air.view_reviewdecision"


def can_review(user: Account) -> bool:
    return bool(user is not None and user.is_authenticated and user.has_perm(REVIEW_PERMISSION))


def can_view(user: Account) -> bool:
    """Reviewers, and those who may look at the review (the command office)."""
    return can_review(user) or bool(
        user is not None and user.is_authenticated and user.has_perm(VIEW_PERMISSION)
    )


def station_for(user: Account, code: str) -> Station | None:
    """The station of this code if the user's review scope covers it (None: unknown or not
    theirs, the same to the caller)."""
    return reviewable_stations(user).filter(code=code).first()


def reviewable_stations(user: Account) -> QuerySet[Station]:
    """Stations a reviewer's scope covers: those in their regions, and the reference stations
    outside every grid for a reviewer of a whole district (a top-level region)."""
    qs = Station.objects.all()
    paths = scope.scope_paths(user)
    if paths is None:
        return qs
    q = under_paths(paths, "grid__path")
    if any(p.strip("/").count("/") == 0 for p in paths):  # a whole district
        q |= Q(grid__isnull=True)
    return qs.filter(q)


def day_bounds(day: dt.date) -> tuple[int, int]:
    """[start, end) of a China Standard Time day in epoch seconds."""
    start = int(dt.datetime.combine(day, dt.time(), tzinfo=CST).timestamp())
    return start, start + aggregate.DAY


def reason_text(flags: int) -> list[str]:
    """Why a value with these flags is marked (automatic reasons, then the device's letter)."""
    out = [str(label) for bit, label in REASONS.items() if flags & bit and bit != Flag.DEVICE]
    if flags & Flag.DEVICE:
        letter = Flag.device_letter(flags)
        name = DEVICE_FLAG_NAMES.get(letter)
        out.append(f"{REASONS[Flag.DEVICE]} {letter}" + (f" ({name})" if name else ""))
    return out


@dataclass
class FlaggedRun:
    """Consecutive marked values of one pollutant with the same marks (one stuck hour is one run,
    not sixty rows)."""

    pollutant: str
    start_ts: int
    end_ts: int
    flags: int
    values: list[float] = field(default_factory=list)
    counted: bool = True

    @property
    def reasons(self) -> list[str]:
        return reason_text(self.flags)

    @property
    def start(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.start_ts, tz=CST)

    @property
    def end(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.end_ts, tz=CST)

    @property
    def confirmed(self) -> bool:
        return bool(self.flags & Flag.CONFIRMED)

    @property
    def rejected(self) -> bool:
        return bool(self.flags & Flag.REJECTED)

    @property
    def low(self) -> float:
        return min(self.values)

    @property
    def high(self) -> float:
        return max(self.values)


@dataclass
class DaySeries:
    station: Station
    day: dt.date
    ts: np.ndarray  # (n,)
    values: np.ndarray  # (n, 6), NaN = missing
    flags: np.ndarray  # (n, 6)
    mask: int  # the station's automatic exclusion mask

    def counted(self) -> np.ndarray:
        mask: np.ndarray = np.isfinite(self.values) & quality.counted(self.flags, self.mask)
        return mask

    def runs(self) -> list[FlaggedRun]:
        """Marked values (automatic or reviewed) as runs per pollutant, in time order."""
        out: list[FlaggedRun] = []
        step = max(self.station.interval_minutes, 1) * 60
        counted = self.counted()
        for j, p in enumerate(POLLUTANT_FIELDS):
            marked = (self.flags[:, j] & (Flag.AUTOMATIC | Flag.REVIEW)) != 0
            marked &= np.isfinite(self.values[:, j]) | ((self.flags[:, j] & Flag.INVALID) != 0)
            current: FlaggedRun | None = None
            for i in np.flatnonzero(marked):
                ts, f = int(self.ts[i]), int(self.flags[i, j])
                value = float(self.values[i, j])
                if (
                    current is not None
                    and current.flags == f
                    and ts - current.end_ts <= step
                    and current.counted == bool(counted[i, j])
                ):
                    current.end_ts = ts
                    current.values.append(value)
                    continue
                current = FlaggedRun(p, ts, ts, f, [value], bool(counted[i, j]))
                out.append(current)
        out.sort(key=lambda r: (r.start_ts, POLLUTANT_FIELDS.index(r.pollutant)))
        return out

    def summary(self) -> dict[str, int]:
        """How many values are missing a mark, suspect, invalid, and decided by a reviewer."""
        finite = np.isfinite(self.values)
        auto_invalid = (self.flags & Flag.INVALID) != 0
        suspect = ((self.flags & Flag.SUSPECT) != 0) & ~auto_invalid
        reviewed = (self.flags & Flag.REVIEW) != 0
        return {
            "readings": len(self.ts),
            "values": int(finite.sum()),
            "suspect": int((suspect & ~reviewed).sum()),
            "invalid": int((auto_invalid & ~reviewed).sum()),
            "confirmed": int(((self.flags & Flag.CONFIRMED) != 0).sum()),
            "rejected": int(((self.flags & Flag.REJECTED) != 0).sum()),
            "counted": int(self.counted().sum()),
        }


def day_series(station: Station, day: dt.date) -> DaySeries:
    start, end = day_bounds(day)
    cols = ", ".join(f"{p}, {p}_flag" for p in POLLUTANT_FIELDS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT ts, {cols} FROM air_reading WHERE station_id = %s AND ts >= %s AND ts < %s "
            "ORDER BY ts",
            [station.pk, start, end],
        )
        found = cursor.fetchall()
    n = len(found)
    ts = np.array([r[0] for r in found], dtype=np.int64)
    values = np.array(
        [[np.nan if r[1 + 2 * j] is None else r[1 + 2 * j] for j in range(6)] for r in found],
        dtype=float,
    ).reshape(n, 6)
    flags = np.array([[r[2 + 2 * j] for j in range(6)] for r in found], dtype=np.int64).reshape(
        n, 6
    )
    return DaySeries(station, day, ts, values, flags, quality.exclusion_mask(station.kind))


def _check_reason(reason: str) -> str:
    text = (reason or "").strip()
    if not text:
        raise ReviewError("reason", str(_("请填写理由")))
    try:
        return inputs.check_text("reason", text, REASON_MAX)
    except inputs.InputError as exc:
        raise ReviewError(exc.field, exc.message) from None


def decide(
    station: Station,
    user: Account,
    *,
    action: str,
    pollutant: str,
    start: dt.datetime,
    end: dt.datetime,
    reason: str,
) -> ReviewDecision:
    """Confirm or invalidate a station's values from `start` to `end` (inclusive, one day at
    most), one pollutant or all ("")."""
    if action not in (ReviewAction.CONFIRM, ReviewAction.INVALIDATE):
        raise ReviewError("action", str(_("只能确认有效或判为无效")))
    if pollutant and pollutant not in POLLUTANT_FIELDS:
        raise ReviewError("pollutant", str(_("未知的污染物")))
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("start and end must be aware datetimes")
    start_ts, end_ts = int(start.timestamp()), int(end.timestamp())
    if end_ts < start_ts:
        raise ReviewError("end", str(_("结束时间早于开始时间")))
    day = start.astimezone(CST).date()
    if end.astimezone(CST).date() != day:
        raise ReviewError("end", str(_("一次审核限于同一天内")))
    text = _check_reason(reason)
    with transaction.atomic():
        affected = _count_values(station.pk, pollutant, start_ts, end_ts)
        if affected == 0:
            raise ReviewError("start", str(_("该时段没有数据")))
        decision = ReviewDecision.objects.create(
            station=station,
            action=action,
            pollutant=pollutant,
            start_ts=start_ts,
            end_ts=end_ts,
            day=day,
            reason=text,
            decided_by=required_user(user),
            values_changed=affected,
        )
        reapply(station, start_ts, end_ts)
    return decision


def approve_day(station: Station, user: Account, day: dt.date, reason: str = "") -> ReviewDecision:
    """Mark a station's day as reviewed (已审核). Taken again, it returns the approval in force."""
    current = approval(station, day)
    if current is not None:
        return current
    start, end = day_bounds(day)
    return ReviewDecision.objects.create(
        station=station,
        action=ReviewAction.APPROVE_DAY,
        start_ts=start,
        end_ts=end - 1,
        day=day,
        reason=_check_reason(reason) if reason else str(_("审核通过")),
        decided_by=required_user(user),
    )


def approval(station: Station, day: dt.date) -> ReviewDecision | None:
    return (
        ReviewDecision.objects.filter(
            station=station, day=day, action=ReviewAction.APPROVE_DAY, undone_at__isnull=True
        )
        .order_by("-decided_at")
        .first()
    )


def undo(decision: ReviewDecision, user: Account) -> ReviewDecision:
    """Undo a decision: the values it covered go back to what the other decisions say."""
    if decision.undone_at is not None:
        raise AlreadyUndone("decision", str(_("该审核记录已撤销")))
    with transaction.atomic():
        decision.undone_at = timezone.now()
        decision.undone_by = recorded_user(user)
        decision.save(update_fields=["undone_at", "undone_by"])
        if decision.action != ReviewAction.APPROVE_DAY:
            reapply(decision.station, decision.start_ts, decision.end_ts)
    return decision


def _count_values(station_id: int, pollutant: str, start_ts: int, end_ts: int) -> int:
    columns = [p for p in POLLUTANT_FIELDS if pollutant in ("", p)]
    counts = " + ".join(f"COUNT({p})" for p in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {counts}, COUNT(*) FROM air_reading "
            "WHERE station_id = %s AND ts >= %s AND ts <= %s",
            [station_id, start_ts, end_ts],
        )
        values, rows = cursor.fetchone()
    # A reading whose value is missing still has a row a reviewer may mark (a device-flagged
    # row with no number, say): count rows when the pollutant has no value at all.
    return int(values) or int(rows)


KEEP_AUTOMATIC = 0x7FFF & ~Flag.REVIEW


def reapply(station: Station, start_ts: int, end_ts: int) -> None:
    """Rebuild the review bits of [start_ts, end_ts] from the decisions in force, then the hours
    and days they fall in."""
    decisions = ReviewDecision.objects.filter(
        station=station,
        undone_at__isnull=True,
        action__in=[ReviewAction.CONFIRM, ReviewAction.INVALIDATE],
        start_ts__lte=end_ts,
        end_ts__gte=start_ts,
    ).order_by("decided_at", "id")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE air_reading SET "
            + ", ".join(f"{p}_flag = {p}_flag & {KEEP_AUTOMATIC}" for p in POLLUTANT_FIELDS)
            + " WHERE station_id = %s AND ts >= %s AND ts <= %s",
            [station.pk, start_ts, end_ts],
        )
        for d in decisions:
            lo, hi = max(d.start_ts, start_ts), min(d.end_ts, end_ts)
            if d.action == ReviewAction.CONFIRM:
                keep, add = KEEP_AUTOMATIC | Flag.CONFIRMED, Flag.CONFIRMED
            else:
                keep, add = KEEP_AUTOMATIC | Flag.REJECTED, Flag.REJECTED
            columns = [p for p in POLLUTANT_FIELDS if d.pollutant in ("", p)]
            cursor.execute(
                "UPDATE air_reading SET "
                + ", ".join(f"{p}_flag = ({p}_flag & {keep}) | {add}" for p in columns)
                + " WHERE station_id = %s AND ts >= %s AND ts <= %s",
                [station.pk, lo, hi],
            )
    hours = np.arange(start_ts - start_ts % aggregate.HOUR, end_ts + 1, aggregate.HOUR)
    ids = np.full(len(hours), station.pk, dtype=np.int64)
    aggregate.rebuild_hours(ids, hours, station_infos([station.pk]))
    aggregate.recompute_days(ids, hours)


def review_states(station_ids: list[int], start: dt.date, end: dt.date) -> set[tuple[int, dt.date]]:
    """(station, day) pairs approved (已审核) between start and end inclusive."""
    return set(
        ReviewDecision.objects.filter(
            station_id__in=station_ids,
            action=ReviewAction.APPROVE_DAY,
            undone_at__isnull=True,
            day__gte=start,
            day__lte=end,
        ).values_list("station_id", "day")
    )


@dataclass
class QueueRow:
    """One station's day in the review queue."""

    station: Station
    readings: int
    suspect: int  # suspect values no reviewer has decided on
    invalid: int  # invalid values no reviewer has decided on
    reviewed: bool

    @property
    def undecided(self) -> int:
        return self.suspect + self.invalid


def queue(user: Account, day: dt.date, kind: str = "") -> list[QueueRow]:
    """The active stations of the user's scope (of one kind when given) for a day, in (kind,
    code) order, with their undecided values and the day's state."""
    stations = reviewable_stations(user).filter(active=True).select_related("grid")
    if kind:
        stations = stations.filter(kind=kind)
    chosen = list(stations.order_by("kind", "code"))
    ids = [s.pk for s in chosen]
    counts = day_counts(ids, day)
    approved = review_states(ids, day, day)
    rows = []
    for s in chosen:
        found = counts.get(s.pk, {"readings": 0, "suspect": 0, "invalid": 0})
        rows.append(QueueRow(s, reviewed=(s.pk, day) in approved, **found))
    return rows


def day_counts(station_ids: list[int], day: dt.date) -> dict[int, dict[str, int]]:
    """Per station, the day's readings and its suspect and invalid values not yet decided."""
    start, end = day_bounds(day)
    if not station_ids:
        return {}
    placeholders = ",".join(["%s"] * len(station_ids))
    parts = []
    for p in POLLUTANT_FIELDS:
        undecided = f"({p}_flag & {Flag.REVIEW}) = 0"
        parts.append(
            f"SUM(CASE WHEN ({p}_flag & {Flag.SUSPECT}) <> 0 AND ({p}_flag & {Flag.INVALID}) = 0 "
            f"AND {undecided} THEN 1 ELSE 0 END)"
        )
    suspect = " + ".join(parts)
    invalid = " + ".join(
        f"SUM(CASE WHEN ({p}_flag & {Flag.INVALID}) <> 0 AND ({p}_flag & {Flag.REVIEW}) = 0 "
        "THEN 1 ELSE 0 END)"
        for p in POLLUTANT_FIELDS
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT station_id, COUNT(*), {suspect}, {invalid} FROM air_reading "
            f"WHERE station_id IN ({placeholders}) AND ts >= %s AND ts < %s GROUP BY station_id",
            [*station_ids, start, end],
        )
        found = cursor.fetchall()
    return {
        int(sid): {"readings": int(n), "suspect": int(s or 0), "invalid": int(i or 0)}
        for sid, n, s, i in found
    }


def parse_moment(day: dt.date, text: str, field: str) -> dt.datetime:
    """ "HH:MM" on the review day → an aware datetime (China Standard Time)."""
    try:
        clock = dt.time.fromisoformat((text or "").strip())
    except ValueError as exc:
        raise ReviewError(field, str(_("时间格式应为 HH:MM"))) from exc
    return dt.datetime.combine(day, clock.replace(second=0, microsecond=0), tzinfo=CST)
