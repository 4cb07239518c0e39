"""Alarm rules, evaluated on the stations a batch touched, in the same ingestion.

An alarm is one row per (station, rule, pollutant) while the condition lasts: raised when it
starts, updated while it holds, ended when it stops. `sweep_offline` (run every minute by the
worker, or `gridgov air sweep`) raises the one alarm no reading can bring: silence.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.air import aggregate
from gridgov.air.models import (
    POLLUTANT_FIELDS,
    Alarm,
    AlarmKind,
    AlarmRule,
    DeviceStatus,
    Flag,
    Station,
    StationKind,
)
from gridgov.air.neighbours import CONTROL, Neighbourhood
from gridgov.air.signals import alarms_raised
from gridgov.core.actor import Account, holds, recorded_user
from gridgov.errors import DomainError

if TYPE_CHECKING:
    from gridgov.air.ingest import Batch, StationInfo

JUMP_RECENT_MINUTES = 5
JUMP_BASELINE_MINUTES = 60
# An open alarm ends only when the value is this much below the line that raised it, so a
# value wandering around the threshold does not raise an alarm every hour.
HYSTERESIS = 0.1


@dataclass(frozen=True)
class Finding:
    """A rule's verdict on one station: holding, clearly over (release), or unknown (neither:
    e.g. the hour has too few values yet), with the values behind it."""

    station_id: int
    rule: AlarmRule
    pollutant: str
    holds: bool
    at: int  # epoch seconds of the data the verdict is about
    value: float | None = None
    reference: float | None = None
    release: bool | None = None  # None: release = not holds
    note: str = ""  # written on the alarm when it is raised (e.g. the device's connection)

    @property
    def ends(self) -> bool:
        return (not self.holds) if self.release is None else self.release


def _utc(ts: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(int(ts), tz=dt.UTC)


def _active_rules() -> list[AlarmRule]:
    return list(AlarmRule.objects.filter(active=True))


def _open_keys(station_ids: list[int]) -> set[tuple[int, int, str]]:
    """(station, rule, pollutant) of the open alarms of these stations: a finding that neither
    holds nor ends one of them changes nothing and is not made at all."""
    if not station_ids:
        return set()
    marks = ",".join(["%s"] * len(station_ids))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT station_id, rule_id, pollutant FROM air_alarm "
            f"WHERE ended_at IS NULL AND station_id IN ({marks})",
            station_ids,
        )
        return {(int(sid), int(rule), pollutant) for sid, rule, pollutant in cursor.fetchall()}


def evaluate(
    batch: Batch, flags: np.ndarray, stations: dict[int, StationInfo], now: float | None = None
) -> list[Alarm]:
    """Run every applicable rule on each station in the batch; returns alarms raised now.

    Threshold and stuck rules (the ones every station has) are evaluated on arrays for the whole
    batch; a finding is made only where it matters to `apply`: it holds, or it would end an
    alarm that is open."""
    rules = _active_rules()
    if not rules:
        return []
    last = np.flatnonzero(np.r_[batch.station[1:] != batch.station[:-1], True])
    sids, tss, last_flags = batch.station[last], batch.ts[last], flags[last]
    ids = sids.tolist()
    kinds = np.array([stations[sid].kind for sid in ids])
    open_keys = _open_keys(ids)
    position = {sid: pos for pos, sid in enumerate(ids)}
    hourly_cache = HourCache(ids)
    neighbours = Neighbourhood()
    ordered: list[tuple[tuple[int, int, int], Finding]] = []  # (station, rule, pollutant) order

    def keep(pos: int, r: int, f: Finding) -> None:
        if f.holds or (f.ends and (f.station_id, f.rule.pk, f.pollutant) in open_keys):
            j = POLLUTANT_FIELDS.index(f.pollutant) if f.pollutant else -1
            ordered.append(((pos, r, j), f))

    thresholds = [(r, rule) for r, rule in enumerate(rules) if rule.kind == AlarmKind.THRESHOLD]
    if thresholds:
        for pos, r, finding in _thresholds(thresholds, sids, tss, kinds, hourly_cache, open_keys):
            keep(pos, r, finding)
    for r, rule in enumerate(rules):
        if rule.kind != AlarmKind.STUCK:
            continue
        applies = _kinds_apply(rule, kinds)
        pollutants = [rule.pollutant] if rule.pollutant else list(POLLUTANT_FIELDS)
        for p in pollutants:
            stuck = (last_flags[:, POLLUTANT_FIELDS.index(p)] & Flag.STUCK) != 0
            ending = [position[k[0]] for k in open_keys if k[1:] == (rule.pk, p)]
            for pos in sorted({*np.flatnonzero(applies & stuck).tolist(), *ending}):
                if applies[pos]:
                    keep(pos, r, Finding(ids[pos], rule, p, bool(stuck[pos]), int(tss[pos])))
    others = [
        (r, rule)
        for r, rule in enumerate(rules)
        if rule.kind not in (AlarmKind.THRESHOLD, AlarmKind.STUCK)
    ]
    for r, rule in others:  # one query per jump rule for all the batch's stations
        if rule.kind != AlarmKind.JUMP:
            continue
        where = [
            pos
            for pos, sid in enumerate(ids)
            if _applies(rule, stations[sid].kind) and stations[sid].interval < 60
        ]
        for pos, finding in zip(
            where, _jumps(rule, [ids[k] for k in where], tss[where]), strict=True
        ):
            keep(pos, r, finding)
    for pos, (sid, ts) in enumerate(zip(ids, tss.tolist(), strict=True)) if others else ():
        info = stations[sid]
        for r, rule in others:
            if not _applies(rule, info.kind):
                continue
            if rule.kind == AlarmKind.NEIGHBOUR:
                keep(pos, r, _neighbour(rule, info, ts, hourly_cache, neighbours))
            elif rule.kind == AlarmKind.OFFLINE:
                # Data arriving ends silence now, whatever time the data is about.
                arrived = int(time.time() if now is None else now)
                keep(pos, r, Finding(sid, rule, "", False, max(ts, arrived)))
    ordered.sort(key=lambda item: item[0])
    findings = [f for _, f in ordered]
    mark_far_from_neighbours([f for f in findings if f.rule.kind == AlarmKind.NEIGHBOUR])
    return apply(findings, stations)


def _thresholds(
    rules: list[tuple[int, AlarmRule]],
    sids: np.ndarray,
    tss: np.ndarray,
    kinds: np.ndarray,
    cache: HourCache,
    open_keys: set[tuple[int, int, str]],
) -> list[tuple[int, int, Finding]]:
    """Threshold rules on the batch's stations at once: each station's latest valid hourly mean
    (its data's hour, or the hour before while this one has too few values yet) against the
    line; (station position, rule position, finding) where it holds or ends an open alarm."""
    hours = tss - tss % aggregate.HOUR
    ids = sids.tolist()
    now_means = np.array([cache.of(h, sid) for h, sid in zip(hours.tolist(), ids, strict=True)])
    columns = sorted({POLLUTANT_FIELDS.index(rule.pollutant) for _, rule in rules})
    means = now_means.reshape(len(ids), len(POLLUTANT_FIELDS)).copy()
    for pos in np.flatnonzero(~np.isfinite(means[:, columns]).all(axis=1)).tolist():
        before = cache.of(int(hours[pos]) - aggregate.HOUR, ids[pos])
        gap = ~np.isfinite(means[pos])
        means[pos, gap] = before[gap]
    out = []
    for r, rule in rules:
        if rule.threshold is None:
            continue  # unknown verdict: neither holds nor releases
        j = POLLUTANT_FIELDS.index(rule.pollutant)
        values = means[:, j]
        known = np.isfinite(values)
        known &= _kinds_apply(rule, kinds)
        line = float(rule.threshold)
        with np.errstate(invalid="ignore"):
            over = known & (values > line)
            under = known & (values <= line * (1 - HYSTERESIS))
        for pos in np.flatnonzero(over | under).tolist():
            holds, release = bool(over[pos]), bool(under[pos])
            if not holds and (ids[pos], rule.pk, rule.pollutant) not in open_keys:
                continue  # nothing to end
            value = float(values[pos])
            out.append(
                (
                    pos,
                    r,
                    Finding(
                        ids[pos], rule, rule.pollutant, holds, int(tss[pos]), value, line, release
                    ),
                )
            )
    return out


def mark_far_from_neighbours(findings: list[Finding]) -> None:
    """Mark the values of an hour that stands far above its neighbours as suspect (Flag.NEIGHBOUR):
    they still count, and the data reviewer sees them with the reason."""
    for f in findings:
        if not f.holds or not f.pollutant:
            continue
        hour = f.at - f.at % aggregate.HOUR
        column = f"{f.pollutant}_flag"
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE air_reading SET {column} = {column} | {Flag.NEIGHBOUR} "
                f"WHERE station_id = %s AND ts >= %s AND ts < %s AND {f.pollutant} IS NOT NULL",
                [f.station_id, hour, hour + aggregate.HOUR],
            )


class HourCache:
    """Hourly means fetched once per batch, only for the stations asked about."""

    def __init__(self, batch_ids: list[int]) -> None:
        self.batch_ids = batch_ids
        self.means: dict[int, dict[int, np.ndarray]] = {}
        self.loaded: set[int] = set()  # hours fetched for every station of the batch

    def get(self, hour: int, ids: list[int]) -> dict[int, np.ndarray]:
        known = self.means.setdefault(hour, {})
        missing = [i for i in ids if i not in known]
        if missing:
            cols = ", ".join(f"{p}_sum, {p}_n" for p in POLLUTANT_FIELDS)
            marks = ",".join(["%s"] * len(missing))
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT station_id, ts, need, {cols} FROM air_hourly "
                    f"WHERE ts = %s AND station_id IN ({marks})",
                    [hour, *missing],
                )
                rows = np.array(cursor.fetchall(), dtype=float)
            rows = rows.reshape(-1, 3 + 2 * len(POLLUTANT_FIELDS))
            means = aggregate.hourly_means(rows)
            for sid in missing:
                known[sid] = np.full(len(POLLUTANT_FIELDS), np.nan)
            for k, sid in enumerate(rows[:, 0].astype(int).tolist()):
                known[sid] = means[k]
        return {i: known[i] for i in ids}

    def of(self, hour: int, sid: int) -> np.ndarray:
        """One station's means of the hour, the whole batch's being fetched once per hour (a
        `get` per station with every batch id would cost batch size² per batch)."""
        if hour not in self.loaded:
            self.get(hour, self.batch_ids)
            self.loaded.add(hour)
        known = self.means[hour]
        if sid not in known:
            self.get(hour, [sid])
        return known[sid]


JUMP_CHUNK = 500  # stations per query (3 parameters each)


def _jumps(rule: AlarmRule, sids: list[int], tss: np.ndarray) -> list[Finding]:
    """Each station's last 5 minutes' mean against the 60 minutes before them, ending at its
    ts: the readings of all the stations' windows in one query (a query per station was most
    of a receiver batch's time), split per station with numpy."""
    p = rule.pollutant
    span = (JUMP_RECENT_MINUTES + JUMP_BASELINE_MINUTES - 1) * 60
    found: list[tuple[int, int, float]] = []
    for at in range(0, len(sids), JUMP_CHUNK):
        part = sids[at : at + JUMP_CHUNK]
        ends = tss[at : at + JUMP_CHUNK].tolist()
        windows = ", ".join(["(%s, %s, %s)"] * len(part))
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT r.station_id, r.ts, r.{p} FROM air_reading r JOIN (VALUES {windows}) w "
                "ON r.station_id = w.column1 AND r.ts >= w.column2 AND r.ts <= w.column3 "
                f"WHERE (r.{p}_flag & {Flag.INVALID | Flag.REJECTED}) = 0 AND r.{p} IS NOT NULL",
                [v for sid, ts in zip(part, ends, strict=True) for v in (sid, ts - span, ts)],
            )
            found.extend(cursor.fetchall())
    rows = np.array(found, dtype=float).reshape(-1, 3)
    rows = rows[np.lexsort((rows[:, 1], rows[:, 0]))]
    out = []
    for sid, ts in zip(sids, tss.tolist(), strict=True):
        lo = np.searchsorted(rows[:, 0], sid, side="left")
        hi = np.searchsorted(rows[:, 0], sid, side="right")
        out.append(_jump_finding(rule, sid, ts, rows[lo:hi, 1:]))
    return out


