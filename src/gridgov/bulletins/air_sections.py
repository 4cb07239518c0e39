"""The bulletin's air sections: 1. the air against its targets, 2. the rankings of the units
(air.assessment, read as the bulletin's unit reads it)."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from gridgov.air import assessment as air
from gridgov.air.models import Target, TargetMetric
from gridgov.bulletins.periods import Period
from gridgov.bulletins.shapes import (
    LEVEL_KEYS,
    LEVEL_NAMES,
    Chart,
    Section,
    Table,
    UnitReader,
    change_words,
    number,
    say,
)
from gridgov.people import scope
from gridgov.territory import ladder
from gridgov.territory.models import Level, Region

PM25_DAILY_LIMIT = 75.0  # GB 3095 grade II, 24-hour mean


# --- 1. air against targets ------------------------------------------------------------------


def air_section(region: Region, period: Period) -> Section:
    unit = air.region_units([region])[0]
    now = air.assess([unit], period.start, period.end)[0]
    before = air.assess([unit], period.previous_start, period.previous_end, year_on_year=False)[0]
    section = Section("air", "空气质量与目标完成情况")
    pm25 = now.pm25 if math.isfinite(now.pm25) else None
    if now.aqi_days == 0 and pm25 is None:
        section.paragraphs.append(f"本期{region.name}无有效空气质量监测数据。")
    else:
        section.paragraphs.append(
            f"本期{region.name}PM2.5平均浓度{say(now.pm25, '微克/立方米')}，"
            f"较上期{change_words(now.pm25 - before.pm25, '微克/立方米', 0)}，"
            f"同比{change_words(now.year_on_year.get('pm25'), '%')}；"
            f"优良天数{now.good_days}天（有效天数{now.aqi_days}天），"
            f"优良天数比例{say(now.good_day_ratio, '%', 1)}；"
            f"综合指数{say(now.comprehensive_index, '', 2)}，"
            f"同比{change_words(now.year_on_year.get('comprehensive_index'), '%')}。"
        )
    targets = list(
        Target.objects.filter(region=region, start__lte=period.end, end__gte=period.end)
        .select_related("region")
        .order_by("metric", "start")
    )
    progress = [air.target_progress(t, period.end) for t in targets]
    table = Table(
        "目标完成",
        "年度目标完成情况（截至本期末）",
        [
            "指标",
            "目标值",
            "目标期间",
            "累计值",
            "与目标差距",
            "剩余天数",
            "剩余期间允许",
            "能否完成目标",
        ],
        ["@", "0.0", "@", "0.0", "0.0", "0", "@", "@"],
        empty="未设定目标",
    )
    for p in progress:
        if p.allowance is not None:
            allowed = say(p.allowance, "微克/立方米", 1) if p.remaining_days > 0 else "—"
        elif p.non_good_days_allowed is not None:
            allowed = f"非优良天数{p.non_good_days_allowed}天"
        else:
            allowed = "—"
        table.rows.append(
            [
                str(TargetMetric(p.target.metric).label),
                p.target.value,
                f"{p.target.start:%Y-%m-%d}至{p.target.end:%Y-%m-%d}",
                number(p.current, 1),
                number(p.gap, 1),
                p.remaining_days,
                allowed,
                p.risk_label,  # the targets page's and the overview's words (air.risk_label)
            ]
        )
        if p.risk in (air.Risk.PRESSURE, air.Risk.HIGH, air.Risk.OUT_OF_REACH):
            section.paragraphs.append(
                f"{TargetMetric(p.target.metric).label}目标（{p.target.value:g}）"
                f"{p.risk_label}，须采取更严格措施。"
            )
    section.tables.append(table)
    series = air.daily_series([unit], period.start, period.end)
    daily = [number(float(v), 0) for v in series.values["pm25"][0]]
    days = [period.start + dt.timedelta(days=i) for i in range(len(daily))]
    if len(days) > 1:  # a day's one value is in the text; a chart of one bar says nothing
        section.charts.append(
            Chart(
                f"{region.name}逐日PM2.5浓度",
                [f"{d:%-m/%-d}" for d in days],
                daily,
                reference=PM25_DAILY_LIMIT,
                reference_label="日均二级标准",
            )
        )
    section.data = {
        "unit": now.as_dict(),
        "previous": before.as_dict(),
        "targets": [p.as_dict() for p in progress],
        "daily_pm25": [{"day": d.isoformat(), "pm25": v} for d, v in zip(days, daily, strict=True)],
    }
    return section


# --- 2. rankings -----------------------------------------------------------------------------


def ranking_levels(region: Region) -> list[int]:
    """The levels a unit's bulletin ranks: the two configured levels below it, above the grid (a
    city its districts and streets, a district its streets and communities, a street its
    communities)."""
    out: list[int] = []
    level = ladder.below(region.level)
    while level is not None and level != Level.GRID and len(out) < 2:
        out.append(level)
        level = ladder.below(level)
    return out


def bottom_of(ranked: list[air.RankedRow]) -> list[air.RankedRow]:
    """倒数三名: the last three ranked (ties with the third from last included); with three or
    fewer ranked units, the last one(s) by rank only, never everyone."""
    n = min(3, len(ranked) - 1)
    if n <= 0:
        return []
    cut = ranked[-n].rank
    return [r for r in ranked if r.rank is not None and cut is not None and r.rank >= cut]


def pm25_line(region: Region, day: dt.date) -> tuple[float, str]:
    """The PM2.5 line of the ranking chart: the unit's target in force, else the annual limit."""
    target = (
        Target.objects.filter(region=region, metric=TargetMetric.PM25, start__lte=day, end__gte=day)
        .order_by("-start")
        .first()
    )
    if target is not None:
        return target.value, "PM2.5目标"
    return air.limits_for(day).pm25, "年均二级标准"


