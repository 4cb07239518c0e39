"""What a dispatch bulletin (调度通报) says, as plain data: a list of numbered sections, each with
its paragraphs, tables, charts and a JSON snapshot of its figures. The PDF and the Excel file
are drawn from this, and the stored bulletin keeps the snapshot.

Every figure comes from the domain functions the pages and the API use (air.assessment,
workorders.stats, inspections.plans, enforcement.services, emergency.services), read with the
scope of the bulletin's unit (`UnitReader`): a street's bulletin shows what that street's own
office would see, the district's what the command office sees.

The document text is Chinese only: a bulletin is an official document (公文) of a Chinese
office, and its wording (通报, 倒数三名) has no English form that the recipients would use.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils import timezone, translation

from gridgov.air import assessment as air
from gridgov.air.models import Target, TargetMetric
from gridgov.bulletins.periods import KIND_LABELS, Period
from gridgov.emergency import services as emergency
from gridgov.emergency.models import Warning as EmergencyWarning
from gridgov.enforcement import services as enforcement
from gridgov.inspections import plans
from gridgov.people import scope
from gridgov.territory.models import Level, Region
from gridgov.workorders.commands import not_acknowledged
from gridgov.workorders.services import orders_for
from gridgov.workorders.states import State
from gridgov.workorders.stats import order_stats
from gridgov.workorders.workcal import CST

NUMERALS = "一二三四五六七八九十"
LEVEL_NAMES = {Level.STREET: "街道（镇）", Level.COMMUNITY: "社区（村）"}
LEVEL_KEYS = {Level.STREET: "street", Level.COMMUNITY: "community"}
PM25_DAILY_LIMIT = 75.0  # GB 3095 grade II, 24-hour mean


class UnitReader:
    """The data as one unit's own office reads it: the scope of that region's subtree and the
    view permissions, with no person (so nothing is "dispatched to me")."""

    is_authenticated = True
    is_active = True
    is_anonymous = False
    is_superuser = False
    pk = None

    def __init__(self, region: Region) -> None:
        self.region = region
        self._gridgov_scope = [region.path]
        self._gridgov_person = None

    def has_perm(self, perm: str, obj: Any = None) -> bool:
        return perm.rpartition(".")[2].startswith("view_")

    def get_username(self) -> str:
        return f"bulletin:{self.region.code}"


# --- the shapes ------------------------------------------------------------------------------


@dataclass
class Table:
    """A table: its sheet name, caption, head and rows; `formats` per column, in Excel's
    number-format language ("@" text, "0", "0.0", "0.0%", …)."""

    sheet: str
    caption: str
    headers: list[str]
    formats: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    empty: str = "无"  # what the document says when there is no row


@dataclass
class Chart:
    """A bar chart: one value per label (None: no value); a reference line when given."""

    title: str
    labels: list[str]
    values: list[float | None]
    unit: str = "微克/立方米"
    reference: float | None = None
    reference_label: str = ""
    # A ranking of units (labels in rank order, their ranks here): drawn as horizontal bars,
    # only the first and last `RANKING_SHOWN` of a long one.
    ranks: list[int | None] | None = None


@dataclass
class Section:
    key: str
    title: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class Content:
    kind: str
    period: Period
    region_code: str
    region_name: str
    issuer: str
    generated_at: dt.datetime
    sections: list[Section]

    @property
    def title(self) -> str:
        return f"{self.region_name}大气污染防治调度通报（{KIND_LABELS[self.kind]}）"

    def section(self, key: str) -> Section:
        for s in self.sections:
            if s.key == key:
                return s
        raise KeyError(key)

    def numbered(self) -> list[tuple[str, Section]]:
        """The sections with their numbers (一、二、…), as the document heads them."""
        return [(f"{NUMERALS[i]}、", s) for i, s in enumerate(self.sections)]

    def tables(self) -> list[Table]:
        return [t for s in self.sections for t in s.tables]

    def snapshot(self) -> dict[str, Any]:
        """The figures, JSON-ready, stored with the bulletin: `sections`, each section's figures
        by key (what the tests compare with the API); `document`, the sections as the
        documents show them (answered by the API)."""
        return {
            "kind": self.kind,
            "start": self.period.start.isoformat(),
            "end": self.period.end.isoformat(),
            "region": self.region_code,
            "sections": {s.key: jsonable(s.data) for s in self.sections},
            "document": [
                {
                    "key": s.key,
                    "title": number + s.title,
                    "paragraphs": s.paragraphs,
                    "tables": [
                        {
                            "sheet": t.sheet,
                            "caption": t.caption,
                            "headers": t.headers,
                            "rows": jsonable(t.rows),
                        }
                        for t in s.tables
                    ],
                }
                for number, s in self.numbered()
            ],
        }


def jsonable(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def number(value: float | None, digits: int = 0) -> float | None:
    """A table cell: None for a missing value (NaN)."""
    if value is None or not math.isfinite(value):
        return None
    return round(value, digits) if digits else value


def say(value: float | None, unit: str = "", digits: int = 0) -> str:
    if value is None or not math.isfinite(value):
        return "无有效数据"
    return f"{value:.{digits}f}{unit}"


def change_words(change: float | None, unit: str, digits: int = 1) -> str:
    if change is None or not math.isfinite(change):
        return "无可比数据"
    if change == 0:
        return "持平"
    return f"{'上升' if change > 0 else '下降'}{abs(change):.{digits}f}{unit}"


def day_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    lo = dt.datetime.combine(start, dt.time(0), tzinfo=CST)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(0), tzinfo=CST)
    return lo, hi


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
    """The levels a unit's bulletin ranks: a district its streets and communities, a street
    its communities."""
    return [lvl for lvl in (Level.STREET, Level.COMMUNITY) if lvl > region.level]


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
    qs = (
        orders_for(reader)
        .filter(created_at__date__gte=period.start, created_at__date__lte=period.end)
        .exclude(state=State.VOIDED)
        .filter(escalation_level__gt=0)
    )
    for path in qs.values_list("event__region_path", flat=True):
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
    lo, hi = day_bounds(period.start, period.end)
    return list(
        EmergencyWarning.objects.filter(starts_at__lt=hi, ends_at__gt=lo)
        .filter(Q(ended_early_at__isnull=True) | Q(ended_early_at__gt=lo))
        .order_by("starts_at", "pk")
    )


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
    from gridgov.racing.models import Scorecard
    from gridgov.racing.services import compute, period_for

    section = Section("racing", "赛马比拼")
    cards: list[dict[str, Any]] = []
    cards_qs = Scorecard.objects.filter(active=True, level__gt=region.level)
    for card in cards_qs.prefetch_related("indicators").order_by("level", "pk"):
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
