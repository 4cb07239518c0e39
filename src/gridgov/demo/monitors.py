"""The sources' own monitors in the demo: three dust monitors on construction sites, three fume
monitors in restaurants, three power monitors (分表计电) in enterprises — registered through
`sources.monitor_services.save_monitor`, each with its device: a station of kind `emission`
(ST=31, hourly) by the monitor's MN, at its source — and a day of their uploads judged by the
same rules the receiver's hook runs (`sources.monitor_rules`): a site's PM10 over its limit, a
restaurant's fan on with the purifier off, a plant producing with its treatment off, and,
during the past orange warning, a plant that must stop still producing (on the warning's
compliance record).

The past hours are history, judged as they would have been then (`evaluate_monitor_hour` with
that hour's time, so their orders are as old as they would be). The last RECENT_HOURS full
hours are uploaded now: with `through_receiver` (the demo command) every device sends them
through an HJ 212 receiver of the process's own (demo/uploads.py), so they are stored as the
devices' readings and factors, answered, counted on the device status, and judged by the hook
the receiver feeds; without it (inside a transaction the receiver's threads cannot see: a
test's) the hook runs in place (`air.factor_hooks.deliver`). Either way the last hour's
exceedance opens an order due within the hour, waiting on the desk.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import connection
from django.utils import timezone

from gridgov.air import factor_hooks
from gridgov.demo.alarm import DEMO_DEVICE_PW, emission_station
from gridgov.demo.uploads import Upload, feed
from gridgov.emergency.models import AffectedSource, Warning
from gridgov.sources.categories import Category
from gridgov.sources.models import PollutionSource, Status
from gridgov.sources.monitor_models import MonitorFinding, SourceMonitor
from gridgov.sources.monitor_rules import evaluate_monitor_hour
from gridgov.sources.monitor_services import MonitorInput, save_monitor

PER_KIND = 3
LATE = dt.timedelta(minutes=8)  # a past hour's upload judged this long after the hour ended
RECENT_HOURS = 3  # the last full hours, uploaded now (through the receiver in the demo)


def _pick(rng: random.Random, category: str, n: int, skip: set[int]) -> list[PollutionSource]:
    found = list(
        PollutionSource.objects.filter(category=category, status=Status.ACTIVE)
        .exclude(pk__in=skip)
        .defer("geometry")
        .order_by("code")
    )
    return rng.sample(found, min(n, len(found)))


def _judge(m: SourceMonitor, hour: dt.datetime, values: dict[str, float | str]) -> None:
    evaluate_monitor_hour(m, hour, values, now=hour + dt.timedelta(hours=1) + LATE)


def _device(m: SourceMonitor) -> None:
    """The monitor's device: an emission station by its MN, where its source stands."""
    source = m.source
    emission_station(source, f"M-{m.mn}", f"{source.name}{m.name}", m.mn)


def _recent(
    rng: random.Random,
    this_hour: dt.datetime,
    dust: list[SourceMonitor],
    fume: list[SourceMonitor],
    power: list[SourceMonitor],
) -> list[Upload]:
    """The last full hours' uploads, clean but for the last site's PM10 in the last hour."""
    out = []
    for h in range(RECENT_HOURS, 0, -1):
        hour = this_hour - dt.timedelta(hours=h)
        for k, m in enumerate(dust):
            pm10 = round(60 + 50 * rng.random(), 1)
            tsp = round(pm10 * 1.6, 1)
            if k == len(dust) - 1 and h == 1:
                pm10, tsp = 186.0, 290.0  # 扬尘超标, just now
            out.append(Upload(m.mn, hour, {"a34002": pm10, "a34001": tsp, "LA": 52.0}))
        for m in fume:
            fume_mg = round(0.4 + rng.random(), 2)
            out.append(Upload(m.mn, hour, {"a34041": fume_mg, "fan": 1, "purifier": 1}))
        for m in power:
            out.append(Upload(m.mn, hour, {"pw01": 42.0, "pw02": 38.5, "pw11": 8.5, "pw12": 7.9}))
    return out