def _jump_finding(rule: AlarmRule, sid: int, ts: int, rows: np.ndarray) -> Finding:
    """The finding from a station's (ts, value) rows of the window ending at ts."""
    p = rule.pollutant
    recent = rows[rows[:, 0] > ts - JUMP_RECENT_MINUTES * 60, 1]
    base = rows[rows[:, 0] <= ts - JUMP_RECENT_MINUTES * 60, 1]
    if len(recent) == 0 or len(base) < JUMP_BASELINE_MINUTES // 2:
        return Finding(sid, rule, p, False, ts)
    now_mean, base_mean = float(recent.mean()), float(base.mean())
    holds = now_mean > base_mean * (rule.ratio or 2.0) and now_mean - base_mean > (
        rule.threshold or 0.0
    )
    return Finding(sid, rule, p, holds, ts, now_mean, base_mean)


def _applies(rule: AlarmRule, kind: str) -> bool:
    """A rule naming a station kind applies to that kind; a rule for all kinds applies to the
    ambient ones (an emission monitor's mg/m³ are not compared with ambient lines)."""
    if rule.station_kind:
        return rule.station_kind == kind
    return kind != StationKind.EMISSION


def _kinds_apply(rule: AlarmRule, kinds: np.ndarray) -> np.ndarray:
    if rule.station_kind:
        return np.asarray(kinds == rule.station_kind, dtype=bool)
    return np.asarray(kinds != StationKind.EMISSION.value, dtype=bool)


