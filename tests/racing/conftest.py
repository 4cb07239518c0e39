"""The horse race's own district: 赛马区 (R), four streets side by side (R-S1 … R-S4, 0.1° strips),
each with one community and one grid of the same shape, so a card has four units at either
level. Accounts: `r_command` (指挥中心), `r_s1_official` (街道/镇干部 of R-S1), `r_c1_secretary`
(社区/村干部 of R-S1-C1), `r_g1_worker` (网格员 of R-S1-C1-G1).

`fake_metrics` registers two test metrics whose values the test writes by hand, so the card's
arithmetic can be checked against numbers worked out on paper."""

from __future__ import annotations

import datetime as dt

import pytest

from gridgov.racing import metrics
from gridgov.racing.models import Indicator, Scorecard
from gridgov.territory.models import GridKind, Level
from gridgov.territory.services import RegionSpec, apply_plan
from tests.air.conftest import stations  # noqa: F401  (a fixture for test_metrics)
from tests.conftest import _person, box

STREETS = 4


def specs() -> list[RegionSpec]:
    out = [RegionSpec("R", "赛马区", Level.DISTRICT, None, box(113.0, 35.0, 113.4, 35.4))]
    names = ["一街道", "二街道", "三街道", "四街道"]
    for i in range(STREETS):
        shape = box(113.0 + 0.1 * i, 35.0, 113.1 + 0.1 * i, 35.4)
        s, c = f"R-S{i + 1}", f"R-S{i + 1}-C1"
        out += [
            RegionSpec(s, names[i], Level.STREET, "R", shape),
            RegionSpec(c, f"{names[i][0]}社区", Level.COMMUNITY, s, shape),
            RegionSpec(
                f"{c}-G1",
                f"{names[i][0]}网格",
                Level.GRID,
                c,
                shape,
                GridKind.URBAN,
                ["environment"],
            ),
        ]
    return out


@pytest.fixture
def race(db):
    from gridgov.territory.models import Region

    apply_plan(specs())
    regions = {r.code: r for r in Region.objects.all()}
    accounts = {
        "r_command": _person(
            "赛马指挥", "13900000101", "command_office", regions["R"], "r_command"
        ),
        "r_s1_official": _person(
            "一街主任", "13900000102", "street_official", regions["R-S1"], "r_s1_official"
        ),
        "r_c1_secretary": _person(
            "一社书记", "13900000103", "secretary", regions["R-S1-C1"], "r_c1_secretary"
        ),
        "r_g1_worker": _person(
            "一网格员", "13900000104", "grid_worker", regions["R-S1-C1-G1"], "r_g1_worker"
        ),
    }
    return {"regions": regions, "users": {k: p.user for k, p in accounts.items()}}


@pytest.fixture
def fake_metrics():
    """Two metrics reading `data[key][code] = (value, sample)`; `data[(key, start)]` overrides
    for the period starting on `start`."""
    data: dict = {"t_low": {}, "t_high": {}}

    def reader(key: str):
        def fn(units, start, end):
            table = data.get((key, start), data[key])
            return {u.pk: metrics.Reading(*table[u.code]) for u in units if u.code in table}

        return fn

    metrics.register(
        "t_low", "测试浓度", unit="µg/m³", higher_is_better=False, sample=metrics.DAYS
    )(reader("t_low"))
    metrics.register(
        "t_high", "测试按时率", unit="%", higher_is_better=True, sample=metrics.ORDERS
    )(reader("t_high"))
    yield data
    del metrics.REGISTRY["t_low"], metrics.REGISTRY["t_high"]


def worked_card(level: int = Level.STREET, name: str = "测试街道赛马") -> Scorecard:
    """t_low (lower better) weight 30, rank-based, last rank 60; t_high (higher better) weight
    20, bands ≥90 → 100, ≥80 → 80, ≥60 → 60, else 0. Minimums: 20 valid days, 5 orders."""
    card = Scorecard.objects.create(name=name, level=level, min_valid_days=20, min_orders=5)
    Indicator.objects.create(scorecard=card, position=1, metric="t_low", weight=30, floor=60)
    Indicator.objects.create(
        scorecard=card,
        position=2,
        metric="t_high",
        weight=20,
        rule="threshold",
        floor=0,
        bands=[[90, 100], [80, 80], [60, 60]],
    )
    return card


# The worked example: (t_low value, valid days), (t_high value, orders).
WORKED = {
    "t_low": {"R-S1": (40, 30), "R-S2": (45, 30), "R-S3": (45, 30), "R-S4": (50, 30)},
    "t_high": {"R-S1": (95, 10), "R-S2": (85, 10), "R-S3": (70, 3), "R-S4": (70, 10)},
}
MARCH = (dt.date(2026, 3, 1), dt.date(2026, 3, 31))
