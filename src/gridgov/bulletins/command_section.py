"""The bulletin's section on commands (指令签收情况): the receipts not signed for by the period's
end, read from the inbox (which the bulletins stand on)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from gridgov.bulletins.periods import Period
from gridgov.bulletins.shapes import Section, Table, UnitReader, day_bounds
from gridgov.inbox.commands import not_acknowledged
from gridgov.territory.models import Region


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
