"""The arithmetic alone (racing/scoring.py), on numbers worked out by hand."""

from __future__ import annotations

import pytest

from gridgov.racing import scoring


def test_ties_share_a_rank_and_the_next_rank_is_skipped():
    values = {"a": 40.0, "b": 45.0, "c": 45.0, "d": 50.0}
    assert scoring.competition_ranks(values, higher_is_better=False) == {
        "a": 1,
        "b": 2,
        "c": 2,
        "d": 4,
    }
    assert scoring.competition_ranks(values, higher_is_better=True) == {
        "d": 1,
        "b": 2,
        "c": 2,
        "a": 4,
    }


def test_rank_scores_run_from_full_marks_to_the_floor_and_ties_score_alike():
    # 4 units, floor 60: a step of (100 - 60) / 3 = 13.333… per rank.
    scored = scoring.rank_scores({"a": 40, "b": 45, "c": 45, "d": 50}, False, floor=60)
    assert scored == {"a": (1, 100.0), "b": (2, 86.67), "c": (2, 86.67), "d": (4, 60.0)}
    # Five units, floor 0: 100, 75, 50, 25, 0.
    five = scoring.rank_scores(dict(zip("abcde", [1, 2, 3, 4, 5], strict=True)), True, floor=0)
    assert [five[k][1] for k in "edcba"] == [100.0, 75.0, 50.0, 25.0, 0.0]
    # A field of one: full marks.
    assert scoring.rank_scores({"a": 7}, True, floor=60) == {"a": (1, 100.0)}
    # Everyone tied: everyone first.
    tied = scoring.rank_scores({"a": 3, "b": 3}, True, floor=60)
    assert tied == {"a": (1, 100.0), "b": (1, 100.0)}


@pytest.mark.parametrize(
    ("value", "expected"),
    [(95, 100), (90, 100), (89.9, 80), (80, 80), (70, 60), (60, 60), (59.9, 0), (0, 0)],
)
def test_threshold_bands_higher_is_better(value, expected):
    bands = [[90, 100], [80, 80], [60, 60]]
    assert scoring.threshold_score(value, bands, higher_is_better=True, floor=0) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(30, 100), (35, 100), (35.1, 80), (45, 80), (55, 60), (55.1, 40), (200, 40)],
)
def test_threshold_bands_lower_is_better(value, expected):
    # PM2.5: ≤ 35 → 100, ≤ 45 → 80, ≤ 55 → 60, above: the floor (40). Band order does not matter.
    bands = [[55, 60], [35, 100], [45, 80]]
    assert scoring.threshold_score(value, bands, higher_is_better=False, floor=40) == expected


def test_total_is_renormalised_over_the_indicators_scored():
    weights = {"pm": 30.0, "rate": 20.0}
    # Both scored: (30 × 86.67 + 20 × 80) / 50 = 84.002 → 84.0, the whole weight.
    assert scoring.weighted_total({"pm": 86.67, "rate": 80.0}, weights) == (84.0, 1.0)
    # The rate listed apart: the total is the PM score alone, on 30 of 50 weight.
    assert scoring.weighted_total({"pm": 86.67, "rate": None}, weights) == (86.67, 0.6)
    # Nothing scored: no total.
    assert scoring.weighted_total({"pm": None, "rate": None}, weights) == (None, 0.0)
