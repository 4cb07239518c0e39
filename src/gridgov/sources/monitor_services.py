"""Registering a source's own monitors: the one write path (the admin, the demo, tools).

A monitor's kind must suit the source's category (dust: construction sites and road sections;
fume: restaurants; power: enterprises); its MN is an HJ 212 MN (letters and digits, at most
24), one per source; power monitors name their production and treatment circuit codes (each at
most 20 characters, a code in one list only); thresholds are positive when set.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov import inputs
from gridgov.core.actor import Reader
from gridgov.sources.categories import Category
from gridgov.sources.models import PollutionSource
from gridgov.sources.monitor_models import MonitorKind, SourceMonitor
from gridgov.sources.services import SourceError, sources_for

KIND_CATEGORIES: dict[str, set[str]] = {
    MonitorKind.DUST: {Category.CONSTRUCTION_SITE, Category.ROAD_SECTION},
    MonitorKind.FUME: {Category.RESTAURANT},
    MonitorKind.POWER: {Category.ENTERPRISE},
}
MN_RE = re.compile(r"^[A-Za-z0-9]{1,24}$")
CODE_RE = re.compile(r"^[A-Za-z0-9_.]{1,20}$")
MAX_CODES = 32
THRESHOLD_FIELDS = ("pm10_limit", "tsp_limit", "noise_limit", "fume_limit", "running_current")


@dataclass
class MonitorInput:
    kind: str
    mn: str
    name: str = ""
    production_codes: list[str] = field(default_factory=list)
    treatment_codes: list[str] = field(default_factory=list)
    limit_lines: int | None = None
    thresholds: dict[str, float | None] = field(default_factory=dict)
    active: bool = True


def checked(source: PollutionSource, data: MonitorInput, pk: int | None = None) -> dict[str, Any]:
    """The monitor's column values, or SourceError naming the field."""
    if data.kind not in KIND_CATEGORIES:
        raise SourceError("kind", _("监控类型应为 dust、fume 或 power"))
    if source.category not in KIND_CATEGORIES[data.kind]:
        raise SourceError("kind", _("该类别的污染源不能登记此类监控"))
    mn = (data.mn or "").strip()
    if not MN_RE.match(mn):
        raise SourceError("mn", _("MN 应为 1–24 位字母或数字"))
    same = SourceMonitor.objects.filter(source=source, mn=mn)
    if (same if pk is None else same.exclude(pk=pk)).exists():
        raise SourceError("mn", _("该污染源已登记此 MN"))
    lists = {}
    for name in ("production_codes", "treatment_codes"):
        codes = [str(c).strip() for c in getattr(data, name) or [] if str(c).strip()]
        if len(codes) > MAX_CODES or any(not CODE_RE.match(c) for c in codes):
            raise SourceError(name, _("回路编码为 1–20 位字母数字，至多 32 个"))
        if data.kind != MonitorKind.POWER and codes:
            raise SourceError(name, _("只有分表计电监控有回路编码"))
        lists[name] = list(dict.fromkeys(codes))
    if set(lists["production_codes"]) & set(lists["treatment_codes"]):
        raise SourceError("treatment_codes", _("同一回路不能既是生产线又是治污设施"))
    if data.kind == MonitorKind.POWER and not lists["production_codes"]:
        raise SourceError("production_codes", _("分表计电监控须列出生产线回路"))
    values: dict[str, Any] = {}
    for name in THRESHOLD_FIELDS:
        value = data.thresholds.get(name)
        if value is not None and not (0 < float(value) < 1e6):
            raise SourceError(name, _("阈值应为正数"))
        values[name] = None if value is None else float(value)
    if data.limit_lines is not None and not 0 <= data.limit_lines <= MAX_CODES:
        raise SourceError("limit_lines", _("限产时可运行生产线数超出范围"))
    name = (data.name or "").strip()
    if len(name) > 60 or inputs.bad_char(name):
        raise SourceError("name", _("名称至多 60 字，且不能含控制字符"))
    return {
        "kind": data.kind,
        "mn": mn,
        "name": name,
        "limit_lines": data.limit_lines,
        "active": data.active,
        **lists,
        **values,
    }


def save_monitor(
    source_id: int, data: MonitorInput, user: Reader | None, pk: int | None = None
) -> SourceMonitor:
    """Register (or, with `pk`, change) a monitor of a source the account may see (`user`
    None: a write of the system's own, the demo or a tool, as `create_source`)."""
    found = PollutionSource.objects.all() if user is None else sources_for(user)
    source = found.filter(pk=source_id).first()
    if source is None:
        raise SourceError("source", _("污染源不存在或不在管辖范围内"))
    values = checked(source, data, pk)
    with transaction.atomic():
        if pk is None:
            return SourceMonitor.objects.create(source=source, created_at=timezone.now(), **values)
        monitor = SourceMonitor.objects.select_for_update().get(pk=pk, source=source)
        for name, value in values.items():
            setattr(monitor, name, value)
        monitor.save()
        return monitor
