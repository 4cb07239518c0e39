"""The sources' own monitors in the demo: three dust monitors on construction sites, three fume
monitors in restaurants, three power monitors (分表计电) in enterprises — registered through
`sources.monitor_services.save_monitor` — and a day of their uploads judged by the same rules
the receiver's hook runs (`sources.monitor_rules`): a site's PM10 over its limit, a restaurant's
fan on with the purifier off, a plant producing with its treatment off, and, during the past
orange warning, a plant that must stop still producing (on the warning's compliance record).

The past hours are judged as they would have been then (`evaluate_monitor_hour` with that
hour's time, so their orders are as old as they would be); the last full hour goes through the
hook itself (`air.factor_hooks.deliver`, as the receiver's worker calls it), so a fresh order
due within the hour waits on the desk.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from gridgov.air import factor_hooks
from gridgov.emergency.models import AffectedSource, Warning
from gridgov.sources.categories import Category
from gridgov.sources.models import PollutionSource, Status
from gridgov.sources.monitor_models import MonitorFinding, SourceMonitor
from gridgov.sources.monitor_rules import evaluate_monitor_hour
from gridgov.sources.monitor_services import MonitorInput, save_monitor

PER_KIND = 3
LATE = dt.timedelta(minutes=8)  # a past hour's upload judged this long after the hour ended


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


def seed_monitors(rng: random.Random, warning: Warning | None) -> int:
    """Register the monitors, judge their uploads; the findings made."""
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

    # The last full hour, through the receiver's hook: a fresh exceedance to answer.
    if dust:
        last = this_hour - dt.timedelta(hours=1)
        factor_hooks.deliver(dust[-1].mn, last, "2061", {"a34002": 186.0, "a34001": 290.0})
    return MonitorFinding.objects.count() - before