def ranking_row(
    r: air.RankedRow, previous: dict[str, air.Assessment], last_year: dict[str, air.Assessment]
) -> dict[str, Any]:
    """A ranked unit as the rankings API answers it, with its µg/m³ changes against the
    previous period and the same period last year."""
    a = r.assessment
    before, ago = previous.get(a.code), last_year.get(a.code)
    return {
        "rank": r.rank,
        "value": r.value if math.isfinite(r.value) else None,
        **a.as_dict(),
        "change_previous": number(a.pm25 - before.pm25, 1) if before else None,
        "change_last_year": number(a.pm25 - ago.pm25, 1) if ago else None,
    }


def ranking_section(region: Region, period: Period, reader: UnitReader) -> Section:
    section = Section("ranking", "各单位空气质量排名")
    line, line_label = pm25_line(region, period.end)
    for level in ranking_levels(region):
        name, key = LEVEL_NAMES[Level(level)], LEVEL_KEYS[Level(level)]
        regions = scope.regions_for(reader, Region.objects.active().filter(level=level))
        units = air.region_units(list(regions.order_by("code")))
        results = air.assess(units, period.start, period.end)
        ranked, apart = air.rank(results, "pm25")
        previous = {
            a.code: a
            for a in air.assess(
                units, period.previous_start, period.previous_end, year_on_year=False
            )
        }
        last_year = {
            a.code: a
            for a in air.assess(
                units, period.last_year_start, period.last_year_end, year_on_year=False
            )
        }
        rows = [ranking_row(r, previous, last_year) for r in ranked]
        apart_rows = [ranking_row(r, previous, last_year) for r in apart]
        bottom = bottom_of(ranked)
        table = Table(
            f"{name}排名",
            f"{name}PM2.5浓度排名",
            [
                "排名",
                "单位",
                "PM2.5（微克/立方米）",
                "较上期（微克/立方米）",
                "较去年同期（微克/立方米）",
                "同比（%）",
                "优良天数比例（%）",
                "综合指数",
                "有效天数",
            ],
            ["@", "@", "0", "0.0", "0.0", "0.0", "0.0", "0.00", "0"],
            empty="本期无排名数据",
        )
        for r in [*rows, *apart_rows]:
            table.rows.append(
                [
                    str(r["rank"]) if r["rank"] is not None else "不排名",
                    r["name"],
                    r["pm25"],
                    r["change_previous"],
                    r["change_last_year"],
                    r["year_on_year"].get("pm25"),
                    r["good_day_ratio"],
                    r["comprehensive_index"],
                    r["valid_days"],
                ]
            )
        section.tables.append(table)
        if bottom:
            # Worst first; ties with the third from last are named too, and said so.
            named = "、".join(
                f"{r.assessment.name}（{r.value:.0f}微克/立方米）" for r in reversed(bottom)
            )
            tied = "（含并列）" if len(bottom) > min(3, len(ranked) - 1) else ""
            section.paragraphs.append(
                f"按PM2.5平均浓度排名，{name}倒数三名{tied}依次为：{named}，予以通报。"
                f"请上述单位认真分析原因，落实整改措施，确保空气质量尽快好转。"
            )
        elif ranked:
            section.paragraphs.append(f"本期参与排名的{name}不足，不通报倒数名次。")
        else:
            section.paragraphs.append(f"本期{name}有效监测天数不足，不参与排名。")
        if apart_rows:
            names = "、".join(r["name"] for r in apart_rows)
            section.paragraphs.append(f"{names}本期有效数据不足，列表备查，不参与排名。")
        if rows:
            section.charts.append(
                Chart(
                    f"{name}PM2.5浓度",
                    [r["name"] for r in rows],
                    [r["pm25"] for r in rows],
                    reference=line,
                    reference_label=line_label,
                    ranks=[r["rank"] for r in rows],
                )
            )
        section.data[key] = {
            "metric": "pm25",
            "ranked": rows,
            "apart": apart_rows,
            "bottom": [r.assessment.code for r in bottom],
        }
    if not section.tables:
        section.paragraphs.append("本单位以下无排名单位。")
    return section
