"""The rules of the sources' own monitors: one hour of a monitor's values → findings.

`evaluate_monitor_hour(monitor, hour, values)` checks one hour's values (by HJ 212 factor code)
against the monitor's thresholds (its own, else its category's `MonitorSettings`, else
`DEFAULTS`) and records each condition found as a `MonitorFinding` — once per source, rule and
hour, so a condition seen again in the same hour (another packet, a re-send, a second monitor of
the same site) finds nothing new. Each new finding goes to the openers (`register_opener`: the
app above that opens a work order returns its id).

- dust: the hourly PM10 (a34002) or TSP (a34001) mean above the limit → 扬尘超标; noise (LA)
  above the limit (at night, 22:00–06:00 China time, `NIGHT_NOISE_DROP` dB lower, as GB 12523
  has 70/55) → 噪声超标. Only hourly means (CN=2061) are judged.
- fume: the fume concentration above the limit → 油烟超标; the fan on and the purifier off →
  风机开启净化器未开.
- power: a production circuit running (current above the running threshold) while a treatment
  circuit is off → 生产时治污设施未运行; running while a warning in force stops the source
  (`register_restriction`: the emergency app says) → 预警停产期间生产; or with more production
  lines running than a limit measure allows (`limit_lines`, else half the lines) → 预警限产期间
  超限生产. A value at the limit is not over it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from gridgov.core.workcal import CST
from gridgov.sources.models import PollutionSource
from gridgov.sources.monitor_models import (
    MonitorFinding,
    MonitorKind,
    MonitorSettings,
    SourceMonitor,
)

log = logging.getLogger(__name__)

PM10, TSP, NOISE = "a34002", "a34001", "LA"
FUME_CODES = ("a34041", "fume")  # 油烟浓度 (mg/m³), as the loggers we know send it
FAN_CODES = ("fan",)
PURIFIER_CODES = ("purifier",)
ON_TEXT = {"1", "on", "run", "开", "开启", "运行"}
NIGHT_NOISE_DROP = 15.0
DEFAULTS: dict[str, float] = {
    "pm10_limit": 150.0,  # µg/m³, hourly mean
    "tsp_limit": 300.0,  # µg/m³, hourly mean
    "noise_limit": 70.0,  # dB(A), day (GB 12523-2011)
    "fume_limit": 2.0,  # mg/m³ (GB 18483-2001)
    "running_current": 1.0,  # A
}
THRESHOLDS = tuple(DEFAULTS)

Value = float | str
Rule = MonitorFinding.Rule


@dataclass(frozen=True)
class Restriction:
    """A warning in force whose measures reach the source: stop (`suspend`) or limit."""

    warning_id: int
    suspend: bool
    text: str = ""


RestrictionSource = Callable[[PollutionSource, dt.datetime], list[Restriction]]
Opener = Callable[[MonitorFinding, dt.datetime], int | None]
_RESTRICTIONS: list[RestrictionSource] = []
_OPENERS: list[Opener] = []


def register_restriction(fn: RestrictionSource) -> RestrictionSource:
    if fn not in _RESTRICTIONS:
        _RESTRICTIONS.append(fn)
    return fn


def register_opener(fn: Opener) -> Opener:
    if fn not in _OPENERS:
        _OPENERS.append(fn)
    return fn


def restrictions(source: PollutionSource, at: dt.datetime) -> list[Restriction]:
    return [r for fn in _RESTRICTIONS for r in fn(source, at)]


# ------------------------------------------------------------------------------ thresholds --


def thresholds(monitor: SourceMonitor) -> dict[str, float]:
    """The monitor's thresholds: its own, else its category's settings, else the defaults."""
    row = MonitorSettings.objects.filter(
        category=monitor.source.category, kind=monitor.kind
    ).first()
    out = {}
    for name in THRESHOLDS:
        own = getattr(monitor, name)
        shared = getattr(row, name) if row is not None else None
        out[name] = float(
            own if own is not None else shared if shared is not None else DEFAULTS[name]
        )
    return out


def _number(value: Value | None) -> float | None:
    """A finite number, or None (absent, text, NaN or infinite: no evidence either way)."""
    if value is None:
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _first(values: dict[str, Value], codes: tuple[str, ...]) -> Value | None:
    lowered = {k.lower(): v for k, v in values.items()}
    for code in codes:
        if code.lower() in lowered:
            return lowered[code.lower()]
    return None


def is_on(value: Value | None) -> bool | None:
    """A switch state: a number above 0 is on; on/off words; None when absent or unreadable."""
    if value is None:
        return None
    number = _number(value)
    if number is not None:
        return number > 0
    text = str(value).strip().lower()
    if text in ON_TEXT:
        return True
    if text in {"0", "off", "stop", "关", "关闭", "停止"}:
        return False
    return None


# ----------------------------------------------------------------------------------- rules --


@dataclass
class Condition:
    rule: str
    value: float | None
    limit: float | None
    detail: str
    warning_id: int | None = None


def _over(value: Value | None, limit: float) -> float | None:
    number = _number(value)
    return number if number is not None and number > limit else None


def dust_conditions(
    values: dict[str, Value], limits: dict[str, float], hour: dt.datetime
) -> list[Condition]:
    out = []
    pm10 = _over(_first(values, (PM10,)), limits["pm10_limit"])
    tsp = _over(_first(values, (TSP,)), limits["tsp_limit"])
    if pm10 is not None:
        out.append(Condition(Rule.DUST, pm10, limits["pm10_limit"], f"PM10 {pm10:g} µg/m³"))
    elif tsp is not None:
        out.append(Condition(Rule.DUST, tsp, limits["tsp_limit"], f"TSP {tsp:g} µg/m³"))
    local = hour.astimezone(CST).hour
    night = local >= 22 or local < 6
    noise_limit = limits["noise_limit"] - (NIGHT_NOISE_DROP if night else 0)
    noise = _over(_first(values, (NOISE,)), noise_limit)
    if noise is not None:
        when = "夜间" if night else "昼间"
        out.append(Condition(Rule.NOISE, noise, noise_limit, f"{when}噪声 {noise:g} dB(A)"))
    return out


def fume_conditions(values: dict[str, Value], limits: dict[str, float]) -> list[Condition]:
    out = []
    fume = _over(_first(values, FUME_CODES), limits["fume_limit"])
    if fume is not None:
        out.append(Condition(Rule.FUME, fume, limits["fume_limit"], f"油烟浓度 {fume:g} mg/m³"))
    fan, purifier = is_on(_first(values, FAN_CODES)), is_on(_first(values, PURIFIER_CODES))
    if fan is True and purifier is False:
        out.append(Condition(Rule.PURIFIER_OFF, None, None, "风机开启，净化器关闭"))
    return out


def power_conditions(
    monitor: SourceMonitor,
    values: dict[str, Value],
    limits: dict[str, float],
    found: list[Restriction],
) -> list[Condition]:
    running = limits["running_current"]
    lowered = {k.lower(): v for k, v in values.items()}

    def state(code: str) -> bool | None:
        number = _number(lowered.get(str(code).lower()))
        return None if number is None else number > running

    lines = [str(c) for c in monitor.production_codes]
    producing = [c for c in lines if state(c)]
    if not producing:
        return []
    out = []
    off = [str(c) for c in monitor.treatment_codes if state(c) is False]
    if off:
        detail = f"生产线 {'、'.join(producing)} 运行，治污设施 {'、'.join(off)} 未运行"
        out.append(Condition(Rule.TREATMENT_OFF, float(len(off)), None, detail[:200]))
    stop = next((r for r in found if r.suspend), None)
    if stop is not None:
        detail = f"预警停产期间生产线 {'、'.join(producing)} 运行"
        out.append(
            Condition(Rule.WARNING_STOP, float(len(producing)), 0.0, detail[:200], stop.warning_id)
        )
    elif found:
        allowed = monitor.limit_lines if monitor.limit_lines is not None else len(lines) // 2
        if len(producing) > allowed:
            detail = f"预警限产期间 {len(producing)} 条生产线运行（限 {allowed} 条）"
            out.append(
                Condition(
                    Rule.WARNING_LIMIT,
                    float(len(producing)),
                    float(allowed),
                    detail,
                    found[0].warning_id,
                )
            )
    return out


def evaluate_monitor_hour(
    monitor: SourceMonitor,
    hour: dt.datetime,
    values: dict[str, Value],
    *,
    now: dt.datetime | None = None,
) -> list[MonitorFinding]:
    """Judge one hour of the monitor's values; the findings it made (none already known)."""
    now = now or timezone.now()
    hour = hour.replace(minute=0, second=0, microsecond=0)
    if not monitor.active:
        return []
    source = monitor.source
    limits = thresholds(monitor)
    if monitor.kind == MonitorKind.DUST:
        found = dust_conditions(values, limits, hour)
    elif monitor.kind == MonitorKind.FUME:
        found = fume_conditions(values, limits)
    else:
        found = power_conditions(monitor, values, limits, restrictions(source, hour))
    made = []
    for c in found:
        finding = _record(monitor, hour, c, now)
        if finding is not None:
            made.append(finding)
    for finding in made:
        _open(finding, now)
    return made


