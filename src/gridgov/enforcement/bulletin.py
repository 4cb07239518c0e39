"""The enforcement's part of the dispatch bulletin's work section: cases by street
(registered in gridgov.bulletins.sections when the app is ready)."""

from __future__ import annotations

from typing import Any

from gridgov.bulletins import sections
from gridgov.bulletins.periods import Period
from gridgov.bulletins.shapes import (
    Section,
    Table,
    UnitReader,
)
from gridgov.enforcement import services as enforcement
from gridgov.territory.models import Region


def cases_part(
    section: Section, region: Region, period: Period, reader: UnitReader
) -> tuple[str, Any]:
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
    return "cases", {"total": cases["total"], "rows": case_rows}


def register() -> None:
    sections.register_part("work", "cases", cases_part, 30)