def _neighbour(
    rule: AlarmRule, info: StationInfo, ts: int, cache: HourCache, neighbours: Neighbourhood
) -> Finding:
    """This station's hourly mean against the median of the stations within the radius (or the
    nearest control station when none is within it)."""
    p = rule.pollutant
    j = POLLUTANT_FIELDS.index(p)
    hour = ts - ts % aggregate.HOUR
    own = cache.of(hour, info.id)
    if not np.isfinite(own[j]):
        return Finding(info.id, rule, p, False, ts, release=False)
    radius = rule.radius_km or 3.0
    pos, dist = neighbours.around(info.lat, info.lon, radius, exclude=info.id, also=CONTROL)
    if not len(pos):
        return Finding(info.id, rule, p, False, ts)
    nearby = neighbours.stations.ids[pos].tolist()
    means = cache.get(hour, nearby)
    values = np.array([means[n][j] for n in nearby])
    control = np.isin(neighbours.stations.kinds[pos], CONTROL)
    has = np.isfinite(values)
    near = has & (dist <= radius)
    if near.any():
        reference = float(np.median(values[near]))
    elif (has & control).any():
        pick = has & control
        reference = float(values[pick][np.argmin(dist[pick])])
    else:
        return Finding(info.id, rule, p, False, ts)
    value = float(own[j])
    ratio, margin = rule.ratio or 1.5, rule.threshold or 0.0
    holds = value > reference * ratio and value - reference > margin
    release = value <= reference * ratio * (1 - HYSTERESIS) or value - reference <= margin * (
        1 - HYSTERESIS
    )
    return Finding(info.id, rule, p, holds, ts, value, reference, release)


