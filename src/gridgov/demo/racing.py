"""The demo's horse race (赛马比拼): the street/town card (街道赛马: PM2.5 30%, PM2.5 同比 20%,
优良天数比例 20%, 工单按时办结率 15%, 巡查覆盖率 15%) and the village secretaries' card
(村书记赛马), each with snapshots of the last three whole months, so history pages have lines;
and the quarterly grassroots-governance card (基层治理赛马) with the last whole quarter's.
Idempotent: cards are found by name, snapshots replace their period."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from gridgov.racing import services
from gridgov.racing.models import Indicator, Rule, Scorecard
from gridgov.territory.models import Level

# (metric, weight, rule, floor, bands)
IndicatorSpec = tuple[str, int, Rule, int, list[list[int]]]

STREET_CARD: list[IndicatorSpec] = [
    ("pm25", 30, Rule.RANK, 60, []),
    ("pm25_yoy", 20, Rule.RANK, 60, []),
    ("good_day_ratio", 20, Rule.THRESHOLD, 60, [[90, 100], [80, 90], [70, 80], [60, 70]]),
    ("order_on_time_rate", 15, Rule.THRESHOLD, 50, [[95, 100], [90, 90], [80, 80], [70, 70]]),
    ("inspection_coverage", 15, Rule.RANK, 60, []),
]
VILLAGE_CARD: list[IndicatorSpec] = [
    ("pm25", 30, Rule.RANK, 60, []),
    ("good_day_ratio", 20, Rule.THRESHOLD, 60, [[90, 100], [80, 90], [70, 80], [60, 70]]),
    ("order_on_time_rate", 25, Rule.THRESHOLD, 50, [[95, 100], [90, 90], [80, 80], [70, 70]]),
    ("inspection_coverage", 15, Rule.RANK, 60, []),
    ("rectifications_closed", 10, Rule.RANK, 60, []),
]
# 基层治理赛马 (quarterly: disputes and ceremonies are counted in tens a year, not a month).
GOVERNANCE_CARD: list[IndicatorSpec] = [
    ("mediation_rate", 25, Rule.THRESHOLD, 60, [[100, 100], [95, 90], [90, 80], [80, 70]]),
    ("followup_on_time_rate", 15, Rule.RANK, 60, []),
    ("org_coverage_rate", 20, Rule.RANK, 60, []),
    ("work_coverage_rate", 15, Rule.RANK, 60, []),
    ("custom_compliance_rate", 15, Rule.THRESHOLD, 60, [[95, 100], [90, 90], [85, 80], [80, 70]]),
    ("project_milestone_on_time_rate", 10, Rule.RANK, 60, []),
]
MONTHS = 3


@dataclass
class RacingResult:
    cards: int
    snapshots: int


def _card(
    name: str, level: int, indicators: list[IndicatorSpec], notes: str, **options: Any
) -> Scorecard:
    card, created = Scorecard.objects.get_or_create(
        name=name, defaults={"level": level, "notes": notes, **options}
    )
    if created:
        Indicator.objects.bulk_create(
            Indicator(
                scorecard=card,
                position=i,
                metric=metric,
                weight=Decimal(weight),
                rule=rule,
                floor=Decimal(floor),
                bands=bands,
            )
            for i, (metric, weight, rule, floor, bands) in enumerate(indicators, start=1)
        )
    return card


def seed_racing(today: dt.date) -> RacingResult:
    cards = [
        _card(
            "街道赛马",
            Level.STREET,
            STREET_CARD,
            "街道/镇每月赛马：空气质量、工单办理与污染源巡查。",
            min_orders=5,
            min_sources=3,
        ),
        _card(
            "村书记赛马",
            Level.COMMUNITY,
            VILLAGE_CARD,
            "社区/村书记每月赛马。",
            min_orders=3,
            min_sources=2,
        ),
        _card(
            "基层治理赛马",
            Level.STREET,
            GOVERNANCE_CARD,
            "街道/镇每季度基层治理赛马：矛盾纠纷化解、两新组织党建覆盖、移风易俗与项目推进。",
            period_kind="quarter",
        ),
    ]
    snapshots = 0
    for card in cards:
        # The last three whole months, or the last whole quarter, year…
        start = services.period_for(card.period_kind, today)[0]
        for _ in range(MONTHS if card.period_kind == "month" else 1):
            start, end = services.previous_period(card.period_kind, start)
            services.snapshot(card, start, end)
            snapshots += 1
    return RacingResult(len(cards), snapshots)


# 区县赛马: a city's districts and counties, monthly (demo --city).
DISTRICT_CARD: list[IndicatorSpec] = [
    ("pm25", 40, Rule.RANK, 60, []),
    ("good_day_ratio", 30, Rule.THRESHOLD, 60, [[90, 100], [80, 90], [70, 80], [60, 70]]),
    ("order_on_time_rate", 30, Rule.THRESHOLD, 50, [[95, 100], [90, 90], [80, 80], [70, 70]]),
]


def seed_district_card() -> Scorecard:
    """The city's card of its districts and counties (区县赛马), computed live (no snapshot)."""
    return _card(
        "区县赛马",
        Level.DISTRICT,
        DISTRICT_CARD,
        "市对各区县每月赛马：空气质量与工单办理。",
        min_orders=0,
    )
