"""Declaring and ending a heavy-pollution warning (预警): checks, commands, early end."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from gridgov import inputs
from gridgov.core.actor import Account, recorded_user, required_user
from gridgov.emergency.models import AffectedSource, Level, Measure, Warning
from gridgov.emergency.services import (
    ACK_HOURS,
    CATEGORY_ORDER,
    MAX_AHEAD,
    MAX_BACKDATE,
    MAX_LENGTH,
    MAX_REASON,
    SUSPEND_LISTED,
    Conflict,
    EmergencyError,
    NoSuchWarning,
    NotAllowed,
    _receivers,
    can_declare,
    reached_by,
)
from gridgov.inbox import commands as command_service
from gridgov.inbox.commands import CommandError
from gridgov.inbox.models import Command
from gridgov.sources import categories
from gridgov.territory.models import Region

if TYPE_CHECKING:
    from gridgov.emergency.services import Reached


# ---------------------------------------------------------------------------- declaring --


def _check_moment(name: str, value: Any) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        raise EmergencyError(name, _("请填写时间"))
    if timezone.is_naive(value):
        raise EmergencyError(name, _("时间须带时区"))
    inputs.check_date(name, value.date(), inputs.QUERY_YEARS)
    return value


def _check_level(level: Any) -> int:
    if not isinstance(level, int) or isinstance(level, bool) or level not in Level.values:
        raise EmergencyError("level", _("预警级别须为 1（黄色）、2（橙色）或 3（红色）"))
    return level


def _check_reason(reason: Any, name: str = "reason") -> str:
    if not isinstance(reason, str) or not reason.strip():
        raise EmergencyError(name, _("请填写理由"))
    text = inputs.check_text(name, reason.strip())
    if len(text) > MAX_REASON:
        raise EmergencyError(name, _("理由不能超过 %(n)s 字") % {"n": MAX_REASON})
    return text


@dataclass
class Declared:
    warning: Warning
    superseded: list[Warning] = field(default_factory=list)
    commands: list[Command] = field(default_factory=list)
    unreached: list[Region] = field(default_factory=list)  # streets with nobody to receive


def check_period(starts_at: Any, ends_at: Any, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    starts_at = _check_moment("starts_at", starts_at)
    ends_at = _check_moment("ends_at", ends_at)
    if starts_at < now - MAX_BACKDATE:
        raise EmergencyError("starts_at", _("开始时间不能早于 24 小时前"))
    if starts_at > now + MAX_AHEAD:
        raise EmergencyError("starts_at", _("开始时间不能晚于 7 天后"))
    if ends_at <= starts_at:
        raise EmergencyError("ends_at", _("结束时间须晚于开始时间"))
    if ends_at - starts_at > MAX_LENGTH:
        raise EmergencyError("ends_at", _("预警时长不能超过 14 天"))
    return starts_at, ends_at


def declare(
    user: Account,
    level: Any,
    starts_at: Any,
    ends_at: Any,
    reason: Any,
    *,
    now: dt.datetime | None = None,
) -> Declared:
    """发布预警: record the warning, supersede any warning overlapping its period (it ends at
    the new start), fix the sources it reaches, and issue one command per street."""
    now = now or timezone.now()
    if not can_declare(user):
        raise NotAllowed("user", _("只有指挥中心可以发布或解除预警"))
    level = _check_level(level)
    starts_at, ends_at = check_period(starts_at, ends_at, now)
    reason = _check_reason(reason)
    reached = reached_by(level)
    with transaction.atomic():
        overlapping = list(
            Warning.objects.select_for_update()
            .filter(starts_at__lt=ends_at)
            .filter(
                Q(ended_early_at__isnull=True, ends_at__gt=starts_at)
                | Q(ended_early_at__gt=starts_at)
            )
            .order_by("starts_at")
        )
        warning = Warning.objects.create(
            level=level,
            starts_at=starts_at,
            ends_at=ends_at,
            reason=reason,
            declared_by=required_user(user),
            declared_at=now,
        )
        for old in overlapping:
            old.ended_early_at = max(starts_at, old.starts_at)
            old.ended_by = recorded_user(user)
            old.superseded_by = warning
            old.save(update_fields=["ended_early_at", "ended_by", "superseded_by"])
        rows = AffectedSource.objects.bulk_create(
            [
                AffectedSource(
                    warning=warning,
                    source=r.source,
                    category=r.source.category,
                    street=r.street,
                    community=r.community,
                    region_path=r.source.region_path,
                    suspend=r.suspend,
                    interval_days=r.interval_days,
                )
                for r in reached
            ]
        )
        links = AffectedSource.measures.through
        links.objects.bulk_create(
            [
                links(affectedsource_id=row.pk, measure_id=m.pk)
                for row, r in zip(rows, reached, strict=True)
                for m in r.measures
            ]
        )
        done = Declared(warning, superseded=overlapping)
        # Commands are records sent to the units: written in Chinese whatever the declarer's
        # page language.
        with translation.override("zh-hans"):
            _issue_commands(done, user, reached, now)
    return done


def _issue_commands(
    done: Declared, user: Account, reached: list[Reached], now: dt.datetime
) -> None:
    warning = done.warning
    due_at = max(warning.starts_at, now) + dt.timedelta(hours=ACK_HOURS)
    by_street: dict[int, list[Reached]] = defaultdict(list)
    for r in reached:
        by_street[r.street.pk].append(r)
    for street_rows in sorted(by_street.values(), key=lambda rs: rs[0].street.code):
        street = street_rows[0].street
        units = _receivers(street, street_rows)
        if not units:
            done.unreached.append(street)
            continue
        title = _("%(level)s：%(street)s落实重污染天气应急措施") % {
            "level": warning.get_level_display(),
            "street": street.name,
        }
        try:
            command = command_service.issue(
                user,
                title=title,
                body=command_body(warning, street, street_rows),
                due_at=due_at,
                units=units,
                now=now,
            )
        except CommandError as exc:  # pragma: no cover - checked above
            raise EmergencyError("units", str(exc)) from exc
        warning.commands.add(command)
        done.commands.append(command)


def command_body(warning: Warning, street: Region, rows: list[Reached]) -> str:
    """What one street is told: the level and period, the measures by front with how many of
    its sources each reaches, and the sources that must suspend, by community."""
    local = timezone.localtime
    lines = [
        _("%(level)s，%(start)s 至 %(end)s。")
        % {
            "level": warning.get_level_display(),
            "start": local(warning.starts_at).strftime("%Y-%m-%d %H:%M"),
            "end": local(warning.ends_at).strftime("%Y-%m-%d %H:%M"),
        },
        _("理由：%(reason)s") % {"reason": warning.reason},
        "",
        _("请在 %(hours)s 小时内签收并落实以下措施：") % {"hours": ACK_HOURS},
    ]
    by_category: dict[str, list[Reached]] = defaultdict(list)
    for r in rows:
        by_category[r.source.category].append(r)
    for category in sorted(by_category, key=CATEGORY_ORDER.index):
        reached = by_category[category]
        lines.append(
            _("【%(front)s】本辖区 %(n)s 处：")
            % {"front": categories.LABELS[category], "n": len(reached)}
        )
        counts: dict[int, int] = defaultdict(int)
        measures: dict[int, Measure] = {}
        for r in reached:
            for m in r.measures:
                counts[m.pk] += 1
                measures[m.pk] = m
        for pk, m in sorted(measures.items(), key=lambda kv: (kv[1].level, kv[0])):
            lines.append(_("  · %(text)s（%(n)s 处）") % {"text": m.text, "n": counts[pk]})
    stopping = [r for r in rows if r.suspend]
    if stopping:
        lines += ["", _("须停工停产的污染源：")]
        by_community: dict[str, list[Reached]] = defaultdict(list)
        for r in stopping:
            by_community[r.community.name].append(r)
        listed = 0
        for name in sorted(by_community):
            items = by_community[name]
            shown = items[: max(0, SUSPEND_LISTED - listed)]
            listed += len(shown)
            text = "、".join(f"{r.source.name}（{r.source.code}）" for r in shown)
            more = len(items) - len(shown)
            if more:
                text += _(" 等，另 %(n)s 处") % {"n": more}
            lines.append(f"  {name}：{text}")
    lines += ["", _("应急期间每日巡查，检查结果在巡查系统中记录。")]
    return "\n".join(lines)


def end_early(
    user: Account,
    warning_id: int,
    at: dt.datetime | None,
    reason: Any,
    *,
    now: dt.datetime | None = None,
) -> Warning:
    """提前解除: the warning ends at `at` (now by default; not before it started, not more
    than a day back), with the reason recorded."""
    now = now or timezone.now()
    if not can_declare(user):
        raise NotAllowed("user", _("只有指挥中心可以发布或解除预警"))
    at = now if at is None else _check_moment("at", at)
    reason = _check_reason(reason)
    with transaction.atomic():
        warning = Warning.objects.select_for_update().filter(pk=warning_id).first()
        if warning is None:
            raise NoSuchWarning("warning", _("预警不存在"))
        if warning.ended_early_at is not None:
            raise Conflict("warning", _("该预警已解除"))
        if warning.ends_at <= now:
            raise Conflict("warning", _("该预警已结束"))
        if at < warning.starts_at:
            raise EmergencyError("at", _("解除时间不能早于预警开始时间"))
        if at < now - MAX_BACKDATE:
            raise EmergencyError("at", _("解除时间不能早于 24 小时前"))
        if at >= warning.ends_at:
            raise EmergencyError("at", _("解除时间须早于原定结束时间"))
        warning.ended_early_at = at
        warning.ended_by = recorded_user(user)
        warning.end_reason = reason
        warning.save(update_fields=["ended_early_at", "ended_by", "end_reason"])
    return warning


def warnings_for(user: Account) -> Any:
    """Every warning: a declared level is district-wide and every account may see it (the
    record's figures are scoped, see `compliance`)."""
    return Warning.objects.all().order_by("-starts_at", "-pk")