def apply(findings: list[Finding], stations: dict[int, StationInfo]) -> list[Alarm]:
    """Open, update or end alarms so that each holding finding has exactly one open alarm."""
    if not findings:
        return []
    open_alarms = {
        (a.station_id, a.rule_id, a.pollutant): a
        for a in Alarm.objects.filter(
            ended_at__isnull=True, station_id__in={f.station_id for f in findings}
        )
    }
    raised: list[Alarm] = []
    for f in findings:
        key = (f.station_id, f.rule.pk, f.pollutant)
        current = open_alarms.get(key)
        at = _utc(f.at)
        if f.holds and current is None:
            alarm = Alarm(
                station_id=f.station_id,
                grid_id=stations[f.station_id].grid_id,
                rule=f.rule,
                pollutant=f.pollutant,
                value=f.value,
                peak=f.value,
                reference=f.reference,
                started_at=at,
                last_seen_at=at,
                note=f.note[:200],
            )
            try:
                with transaction.atomic():
                    alarm.save()
            except IntegrityError:  # another ingestion opened it a moment ago
                continue
            open_alarms[key] = alarm
            raised.append(alarm)
        elif f.holds and current is not None:
            current.value = f.value
            if f.value is not None:
                current.peak = max(current.peak or f.value, f.value)
            current.last_seen_at = max(current.last_seen_at, at)
            current.save(update_fields=["value", "peak", "last_seen_at"])
        elif f.ends and current is not None and at >= current.last_seen_at:
            current.ended_at = at
            current.save(update_fields=["ended_at"])
            del open_alarms[key]
    if raised:
        alarms_raised.send(sender=Alarm, alarms=raised)
    return raised


