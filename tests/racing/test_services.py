"""A card computed through services.compute on the worked example (tests/racing/conftest.py):
scores, totals, ranks, thin samples listed apart, snapshots, history, scope and the summary."""

from __future__ import annotations

import datetime as dt

import pytest

from gridgov.racing import services
from gridgov.racing.models import Snapshot
from gridgov.territory.models import Level
from tests.racing.conftest import MARCH, WORKED, worked_card

APRIL = (dt.date(2026, 4, 1), dt.date(2026, 4, 30))


def _by_code(result):
    return {r.code: r for r in result.rows}


def test_worked_example_scores_totals_and_ranks(race, fake_metrics):
    fake_metrics.update(WORKED)
    card = worked_card()
    result = services.compute(card, *MARCH, with_previous=False)
    low, high = result.indicators
    rows = _by_code(result)
    # t_low: 40 < 45 = 45 < 50 → ranks 1, 2, 2, 4 → 100, 86.67, 86.67, 60 (floor 60).
    assert {c: rows[c].cells[low.id].rank for c in rows} == {
        "R-S1": 1,
        "R-S2": 2,
        "R-S3": 2,
        "R-S4": 4,
    }
    assert {c: rows[c].cells[low.id].score for c in rows} == {
        "R-S1": 100.0,
        "R-S2": 86.67,
        "R-S3": 86.67,
        "R-S4": 60.0,
    }
    # t_high by bands: 95 → 100, 85 → 80, 70 → 60; R-S3 had 3 orders (< 5): listed apart.
    assert {c: rows[c].cells[high.id].score for c in rows} == {
        "R-S1": 100.0,
        "R-S2": 80.0,
        "R-S3": None,
        "R-S4": 60.0,
    }
    assert rows["R-S3"].cells[high.id].thin
    assert high.thin == ["三街道"] and low.thin == []
    # Totals: S1 (30·100 + 20·100)/50 = 100; S2 (30·86.67 + 20·80)/50 = 84.002 → 84.0;
    # S3 renormalised over t_low alone = 86.67 on 60% of the weight; S4 (30·60 + 20·60)/50 = 60.
    assert {c: (r.total, r.covered) for c, r in rows.items()} == {
        "R-S1": (100.0, 1.0),
        "R-S2": (84.0, 1.0),
        "R-S3": (86.67, 0.6),
        "R-S4": (60.0, 1.0),
    }
    assert [(r.code, r.rank) for r in result.rows] == [
        ("R-S1", 1),
        ("R-S3", 2),
        ("R-S2", 3),
        ("R-S4", 4),
    ]
    assert (result.ranked, result.units) == (4, 4)


def test_equal_totals_rank_equal(race, fake_metrics):
    fake_metrics.update(
        {
            "t_low": {"R-S1": (40, 30), "R-S2": (40, 30), "R-S3": (50, 30), "R-S4": (60, 30)},
            "t_high": {},
        }
    )
    result = services.compute(worked_card(), *MARCH, with_previous=False)
    assert [(r.code, r.rank, r.total) for r in result.rows] == [
        ("R-S1", 1, 100.0),
        ("R-S2", 1, 100.0),
        ("R-S3", 3, 73.33),  # 100 - 2 × 40/3
        ("R-S4", 4, 60.0),
    ]


def test_unit_thin_on_every_indicator_is_listed_apart_and_ranks_the_rest(race, fake_metrics):
    fake_metrics.update(
        {
            # R-S4: 12 valid days (< 20) and 2 orders (< 5); R-S3 has no value at all for t_high.
            "t_low": {"R-S1": (40, 30), "R-S2": (45, 30), "R-S3": (50, 30), "R-S4": (20, 12)},
            "t_high": {"R-S1": (95, 10), "R-S2": (85, 10), "R-S4": (99, 2)},
        }
    )
    result = services.compute(worked_card(), *MARCH, with_previous=False)
    low, high = result.indicators
    assert [r.code for r in result.apart_rows] == ["R-S4"]
    assert result.apart_rows[0].total is None and result.ranked == 3
    # Rank-based scores over the 3 scored units: 100, 80, 60 — R-S4's 20 µg/m³ is not the best.
    assert [r.cells[low.id].score for r in result.ranked_rows] == [100.0, 80.0, 60.0]
    assert low.thin == ["四街道"] and high.thin == ["四街道"]
    assert high.no_data == ["三街道"]
    assert low.minimum == 20 and high.minimum == 5


def test_days_minimum_defaults_to_the_hj663_requirement(race, fake_metrics):
    fake_metrics.update({"t_low": {"R-S1": (40, 26), "R-S2": (45, 27)}, "t_high": {}})
    card = worked_card()
    card.min_valid_days = None
    card.save()
    result = services.compute(card, *MARCH, with_previous=False)
    low = result.indicators[0]
    assert low.minimum == 27  # a calendar month needs 27 valid days
    assert low.thin == ["一街道"]


