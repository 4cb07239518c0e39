"""The horse race's section of the dispatch bulletin (registered in gridgov.bulletins.sections
when the app is ready)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from gridgov.bulletins import sections
from gridgov.bulletins.periods import Period
from gridgov.bulletins.shapes import (
    Section,
    Table,
    UnitReader,
    number,
)
from gridgov.racing.services import active_cards_below, compute, period_for
from gridgov.territory.models import Region


def racing_section(region: Region, period: Period, reader: UnitReader) -> Section:
    """The horse race (赛马比拼): every active scorecard of a level below the unit, for the card's
    own period as of the bulletin's last day, with the rows the unit's office may see (ranks
    among the whole field, as on the racing pages)."""
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


def register() -> None:
    sections.register_section("racing", racing_section, 60)
