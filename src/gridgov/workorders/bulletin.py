"""The work orders' parts of the dispatch bulletin (调度通报): the orders by unit (in the work
section) and the commands not signed for (registered in gridgov.bulletins.sections when the
app is ready)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from gridgov.bulletins import sections
from gridgov.bulletins.periods import Period
from gridgov.bulletins.shapes import (
    LEVEL_KEYS,
    LEVEL_NAMES,
    Section,
    Table,
    UnitReader,
    day_bounds,
    unit_finder,
)
from gridgov.inbox.commands import not_acknowledged
from gridgov.inbox.models import Notification
from gridgov.inbox.notify import notify
from gridgov.territory.models import Level, Region
from gridgov.workorders.stats import escalated_paths, order_stats


def escalated_by_unit(reader: UnitReader, period: Period, level: int) -> dict[str, int]:
    """Orders created in the period (not voided) that were escalated, by unit code: the same
    orders `order_stats` counts."""
    find = unit_finder(reader, level)
    counts: dict[str, int] = {}
    for path in escalated_paths(reader, period.start, period.end):
        unit = find(path)
        if unit is not None:
            counts[unit.code] = counts.get(unit.code, 0) + 1
    return counts


def orders_part(
    section: Section, region: Region, period: Period, reader: UnitReader
) -> tuple[str, Any]:
    """Orders received, closed, open, overdue and escalated in the period, by unit."""
    level = min(region.level + 1, Level.COMMUNITY)
    by = LEVEL_KEYS[Level(level)]
    unit_name = LEVEL_NAMES[Level(level)]
    stats = order_stats(reader, period.start, period.end, by, min_orders=1)
    escalated = escalated_by_unit(reader, period, level)
    orders = sorted([*stats["ranked"], *stats["apart"]], key=lambda s: s["key"])
    for s in orders:
        s["escalated"] = escalated.get(s["key"], 0)
    total = {
        k: sum(s[k] for s in orders) for k in ("received", "open", "closed", "overdue", "escalated")
    }
    section.paragraphs.append(
        f"本期受理工单{total['received']}件，已结案{total['closed']}件，"
        f"在办{total['open']}件；曾超期{total['overdue']}件，超期升级{total['escalated']}件。"
    )
    late = [s for s in orders if s["overdue"] or s["escalated"]]
    if late:
        worst = sorted(late, key=lambda s: (-s["overdue"], -s["escalated"], s["key"]))[:3]
        section.paragraphs.append(
            "超期工单较多的单位："
            + "、".join(f"{s['name']}（超期{s['overdue']}件）" for s in worst)
            + "，请加快办理。"
        )
    table = Table(
        "工单办理",
        f"工单办理情况（按{unit_name}）",
        ["单位", "受理", "已结案", "在办", "按时处置率", "超期", "超期升级", "退回"],
        ["@", "0", "0", "0", "0.0%", "0", "0", "0"],
        empty="本期无工单",
    )
    for s in orders:
        table.rows.append(
            [
                s["name"],
                s["received"],
                s["closed"],
                s["open"],
                s["on_time_handle_rate"],
                s["overdue"],
                s["escalated"],
                s["returned"],
            ]
        )
    section.tables.append(table)
    return "orders", {"by": by, "rows": orders, "total": total}


def commands_section(region: Region, period: Period, reader: UnitReader) -> Section:
    """Receipts of commands issued by the period's end that were not acknowledged by then
    (recipients in the unit's subtree), with how long each has waited."""
    section = Section("commands", "指令签收情况")
    _lo, hi = day_bounds(period.start, period.end)
    as_of = min(hi, timezone.now())
    pending = (
        not_acknowledged(under=region.path, as_of=as_of)
        .select_related("command", "region")
        .defer("region__geometry")
        .order_by("region__code", "command__created_at", "pk")
    )
    table = Table(
        "指令未签收",
        "截至本期末未签收指令",
        ["接收单位", "指令", "下达时间", "完成时限", "未签收时长（小时）", "超过时限（小时）"],
        ["@", "@", "@", "@", "0.0", "0.0"],
        empty="无未签收指令",
    )
    rows: list[dict[str, Any]] = []
    for r in pending:
        waited = (as_of - r.command.created_at).total_seconds() / 3600
        late = max(0.0, (as_of - r.command.due_at).total_seconds() / 3600)
        rows.append(
            {
                "command": r.command_id,
                "unit": r.region.code,
                "unit_name": r.region.name,
                "title": r.command.title,
                "issued_at": r.command.created_at,
                "due_at": r.command.due_at,
                "hours_waiting": round(waited, 1),
                "hours_late": round(late, 1),
            }
        )
        table.rows.append(
            [
                r.region.name,
                r.command.title,
                f"{timezone.localtime(r.command.created_at):%Y-%m-%d %H:%M}",
                f"{timezone.localtime(r.command.due_at):%Y-%m-%d %H:%M}",
                round(waited, 1),
                round(late, 1),
            ]
        )
    section.tables.append(table)
    if rows:
        units = sorted({r["unit_name"] for r in rows})
        late_n = sum(1 for r in rows if r["hours_late"] > 0)
        section.paragraphs.append(
            f"截至本期末，{len(units)}个单位共{len(rows)}人次指令未签收，其中{late_n}人次"
            f"已超过完成时限：{'、'.join(units)}。请立即签收落实，闻令而动。"
        )
    else:
        section.paragraphs.append("截至本期末，下达的指令均已签收。")
    section.data = {"not_acknowledged": rows}
    return section


def notify_bulletin(persons: list[int], title: str, body: str, key: str) -> int:
    """A new bulletin, in the inbox of each of `persons`."""
    return notify(persons, Notification.Kind.BULLETIN, title, body=body, key=key)


def register() -> None:
    sections.register_notifier(notify_bulletin)
    sections.register_part("work", "orders", orders_part, 10)
    sections.register_section("commands", commands_section, 50)
