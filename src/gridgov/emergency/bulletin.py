"""The emergency's section of the dispatch bulletin: the warnings of the period and how each
was carried out (registered in gridgov.bulletins.sections when the app is ready)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from gridgov.bulletins import sections
from gridgov.bulletins.periods import Period
from gridgov.bulletins.shapes import (
    Section,
    Table,
    UnitReader,
    day_bounds,
)
from gridgov.emergency import services as emergency
from gridgov.emergency.figures import warnings_between
from gridgov.emergency.models import Warning as EmergencyWarning
from gridgov.territory.models import Region


def warnings_in(period: Period) -> list[EmergencyWarning]:
    return warnings_between(*day_bounds(period.start, period.end))


def emergency_section(region: Region, period: Period, reader: UnitReader) -> Section:
    section = Section("emergency", "重污染天气应急管控情况")
    found = warnings_in(period)
    _lo, hi = day_bounds(period.start, period.end)
    as_of = min(hi, timezone.now())
    records: list[dict[str, Any]] = []
    for w in found:
        record = emergency.compliance(w, reader, as_of)
        t = record.total
        coverage = f"{100 * t.coverage:.1f}%" if t.coverage is not None else "—"
        section.paragraphs.append(
            f"{timezone.localtime(w.starts_at):%-m月%-d日%H时}启动{w.get_level_display()}，"
            f"涉及污染源{t.sources}个，应巡查{t.required}次，已巡查{t.inspected}次"
            f"（覆盖率{coverage}），不合格{t.failed}次；"
            f"停工停产源{t.suspend_sources}个，检查{t.suspend_checks}次，"
            f"发现违规{t.suspend_violations}次；"
            f"指令接收{t.recipients}人次，已签收{t.acknowledged}、按时完成{t.completed_on_time}。"
        )
        table = Table(
            f"应急-{w.get_level_display()}-{timezone.localtime(w.starts_at):%-m月%-d日}",
            f"{w.get_level_display()}（{timezone.localtime(w.starts_at):%Y-%m-%d %H:%M}起）"
            f"各街道（镇）落实情况",
            [
                "单位",
                "涉及污染源",
                "应巡查",
                "已巡查",
                "覆盖率",
                "不合格",
                "停产源违规",
                "指令签收",
            ],
            ["@", "0", "0", "0", "0.0%", "0", "0", "@"],
        )
        for f in record.streets:
            table.rows.append(
                [
                    f.name,
                    f.sources,
                    f.required,
                    f.inspected,
                    f.coverage,
                    f.failed,
                    f.suspend_violations,
                    f"{f.acknowledged}/{f.recipients}",
                ]
            )
        section.tables.append(table)
        records.append(
            {
                "warning": w.pk,
                "level": w.level,
                "starts_at": w.starts_at,
                "ends_at": w.effective_end,
                "total": {
                    "sources": t.sources,
                    "required": t.required,
                    "inspected": t.inspected,
                    "coverage": t.coverage,
                    "failed": t.failed,
                    "suspend_violations": t.suspend_violations,
                    "recipients": t.recipients,
                    "acknowledged": t.acknowledged,
                },
            }
        )
    if not found:
        section.paragraphs.append("本期未启动重污染天气预警。")
    section.data = {"warnings": records}
    return section


def register() -> None:
    sections.register_section("emergency", emergency_section, 40)
