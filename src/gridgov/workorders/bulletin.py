"""The work orders' part of the dispatch bulletin (调度通报): the orders by unit, in the work
section (registered in gridgov.bulletins.sections when the app is ready)."""

from __future__ import annotations

from typing import Any

from gridgov.bulletins import sections
from gridgov.bulletins.periods import Period
from gridgov.bulletins.shapes import (
    LEVEL_KEYS,
    LEVEL_NAMES,
    Section,
    Table,
    UnitReader,
    unit_finder,
)
from gridgov.territory import ladder
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
    """Orders received, closed, open, overdue and escalated in the period, by unit; those the
    reporter re-opened as not fixed (结案未解决/重新打开) and the reporters' satisfaction."""
    level = ladder.sub_unit_level(region.level)
    by = LEVEL_KEYS[Level(level)]
    unit_name = LEVEL_NAMES[Level(level)]
    stats = order_stats(reader, period.start, period.end, by, min_orders=1)
    escalated = escalated_by_unit(reader, period, level)
    orders = sorted([*stats["ranked"], *stats["apart"]], key=lambda s: s["key"])
    for s in orders:
        s["escalated"] = escalated.get(s["key"], 0)
    counted = ("received", "open", "closed", "overdue", "escalated", "public_closed", "reopened")
    total = {k: sum(s[k] for s in orders) for k in counted}
    section.paragraphs.append(
        f"本期受理工单{total['received']}件，已结案{total['closed']}件，"
        f"在办{total['open']}件；曾超期{total['overdue']}件，超期升级{total['escalated']}件。"
    )
    rated = sum(s["rated"] for s in orders)
    if total["reopened"] or rated:
        satisfied = sum(s["satisfied"] for s in orders)
        text = f"结案后群众反映未解决、申请重新办理{total['reopened']}件"
        if rated:
            text += f"；群众评价{rated}次，满意率{100 * satisfied / rated:.1f}%"
        section.paragraphs.append(text + "。")
    reopened = sorted(
        (s for s in orders if s["reopened"]), key=lambda s: (-s["reopened"], s["key"])
    )
    if reopened:
        section.paragraphs.append(
            "结案未解决工单较多的单位："
            + "、".join(f"{s['name']}（重新打开{s['reopened']}件）" for s in reopened[:3])
            + "，请核实整改到位后再结案。"
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
        [
            "单位",
            "受理",
            "已结案",
            "在办",
            "按时处置率",
            "超期",
            "超期升级",
            "退回",
            "重新打开",
            "群众满意率",
        ],
        ["@", "0", "0", "0", "0.0%", "0", "0", "0", "0", "0.0%"],
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
                s["reopened"],
                s["satisfaction_rate"],
            ]
        )
    section.tables.append(table)
    return "orders", {"by": by, "rows": orders, "total": total}


def register() -> None:
    sections.register_part("work", "orders", orders_part, 10)
