"""The monthly bulletin's hot grids (本月热点网格): the unit's worst grids by estimated PM2.5,
with their sources and open orders (centre/hotspots.py), registered in
gridgov.bulletins.sections when the app is ready (the bulletins never import this)."""

from __future__ import annotations

from typing import Any, cast

from gridgov.bulletins import sections
from gridgov.bulletins.periods import Period
from gridgov.bulletins.shapes import Section, Table, UnitReader
from gridgov.centre import hotspots
from gridgov.core.actor import Account
from gridgov.territory.models import Region

NAMED = 10  # the month's hot grids: the worst ten of the unit
ORDER = 25  # after the rankings, before the work section


def hotspots_section(region: Region, period: Period, reader: UnitReader) -> Section | None:
    """Only in the month's bulletin: a day or a week is too short to call a grid a hot spot."""
    if period.kind != "month":
        return None
    rows = hotspots.hot_grids(
        cast(Account, reader), period.start, period.end, "pm25", NAMED, named=True
    )
    rows = [r for r in rows if r.figure.rank is not None]
    section = Section("hotspots", "本月热点网格")
    if not rows:
        section.paragraphs.append(f"本期{region.name}无可估算的网格（无有效监测数据）。")
    else:
        names = "、".join(
            f"{r.figure.name}（{r.figure.street_name}，{r.figure.mean:.0f}微克/立方米）"
            for r in rows[:3]
        )
        section.paragraphs.append(
            f"按各网格PM2.5小时估算值（站点反距离权重插值，含站点的网格取站点本身的值）的月均值，"
            f"本月{region.name}PM2.5浓度最高的网格为{names}。"
        )
    table = Table(
        "热点网格",
        f"本月PM2.5热点网格（前{NAMED}名）",
        ["排名", "街道", "网格", "均值(微克/立方米)", "超二级标准小时数", "污染源", "在办工单"],
        ["0", "@", "@", "0.0", "0", "0", "0"],
        empty="无",
    )
    data: list[dict[str, Any]] = []
    for r in rows:
        f = r.figure
        table.rows.append(
            [f.rank, f.street_name, f.name, f.mean, f.hours_above, r.sources, r.open_orders]
        )
        data.append(r.as_dict())
    section.tables.append(table)
    section.data = {"pollutant": "pm25", "grids": data}
    return section


def register() -> None:
    sections.register_section("hotspots", hotspots_section, ORDER)