def _record(
    monitor: SourceMonitor, hour: dt.datetime, c: Condition, now: dt.datetime
) -> MonitorFinding | None:
    source = monitor.source
    if MonitorFinding.objects.filter(source=source, rule=c.rule, hour=hour).exists():
        return None
    try:
        with transaction.atomic():
            return MonitorFinding.objects.create(
                source=source,
                monitor=monitor,
                rule=c.rule,
                hour=hour,
                value=c.value,
                limit=c.limit,
                detail=c.detail[:200],
                warning_id=c.warning_id,
                region_path=source.region_path,
                created_at=now,
            )
    except IntegrityError:  # the same condition found at the same moment by another packet
        return None


def _open(finding: MonitorFinding, now: dt.datetime) -> None:
    for fn in _OPENERS:
        try:
            order_id = fn(finding, now)
        except Exception:
            log.exception("opening an order for finding %s failed", finding.pk)
            continue
        if order_id is not None:
            finding.order_id = order_id
            MonitorFinding.objects.filter(pk=finding.pk).update(order_id=order_id)
            return


# ----------------------------------------------------------------- the receiver's hook --

_mns: set[str] = set()
_mns_loaded_at: float | None = None
MNS_TTL = 60.0  # seconds the set of watched MNs is kept off the receiver (a save clears it)


