"""The registered metrics read the same domain functions as the pages (on the shared named
district: 东街道 holds the stations M1 and M2, 西街道 none)."""

from __future__ import annotations

import datetime as dt

from gridgov.air.assessment import assess, region_units
from gridgov.racing import metrics, services
from gridgov.racing.models import Indicator, Scorecard
from gridgov.territory.models import Level, Region
from tests.air.conftest import put_days

APRIL = (dt.date(2026, 4, 1), dt.date(2026, 4, 30))


def _air(stations):
    for code, pm25 in (("micro", 30.0), ("micro2", 50.0)):
        put_days(stations[code], APRIL[0], [pm25] * 30, pm10=40.0, no2=20.0, o3_8h_max=90.0)


def test_air_metrics_equal_the_assessment(stations, territory):
    _air(stations)
    streets = list(Region.objects.filter(level=Level.STREET).order_by("code"))
    expected = {a.code: a for a in assess(region_units(streets), *APRIL)}
    s1, s2 = territory["D-S1"], territory["D-S2"]
    pm25 = metrics.REGISTRY["pm25"](streets, *APRIL)
    assert pm25[s1.pk] == metrics.Reading(expected["D-S1"].pm25, 30)
    assert pm25[s1.pk].value == 40  # the mean of 30 and 50
    assert pm25[s2.pk] == metrics.Reading(None, 0)
    ratio = metrics.REGISTRY["good_day_ratio"](streets, *APRIL)
    assert ratio[s1.pk].value == expected["D-S1"].good_day_ratio == 100.0
    index = metrics.REGISTRY["comprehensive_index"](streets, *APRIL)
    assert index[s1.pk].value == expected["D-S1"].comprehensive_index
    # No data a year before: no change to score.
    assert metrics.REGISTRY["pm25_yoy"](streets, *APRIL)[s1.pk] == metrics.Reading(None, 30)


def test_order_inspection_and_case_metrics_without_records(territory):
    streets = list(Region.objects.filter(level=Level.STREET).order_by("code"))
    for key in ("order_on_time_rate", "inspection_coverage"):
        assert {r.value for r in metrics.REGISTRY[key](streets, *APRIL).values()} == {None}
    for key in ("rectifications_closed", "cases_closed"):
        assert {r.value for r in metrics.REGISTRY[key](streets, *APRIL).values()} == {0.0}


def test_order_rate_counts_the_orders_of_each_unit(crew, report, territory):
    today = dt.date.today()
    report()  # a patrol report in G1 (东街道 > 东一社区), dispatched at once
    communities = list(Region.objects.filter(level=Level.COMMUNITY).order_by("code"))
    rate = metrics.REGISTRY["order_on_time_rate"](communities, today, today)
    assert rate[territory["D-S1-C1"].pk].sample == 1
    assert rate[territory["D-S2-C2"].pk] == metrics.Reading(None, 0)


def test_a_street_card_on_real_metrics(stations, territory):
    _air(stations)
    card = Scorecard.objects.create(name="街道赛马", level=Level.STREET, min_valid_days=20)
    Indicator.objects.create(scorecard=card, metric="pm25", weight=30)
    Indicator.objects.create(scorecard=card, metric="order_on_time_rate", weight=15)
    result = services.compute(card, *APRIL)
    pm, orders = result.indicators
    assert not pm.higher_is_better and orders.higher_is_better
    assert [(r.code, r.rank, r.total) for r in result.rows] == [
        ("D-S1", 1, 100.0),
        ("D-S2", None, None),
    ]
    assert pm.no_data == ["西街道"]