def sweep_offline(now: dt.datetime | None = None) -> list[Alarm]:
    """Raise an offline alarm for every active station silent longer than its rule allows."""
    from gridgov.air.ingest import station_infos

    now = now or timezone.now()
    rules = [r for r in _active_rules() if r.kind == AlarmKind.OFFLINE]
    if not rules:
        return []
    stations = station_infos(list(Station.objects.filter(active=True).values_list("pk", flat=True)))
    last_seen = dict(
        Station.objects.filter(active=True, state__isnull=False).values_list("pk", "state__last_ts")
    )
    devices = {d.station_id: d for d in DeviceStatus.objects.filter(station_id__in=stations)}
    findings = []
    for sid, info in stations.items():
        note = device_note(devices.get(sid))
        for rule in rules:
            if not _applies(rule, info.kind):
                continue
            limit = (rule.minutes or 30) * 60
            seen = last_seen.get(sid)
            silent = seen is None or now.timestamp() - (seen + info.interval * 60) > limit
            findings.append(Finding(sid, rule, "", silent, int(now.timestamp()), note=note))
    return apply(findings, stations)


def device_note(status: DeviceStatus | None) -> str:
    """An offline alarm's note: what the HJ 212 receiver knows of the station's device. A
    station is silent when no reading has come for the rule's minutes, whether its device is
    connected (sending nothing usable) or not."""
    if status is None:
        return ""
    if status.connected:
        last = status.last_packet_at
        return _("设备在线但无有效数据（最近数据包 %(at)s）") % {
            "at": timezone.localtime(last).strftime("%Y-%m-%d %H:%M") if last else "—"
        }
    since = status.disconnected_at
    return _("设备已断开（%(at)s 起）") % {
        "at": timezone.localtime(since).strftime("%Y-%m-%d %H:%M") if since else "—"
    }


def may_acknowledge(user: Account) -> bool:
    """Acknowledging is acting on the alarm (air.change_alarm: the command office, the streets,
    the communities); those who only see alarms (reviewers, enforcers, grid members) may not."""
    return holds(user, "air.change_alarm")


def acknowledge_as(user: Account, alarm: Alarm, note: str = "") -> Alarm:
    """An account acknowledges an alarm it can see (the door has checked the scope: an alarm
    outside it is "no such alarm"); forbidden without the right to act on alarms."""
    if not may_acknowledge(user):
        raise DomainError.forbidden(_("无权确认报警"))
    return acknowledge(alarm, user, note)


@transaction.atomic
def acknowledge(alarm: Alarm, user: Account, note: str = "") -> Alarm:
    """Record the first acknowledgement (also made when the alarm's order is closed)."""
    locked = Alarm.objects.select_for_update().get(pk=alarm.pk)
    if locked.acknowledged_at is None:
        locked.acknowledged_at = timezone.now()
        locked.acknowledged_by = recorded_user(user)
        locked.note = note[:200]
        locked.save(update_fields=["acknowledged_at", "acknowledged_by", "note"])
    return locked