def seed_monitors(
    rng: random.Random, warning: Warning | None, *, through_receiver: bool = False
) -> int:
    """Register the monitors and their devices, judge their uploads (the last hours through
    the HJ 212 receiver with `through_receiver`, outside a transaction only); the findings
    made."""
    if SourceMonitor.objects.exists():
        return 0
    now = timezone.now()
    this_hour = timezone.localtime(now).replace(minute=0, second=0, microsecond=0)
    yesterday = this_hour.replace(hour=8) - dt.timedelta(days=1)
    stopped: list[int] = []
    limited: list[int] = []
    if warning is not None:
        rows = AffectedSource.objects.filter(warning=warning, category=Category.ENTERPRISE)
        stopped = list(
            rows.filter(suspend=True).order_by("source_id").values_list("source_id", flat=True)[:1]
        )
        limited = list(
            rows.filter(suspend=False).order_by("source_id").values_list("source_id", flat=True)[:1]
        )
    plants = [*PollutionSource.objects.filter(pk__in=stopped + limited).order_by("code")]
    plants += _pick(rng, Category.ENTERPRISE, PER_KIND - len(plants), {p.pk for p in plants})

    dust = [
        save_monitor(
            s.pk, MonitorInput(kind="dust", mn=f"SMD{i + 1:05d}", name="扬尘在线监测"), None
        )
        for i, s in enumerate(_pick(rng, Category.CONSTRUCTION_SITE, PER_KIND, set()))
    ]
    fume = [
        save_monitor(
            s.pk, MonitorInput(kind="fume", mn=f"SMF{i + 1:05d}", name="油烟在线监测"), None
        )
        for i, s in enumerate(_pick(rng, Category.RESTAURANT, PER_KIND, set()))
    ]
    power = [
        save_monitor(
            s.pk,
            MonitorInput(
                kind="power",
                mn=f"SMP{i + 1:05d}",
                name="分表计电",
                production_codes=["pw01", "pw02"],
                treatment_codes=["pw11", "pw12"],
            ),
            None,
        )
        for i, s in enumerate(plants)
    ]
    for m in [*dust, *fume, *power]:
        _device(m)
    before = MonitorFinding.objects.count()

    # A day of hourly uploads: clean, but for one exceeding hour per kind.
    for h in range(10):
        hour = yesterday + dt.timedelta(hours=h)
        for k, m in enumerate(dust):
            pm10 = round(60 + 50 * rng.random(), 1)
            if k == 0 and h == 2:
                pm10 = 212.0  # 扬尘超标
            _judge(m, hour, {"a34002": pm10, "a34001": round(pm10 * 1.6, 1), "LA": 62.0})
        for k, m in enumerate(fume):
            purifier = 0 if (k == 0 and h == 4) else 1  # 风机开、净化器关
            _judge(
                m, hour, {"a34041": round(0.4 + rng.random(), 2), "fan": 1, "purifier": purifier}
            )
        for k, m in enumerate(power):
            treat = 0.2 if (k == len(power) - 1 and h == 6) else 8.5  # 生产时治污设施未运行
            _judge(m, hour, {"pw01": 42.0, "pw02": 38.5, "pw11": treat, "pw12": 7.9})

    # The past warning: the plant that must stop ran on its second morning, the limited one ran
    # both lines.
    if warning is not None:
        morning = timezone.localtime(warning.starts_at).replace(hour=9) + dt.timedelta(days=1)
        for m in power:
            if m.source_id in stopped or m.source_id in limited:
                _judge(m, morning, {"pw01": 40.0, "pw02": 36.0, "pw11": 8.0, "pw12": 7.5})

    # The last full hours, uploaded now: a fresh exceedance to answer.
    recent = _recent(rng, this_hour, dust, fume, power)
    if through_receiver and not connection.in_atomic_block:
        feed(recent, DEMO_DEVICE_PW)
    else:
        for u in recent:
            factor_hooks.deliver(u.mn, u.hour, "2061", dict(u.values))
    return MonitorFinding.objects.count() - before
