"""The inspections' part of the dispatch bulletin's work section: what the period owed and
what was inspected, by unit (registered in gridgov.bulletins.sections when the app is ready)."""

from __future__ import annotations

from typing import Any

from gridgov.bulletins import sections
from gridgov.bulletins.periods import Period
from gridgov.bulletins.shapes import (
    LEVEL_NAMES,
    Section,
    Table,
    UnitReader,
)
from gridgov.inspections import plans
from gridgov.territory import ladder
from gridgov.territory.models import Level, Region


def inspections_part(
    section: Section, region: Region, period: Period, reader: UnitReader
) -> tuple[str, Any]:
    level = ladder.sub_unit_level(region.level)
    unit_name = LEVEL_NAMES[Level(level)]
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
    return "inspections", inspection_data


def register() -> None:
    sections.register_part("work", "inspections", inspections_part, 20)