def test_snapshot_history_and_change_against_the_previous_period(race, fake_metrics):
    fake_metrics.update(WORKED)
    # April: R-S4 becomes the best on t_low, R-S1 the worst.
    fake_metrics[("t_low", APRIL[0])] = {
        "R-S1": (50, 30),
        "R-S2": (45, 30),
        "R-S3": (45, 30),
        "R-S4": (40, 30),
    }
    card = worked_card()
    march = services.snapshot(card, *MARCH)
    assert march.ranked == 4 and march.rows.count() == 4
    # Taking the same period again replaces it.
    services.snapshot(card, *MARCH)
    assert Snapshot.objects.filter(scorecard=card).count() == 1
    services.snapshot(card, *APRIL)

    april = services.compute(card, *APRIL)
    assert april.previous == MARCH
    rows = _by_code(april)
    # April by hand: t_low 40 (S4) → 100, 45 (S2, S3) → 86.67, 50 (S1) → 60; t_high as March.
    # S1 (30·60 + 20·100)/50 = 76; S2 84.0; S3 86.67; S4 (30·100 + 20·60)/50 = 84.0.
    assert [(r.code, r.rank, r.total) for r in april.rows] == [
        ("R-S3", 1, 86.67),
        ("R-S2", 2, 84.0),
        ("R-S4", 2, 84.0),
        ("R-S1", 4, 76.0),
    ]
    assert (rows["R-S1"].previous_rank, rows["R-S1"].rank) == (1, 4)
    assert rows["R-S1"].rank_change == -3 and rows["R-S1"].places_lost == 3
    assert (rows["R-S4"].previous_rank, rows["R-S4"].rank_change) == (4, 2)
    assert rows["R-S4"].total_change == 24.0  # 60 → 84

    s4 = race["regions"]["R-S4"]
    region, points = services.history(race["users"]["r_command"], s4.pk)
    assert region == s4
    assert [(p.start, p.rank, p.total, p.ranked) for p in points] == [
        (MARCH[0], 4, 60.0, 4),
        (APRIL[0], 2, 84.0, 4),
    ]


def test_previous_period_is_computed_when_not_stored(race, fake_metrics):
    fake_metrics.update(WORKED)
    card = worked_card()
    result = services.compute(card, *APRIL)
    assert result.previous == MARCH
    assert _by_code(result)["R-S3"].previous_rank == 2


def test_rows_are_cut_to_the_viewers_scope_with_ranks_of_the_whole_field(race, fake_metrics):
    fake_metrics.update(WORKED)
    fake_metrics["t_low"].update({f"{k}-C1": v for k, v in WORKED["t_low"].items()})
    fake_metrics["t_high"].update({f"{k}-C1": v for k, v in WORKED["t_high"].items()})
    streets = worked_card()
    villages = worked_card(Level.COMMUNITY, "测试村书记赛马")
    users = race["users"]

    def seen(card, who):
        result = services.compute(card, *MARCH, users[who], with_previous=False)
        return [(r.code, r.rank) for r in result.rows], result

    assert len(seen(streets, "r_command")[0]) == 4
    assert seen(streets, "r_s1_official")[0] == [("R-S1", 1)]
    assert seen(villages, "r_s1_official")[0] == [("R-S1-C1", 1)]
    assert seen(streets, "r_c1_secretary")[0] == []
    assert seen(villages, "r_c1_secretary")[0] == [("R-S1-C1", 1)]
    assert seen(streets, "r_g1_worker")[0] == []
    # Thin notes name only units the viewer may see (R-S3 is thin, not the official's).
    _rows, result = seen(streets, "r_s1_official")
    assert result.indicators[1].thin == []
    assert result.ranked == 4

    s3 = race["regions"]["R-S3"]
    with pytest.raises(services.NotFound):
        services.history(users["r_s1_official"], s3.pk)
    with pytest.raises(services.NotFound):
        services.history(users["r_s1_official"], 10**9)


def test_card_summary_top_and_bottom_three(race, fake_metrics):
    fake_metrics.update(WORKED)
    worked_card()
    today = dt.date(2026, 4, 2)  # in April's first days the default period is March
    (summary,) = services.card_summary(race["users"]["r_command"], today)
    assert (summary.start, summary.end) == MARCH
    assert [(r.code, r.rank, r.total) for r in summary.top] == [
        ("R-S1", 1, 100.0),
        ("R-S3", 2, 86.67),
        ("R-S2", 3, 84.0),
    ]
    assert [r.code for r in summary.bottom] == ["R-S4"]  # the last three, without the top
    assert summary.ranked == 4 and summary.apart == 0
    (mine,) = services.card_summary(race["users"]["r_s1_official"], today)
    assert [r.code for r in mine.top] == ["R-S1"] and mine.bottom == []


def test_periods_follow_the_default_period():
    assert services.period_for("month", dt.date(2026, 5, 20)) == (
        dt.date(2026, 5, 1),
        dt.date(2026, 5, 19),
    )
    assert services.period_for("month", dt.date(2026, 5, 2)) == (
        dt.date(2026, 4, 1),
        dt.date(2026, 4, 30),
    )
    assert services.period_for("quarter", dt.date(2026, 5, 20))[0] == dt.date(2026, 4, 1)
    assert services.period_for("year", dt.date(2026, 1, 2)) == (
        dt.date(2025, 1, 1),
        dt.date(2025, 12, 31),
    )
    assert services.previous_period("quarter", dt.date(2026, 4, 1)) == (
        dt.date(2026, 1, 1),
        dt.date(2026, 3, 31),
    )
    with pytest.raises(services.RacingError) as exc:
        services.check_period(dt.date(2026, 5, 2), dt.date(2026, 5, 1))
    assert exc.value.field == "to"
