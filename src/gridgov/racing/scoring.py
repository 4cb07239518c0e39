"""The horse race's arithmetic, pure: ranks with ties, rank-based and threshold scores, and the
weighted total re-normalised over the indicators a unit was scored on.

Rules (also in the docs):
- **Ranks**: standard competition ranking — equal values share a rank and the next rank skips
  (1, 2, 2, 4). Values are compared as given (the metrics round them as the pages show them).
- **Rank-based score**: of n ranked units, rank r scores 100 − (r − 1) × (100 − floor) / (n − 1):
  the best 100, the last `floor`, linear in between; tied units share a rank, so a score. A single
  ranked unit scores 100.
- **Threshold score**: bands are (bound, score). A band is reached when value ≥ bound
  (higher-better) or value ≤ bound (lower-better); the value scores the highest score among the
  bands it reaches, `floor` when it reaches none.
- **Total**: Σ weight × score ÷ Σ weight, over the indicators on which the unit was scored (not
  listed apart for a thin sample, not without a value). A unit scored on none has no total and is
  listed apart. `covered` = the share of the card's weight behind the total.
- Scores and totals are rounded to two decimals; totals rank after rounding.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import TypeVar

K = TypeVar("K", bound=Hashable)


def competition_ranks(values: Mapping[K, float], higher_is_better: bool) -> dict[K, int]:
    """Rank 1 is the best; equal values share a rank (1, 2, 2, 4)."""
    ordered = sorted(values.items(), key=lambda kv: -kv[1] if higher_is_better else kv[1])
    ranks: dict[K, int] = {}
    previous: float | None = None
    rank = 0
    for i, (key, value) in enumerate(ordered, start=1):
        if value != previous:
            rank = i
            previous = value
        ranks[key] = rank
    return ranks


def rank_score(rank: int, n: int, floor: float) -> float:
    """Rank r of n: 100 for the first, `floor` for rank n, linear between."""
    if n <= 1:
        return 100.0
    return round(100.0 - (rank - 1) * (100.0 - floor) / (n - 1), 2)


def rank_scores(
    values: Mapping[K, float], higher_is_better: bool, floor: float
) -> dict[K, tuple[int, float]]:
    """Each unit's (rank, score) under the rank-based rule."""
    ranks = competition_ranks(values, higher_is_better)
    n = len(ranks)
    return {k: (r, rank_score(r, n, floor)) for k, r in ranks.items()}


def threshold_score(
    value: float, bands: Sequence[Sequence[float]], higher_is_better: bool, floor: float
) -> float:
    """The highest score among the bands the value reaches; `floor` when it reaches none."""
    reached = [
        float(score)
        for bound, score in bands
        if (value >= bound if higher_is_better else value <= bound)
    ]
    return round(max(reached, default=float(floor)), 2)


def weighted_total(
    scores: Mapping[K, float | None], weights: Mapping[K, float]
) -> tuple[float | None, float]:
    """(Σ w·s ÷ Σ w over the scored indicators, the share of the whole weight they carry)."""
    whole = sum(weights.values())
    scored = {k: s for k, s in scores.items() if s is not None}
    weight = sum(weights[k] for k in scored)
    if not scored or weight <= 0:
        return None, 0.0
    total = sum(weights[k] * s for k, s in scored.items()) / weight
    return round(total, 2), round(weight / whole, 4) if whole else 0.0