def clear_cache(*_args: Any, **_kwargs: Any) -> None:
    global _mns_loaded_at
    _mns_loaded_at = None


def reload_mns() -> None:
    """Read the active monitors' MNs (the receiver calls it, through `factor_hooks.refresh`,
    in the thread that re-reads its stations)."""
    global _mns, _mns_loaded_at
    _mns = set(SourceMonitor.objects.filter(active=True).values_list("mn", flat=True))
    _mns_loaded_at = time.monotonic()


def watches(mn: str) -> bool:
    """Whether an active monitor has this MN: an in-memory set. On the receiver's event loop
    (no database there) the set in hand answers, re-read with the stations; elsewhere (tools,
    the demo, tests) a stale set is re-read in place."""
    stale = _mns_loaded_at is None or time.monotonic() - _mns_loaded_at > MNS_TTL
    if stale:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            reload_mns()
    return mn in _mns


def on_factor_values(mn: str, at: dt.datetime, cn: str, values: dict[str, Value]) -> None:
    """The receiver's hook: a committed packet of a watched MN, judged for its hour. Dust is
    judged on hourly means only (CN=2061); fume and power on any upload."""
    for monitor in SourceMonitor.objects.filter(mn=mn, active=True).select_related("source"):
        if monitor.kind == MonitorKind.DUST and cn != "2061":
            continue
        evaluate_monitor_hour(monitor, at, values)
