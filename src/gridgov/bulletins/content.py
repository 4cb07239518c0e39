"""What a dispatch bulletin (调度通报) says, as plain data: a list of numbered sections, each with
its paragraphs, tables, charts and a JSON snapshot of its figures. The PDF and the Excel file
are drawn from this, and the stored bulletin keeps the snapshot.

The shapes are in `shapes`, the air sections in `air_sections`. Every figure comes from the
domain functions the pages and the API use (air.assessment,
workorders.stats, inspections.plans, enforcement.services, emergency.services), read with the
scope of the bulletin's unit (`UnitReader`): a street's bulletin shows what that street's own
office would see, the district's what the command office sees.

The document text is Chinese only: a bulletin is an official document (公文) of a Chinese
office, and its wording (通报, 倒数三名) has no English form that the recipients would use.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.utils import timezone, translation

from gridgov.bulletins.air_sections import air_section, ranking_section
from gridgov.bulletins.periods import Period
from gridgov.bulletins.shapes import (
    LEVEL_KEYS,
    LEVEL_NAMES,
    Content,
    Section,
    Table,
    UnitReader,
    day_bounds,
    number,
)
from gridgov.emergency import services as emergency
from gridgov.emergency.figures import warnings_between
from gridgov.emergency.models import Warning as EmergencyWarning
from gridgov.enforcement import services as enforcement
from gridgov.inspections import plans
from gridgov.people import scope
from gridgov.territory.models import Level, Region
from gridgov.workorders.commands import not_acknowledged
from gridgov.workorders.stats import escalated_paths, order_stats

# --- 3. orders, inspections, cases by unit ---------------------------------------------------


def _unit_finder(reader: UnitReader, level: int) -> Callable[[str], Region | None]:
    units = {
        r.path: r
        for r in scope.regions_for(reader, Region.objects.filter(level=level)).defer("geometry")
    }

    def find(path: str) -> Region | None:
        parts = path.strip("/").split("/")
        if len(parts) < level:
            return None
        return units.get("/" + "/".join(parts[:level]) + "/")

    return find


def escalated_by_unit(reader: UnitReader, period: Period, level: int) -> dict[str, int]:
    """Orders created in the period (not voided) that were escalated, by unit code: the same
    orders `order_stats` counts."""
    find = _unit_finder(reader, level)
    counts: dict[str, int] = {}
    for path in escalated_paths(reader, period.start, period.end):
        unit = find(path)
        if unit is not None:
            counts[unit.code] = counts.get(unit.code, 0) + 1
    return counts


def work_section(region: Region, period: Period, reader: UnitReader) -> Section:
    section = Section("work", "工单、巡查与执法情况")
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

    inspection_rows = plans.statistics(reader, period.start, period.end, level)
    units = [r for r in inspection_rows if r.category == "" and r.unit_code]
    all_units = inspection_rows[-1]
    # What the period owed: the sources whose inspection interval fell due in it.
    *due_rows, due_total = plans.due_in_period(reader, period.start, period.end, level)
    due_by = {r.unit_code: r for r in due_rows}
    if due_total.due:
        owed = (
            f"本期按巡查周期应巡查污染源{due_total.due}处，已巡查{due_total.done}处"
            f"（{due_total.done}/{due_total.due}）"
        )
    else:
        owed = "本期无按巡查周期到期的污染源"
    section.paragraphs.append(
        f"{owed}；共巡查{all_units.inspections}次，发现问题{all_units.failed}次，"
        f"新开整改{all_units.rect_opened}项，完成整改{all_units.rect_closed}项；"
        f"当前超期未巡查{all_units.overdue_now}处。"
    )
    inspections = Table(
        "巡查检查",
        f"污染源巡查情况（按{unit_name}，应检为巡查周期在本期内到期的污染源）",
        [
            "单位",
            "应检（处）",
            "已检（处）",
            "完成率",
            "巡查次数",
            "不合格",
            "新开整改",
            "完成整改",
            "当前超期未巡查",
        ],
        ["@", "0", "0", "0.0%", "0", "0", "0", "0", "0"],
        empty="本期无污染源巡查数据",
    )
    codes = sorted({r.unit_code for r in units} | set(due_by))
    stat_by = {r.unit_code: r for r in units}
    inspection_data: list[dict[str, Any]] = []
    for code in codes:
        st, du = stat_by.get(code), due_by.get(code)
        name = st.unit_name if st is not None else du.unit_name if du is not None else code
        due, done = (du.due, du.done) if du is not None else (0, 0)
        inspections.rows.append(
            [
                name,
                due,
                done,
                done / due if due else None,
                st.inspections if st else 0,
                st.failed if st else 0,
                st.rect_opened if st else 0,
                st.rect_closed if st else 0,
                st.overdue_now if st else 0,
            ]
        )
    for st, owing in [*((r, due_by.get(r.unit_code)) for r in units), (all_units, due_total)]:
        inspection_data.append(
            {
                "unit": st.unit_code,
                "name": st.unit_name,
                "due": owing.due if owing is not None else 0,
                "due_inspected": owing.done if owing is not None else 0,
                "sources": st.sources,
                "inspected": st.inspected,
                "coverage": st.coverage,
                "inspections": st.inspections,
                "failed": st.failed,
                "rect_opened": st.rect_opened,
                "rect_closed": st.rect_closed,
                "overdue_now": st.overdue_now,
            }
        )
    section.tables.append(inspections)

    cases = enforcement.statistics(reader, period.start, period.end)
    case_rows = cases["by"]["unit"]
    section.paragraphs.append(
        f"本期立案{cases['total']['opened']}件，结案{cases['total']['closed']}件，"
        f"超期未结{cases['total']['overdue']}件，罚款{cases['total']['fines']}元。"
    )
    case_table = Table(
        "执法案件",
        "执法案件情况（按街道/镇）",
        ["单位", "立案", "结案", "按时结案", "撤销", "超期", "罚款（元）"],
        ["@", "0", "0", "0", "0", "0", "#,##0.00"],
        empty="本期无执法案件",
    )
    for c in case_rows:
        case_table.rows.append(
            [
                c["label"],
                c["opened"],
                c["closed"],
                c["closed_on_time"],
                c["withdrawn"],
                c["overdue"],
                float(c["fines"]),
            ]
        )
    section.tables.append(case_table)
    section.data = {
        "orders": {"by": by, "rows": orders, "total": total},
        "inspections": inspection_data,
        "cases": {"total": cases["total"], "rows": case_rows},
    }
    return section


# --- 4. heavy-pollution emergency ------------------------------------------------------------


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


# --- 5. commands not acknowledged ------------------------------------------------------------


def commands_section(region: Region, period: Period) -> Section:
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


def racing_section(region: Region, period: Period, reader: UnitReader) -> Section:
    """The horse race (赛马比拼): every active scorecard of a level below the unit, for the card's
    own period as of the bulletin's last day, with the rows the unit's office may see (ranks
    among the whole field, as on the racing pages)."""
    from gridgov.racing.services import active_cards_below, compute, period_for

    section = Section("racing", "赛马比拼")
    cards: list[dict[str, Any]] = []
    for card in active_cards_below(region.level):
        # The card's period as it stood the day after this bulletin's last day.
        start, end = period_for(card.period_kind, period.end + dt.timedelta(days=1))
        result = compute(card, start, end, reader)
        table = Table(
            f"赛马-{card.name.removesuffix('赛马') or card.name}",
            f"{card.name}（{start:%m月%d日}—{end:%m月%d日}）",
            ["名次", "单位", "总分", "名次变化", "总分变化"],
            ["0", "@", "0.00", "0", "0.00"],
            empty="本期暂无得分",
        )
        rows: list[dict[str, Any]] = []
        for r in result.ranked_rows:
            rows.append(
                {"unit": r.code, "name": r.name, "rank": r.rank, "total": number(r.total, 2)}
            )
            table.rows.append([r.rank, r.name, number(r.total, 2), r.rank_change, r.total_change])
        section.tables.append(table)
        apart = [r.name for r in result.apart_rows]
        named = [str(r["name"]) for r in rows]
        if rows:
            text = f"{card.name}：{'、'.join(named[:3])}位列前三"
            if len(rows) > 3:
                text += f"，{'、'.join(named[-3:])}排名靠后，请对标先进、补齐短板"
            section.paragraphs.append(text + "。")
        if apart:
            section.paragraphs.append(f"{card.name}样本不足、另列：{'、'.join(apart)}。")
        cards.append({"card": card.pk, "name": card.name, "start": start, "end": end, "rows": rows})
    if not cards:
        section.paragraphs.append("本期未设赛马比拼。")
    section.data = {"cards": cards}
    return section


# --- the whole -------------------------------------------------------------------------------


def build(region: Region, period: Period, issuer: str, now: dt.datetime | None = None) -> Content:
    """The bulletin's content for a district or street and a period, in Chinese whatever the
    language of the request (labels such as the target risk come from translated tables)."""
    reader = UnitReader(region)
    with translation.override("zh-hans"):
        sections = [
            air_section(region, period),
            ranking_section(region, period, reader),
            work_section(region, period, reader),
            emergency_section(region, period, reader),
            commands_section(region, period),
            racing_section(region, period, reader),
        ]
    return Content(
        period.kind,
        period,
        region.code,
        region.name,
        issuer,
        now or timezone.now(),
        sections,
    )
