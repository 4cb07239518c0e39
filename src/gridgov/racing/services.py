"""赛马比拼: a scorecard's results for a period (`compute`), stored per period (`snapshot`),
a unit's history (`history`) and the short summary the overview and the bulletin show
(`card_summary`).

Every unit of the card's level races, whoever asks: the metrics read as the command office does
(metrics.EVERYONE), ranks and rank-based scores are over the whole field. Only then are the rows
cut to what the viewer may see (people.scope), so a street official sees its street's row on
the street card with its rank among all streets, and its own communities on the village card.

Periods: a card's current period ends on the last day of `air.periods.default_period()` (the
month to date, the previous month in a month's first days) and starts on the first day of that
day's month, quarter or year. "Previous" is the whole period before it, read from its snapshot
when one is stored, computed otherwise.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.air.assessment import required_days
from gridgov.air.periods import default_period
from gridgov.core.actor import Account, Reader
from gridgov.errors import NOT_FOUND, FieldRefusal
from gridgov.people import scope
from gridgov.racing import metrics, scoring
from gridgov.racing.models import PeriodKind, Rule, Scorecard, Snapshot, SnapshotRow
from gridgov.territory.models import Region

MAX_PERIOD_DAYS = 3660


class RacingError(FieldRefusal):
    """A request the horse race cannot answer; `field` names the input at fault."""


class NotFound(RacingError):
    """No such card or unit, or not one the account may see (the same answer)."""

    kind = NOT_FOUND


# --- periods ---------------------------------------------------------------------------------


def period_start(kind: str, day: dt.date) -> dt.date:
    if kind == PeriodKind.YEAR:
        return day.replace(month=1, day=1)
    if kind == PeriodKind.QUARTER:
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    return day.replace(day=1)


def period_for(kind: str, on: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The card's current period: to the default period's last day, from its month's, quarter's
    or year's first day."""
    end = default_period(on)[1]
    return period_start(kind, end), end


def previous_period(kind: str, start: dt.date) -> tuple[dt.date, dt.date]:
    """The whole period of `kind` before the one holding `start`."""
    end = period_start(kind, start) - dt.timedelta(days=1)
    return period_start(kind, end), end


def check_period(start: dt.date, end: dt.date) -> None:
    if end < start:
        raise RacingError("to", _("结束日期不能早于开始日期"))
    if (end - start).days > MAX_PERIOD_DAYS:
        raise RacingError("to", _("统计期不能超过十年"))


# --- results ---------------------------------------------------------------------------------


@dataclass
class Cell:
    value: float | None
    sample: int | None
    thin: bool = False  # listed apart: too small a sample
    rank: int | None = None  # among the units scored on this indicator
    score: float | None = None


@dataclass
class IndicatorInfo:
    id: int
    metric: str
    label: str
    unit: str
    weight: float
    higher_is_better: bool
    rule: str
    floor: float
    bands: list[list[float]]
    sample: str | None
    minimum: int | None  # the thin-sample rule's minimum, None when the metric has none
    thin: list[str] = field(default_factory=list)  # names of units listed apart (visible ones)
    no_data: list[str] = field(default_factory=list)


@dataclass
class Row:
    region_id: int
    code: str
    name: str
    cells: dict[int, Cell]
    total: float | None
    rank: int | None  # None: listed apart (scored on no indicator)
    covered: float  # share of the card's weight behind the total
    previous_total: float | None = None
    previous_rank: int | None = None

    @property
    def total_change(self) -> float | None:
        if self.total is None or self.previous_total is None:
            return None
        return round(self.total - self.previous_total, 2)

    @property
    def rank_change(self) -> int | None:
        """Places gained since the previous period (positive: up)."""
        if self.rank is None or self.previous_rank is None:
            return None
        return self.previous_rank - self.rank

    @property
    def places_lost(self) -> int:
        change = self.rank_change
        return -change if change is not None and change < 0 else 0


@dataclass
class CardResult:
    scorecard: Scorecard
    start: dt.date
    end: dt.date
    indicators: list[IndicatorInfo]
    rows: list[Row]  # visible rows: ranked by rank, then those listed apart
    ranked: int  # units ranked in the whole field
    units: int  # units in the whole field
    previous: tuple[dt.date, dt.date] | None = None

    @property
    def ranked_rows(self) -> list[Row]:
        return [r for r in self.rows if r.rank is not None]

    @property
    def apart_rows(self) -> list[Row]:
        return [r for r in self.rows if r.rank is None]


def units_of(card: Scorecard) -> list[Region]:
    return list(Region.objects.active().filter(level=card.level).defer("geometry").order_by("code"))


def _minimum(card: Scorecard, metric: metrics.Metric, start: dt.date, end: dt.date) -> int | None:
    if metric.sample is None:
        return None
    need = card.minimum(metric.sample)
    if need is None and metric.sample == metrics.DAYS:
        need = required_days(start, end)  # HJ 663, as the air rankings
    return need


def score_card(card: Scorecard, start: dt.date, end: dt.date) -> CardResult:
    """Every unit's results on the card for [start, end], unscoped, without the previous period."""
    check_period(start, end)
    units = units_of(card)
    indicators: list[IndicatorInfo] = []
    cells: dict[int, dict[int, Cell]] = {u.pk: {} for u in units}
    for ind in card.indicators.all():
        metric = metrics.REGISTRY.get(ind.metric)
        if metric is None:
            continue  # a metric no longer registered scores nothing
        need = _minimum(card, metric, start, end)
        info = IndicatorInfo(
            id=ind.pk,
            metric=ind.metric,
            label=str(metric.label),
            unit=metric.unit,
            weight=float(ind.weight),
            higher_is_better=ind.higher_is_better,
            rule=ind.rule,
            floor=float(ind.floor),
            bands=[[float(b), float(s)] for b, s in (ind.bands or [])],
            sample=metric.sample,
            minimum=need,
        )
        indicators.append(info)
        readings = metric(units, start, end)
        scored: dict[int, float] = {}
        for u in units:
            reading = readings.get(u.pk, metrics.Reading(None, 0))
            thin = need is not None and (reading.sample or 0) < need
            cell = Cell(reading.value, reading.sample, thin=thin and reading.value is not None)
            cells[u.pk][ind.pk] = cell
            if reading.value is not None and not thin:
                scored[u.pk] = reading.value
        ranks = scoring.competition_ranks(scored, info.higher_is_better)
        for pk, value in scored.items():
            cell = cells[pk][ind.pk]
            cell.rank = ranks[pk]
            if ind.rule == Rule.THRESHOLD:
                cell.score = scoring.threshold_score(
                    value, info.bands, info.higher_is_better, info.floor
                )
            else:
                cell.score = scoring.rank_score(ranks[pk], len(ranks), info.floor)
    weights = {i.id: i.weight for i in indicators}
    rows: list[Row] = []
    for u in units:
        total, covered = scoring.weighted_total(
            {i: c.score for i, c in cells[u.pk].items()}, weights
        )
        rows.append(Row(u.pk, u.code, u.name, cells[u.pk], total, None, covered))
    totals = {r.region_id: r.total for r in rows if r.total is not None}
    overall = scoring.competition_ranks(totals, higher_is_better=True)
    for r in rows:
        r.rank = overall.get(r.region_id)
    rows.sort(key=lambda r: (r.rank is None, r.rank or 0, r.code))
    return CardResult(card, start, end, indicators, rows, len(overall), len(units))


Standing = dict[int, tuple[float | None, int | None]]  # region id → (total, rank)


def _stored(card: Scorecard, start: dt.date, end: dt.date) -> Standing | None:
    snap = Snapshot.objects.filter(scorecard=card, start=start, end=end).first()
    if snap is None:
        return None
    return {r.region_id: (r.total, r.rank) for r in snap.rows.all()}


def _visible(rows: list[Row], user: Reader | None) -> list[Row]:
    paths = scope.scope_paths(user)
    if paths is scope.ALL:
        return rows
    ids = set(
        scope.regions_for(
            user, Region.objects.filter(pk__in=[r.region_id for r in rows])
        ).values_list("pk", flat=True)
    )
    return [r for r in rows if r.region_id in ids]


def compute(
    card: Scorecard,
    start: dt.date,
    end: dt.date,
    user: Reader | None = None,
    *,
    with_previous: bool = True,
) -> CardResult:
    """The card's results for [start, end]: each unit's values, scores, total, rank, and its
    total and rank in the previous period. With a `user`, only the rows of units in its scope
    (ranks stay those of the whole field); without one, every row."""
    result = score_card(card, start, end)
    if with_previous:
        p_start, p_end = previous_period(card.period_kind, start)
        before = _stored(card, p_start, p_end)
        if before is None:
            earlier = score_card(card, p_start, p_end)
            before = {r.region_id: (r.total, r.rank) for r in earlier.rows}
        for r in result.rows:
            r.previous_total, r.previous_rank = before.get(r.region_id, (None, None))
        result.previous = (p_start, p_end)
    if user is not None:
        result.rows = _visible(result.rows, user)
        names = {r.region_id: r.name for r in result.rows}
        for info in result.indicators:
            info.thin = [names[r.region_id] for r in result.rows if r.cells[info.id].thin]
            info.no_data = [
                names[r.region_id] for r in result.rows if r.cells[info.id].value is None
            ]
    else:
        for info in result.indicators:
            info.thin = [r.name for r in result.rows if r.cells[info.id].thin]
            info.no_data = [r.name for r in result.rows if r.cells[info.id].value is None]
    return result


# --- snapshots and history -------------------------------------------------------------------


def _cell_json(c: Cell) -> dict[str, Any]:
    return {"value": c.value, "sample": c.sample, "thin": c.thin, "rank": c.rank, "score": c.score}


@transaction.atomic
def snapshot(
    card: Scorecard, start: dt.date, end: dt.date, now: dt.datetime | None = None
) -> Snapshot:
    """Compute the card for the period and store it, replacing a stored one of the same period.
    One transaction, the card's row locked: two processes taking the same card at once take
    turns (the second replaces the first's), neither fails on the period's unique row and no
    reader sees the period missing between the delete and the insert."""
    with transaction.atomic():
        Scorecard.objects.select_for_update().filter(pk=card.pk).first()
        return _replace_snapshot(card, start, end, now)


def _replace_snapshot(
    card: Scorecard, start: dt.date, end: dt.date, now: dt.datetime | None
) -> Snapshot:
    result = score_card(card, start, end)
    Snapshot.objects.filter(scorecard=card, start=start, end=end).delete()
    snap = Snapshot.objects.create(
        scorecard=card,
        start=start,
        end=end,
        computed_at=now or timezone.now(),
        ranked=result.ranked,
        indicators=[
            {"id": i.id, "metric": i.metric, "label": i.label, "weight": i.weight}
            for i in result.indicators
        ],
    )
    SnapshotRow.objects.bulk_create(
        SnapshotRow(
            snapshot=snap,
            region_id=r.region_id,
            rank=r.rank,
            total=r.total,
            weight_covered=r.covered,
            cells={str(k): _cell_json(c) for k, c in r.cells.items()},
        )
        for r in result.rows
    )
    return snap


def snapshot_due(
    on: dt.date | None = None, now: dt.datetime | None = None, *, replace: bool = False
) -> list[Snapshot]:
    """Store every active card's last whole period before `on` (the worker's monthly job), once:
    a period already stored (by an earlier or a doubled run, another worker) is left as it is,
    unless `replace` (the operator's command recomputes it)."""
    on = on or default_period()[1]
    done = []
    for card in Scorecard.objects.filter(active=True):
        start, end = previous_period(card.period_kind, on)
        with transaction.atomic():
            Scorecard.objects.select_for_update().filter(pk=card.pk).first()
            stored = Snapshot.objects.filter(scorecard=card, start=start, end=end).first()
            if stored is None or replace:
                stored = _replace_snapshot(card, start, end, now)
            done.append(stored)
    return done


@dataclass
class HistoryPoint:
    card_id: int
    card: str
    start: dt.date
    end: dt.date
    rank: int | None
    total: float | None
    ranked: int  # units ranked that period


def visible_unit(user: Account, region_id: int) -> Region:
    """The region, if the account may see it; otherwise NotFound (the same as no such unit)."""
    region = scope.regions_for(user, Region.objects.defer("geometry")).filter(pk=region_id).first()
    if region is None:
        raise NotFound("region_id", _("单位不存在"))
    return region


def history(user: Account, region_id: int) -> tuple[Region, list[HistoryPoint]]:
    """A unit's stored results, per card and period, oldest first."""
    region = visible_unit(user, region_id)
    rows = (
        SnapshotRow.objects.filter(region=region)
        .select_related("snapshot__scorecard")
        .order_by("snapshot__scorecard__name", "snapshot__start", "snapshot__end")
    )
    return region, [
        HistoryPoint(
            card_id=r.snapshot.scorecard_id,
            card=r.snapshot.scorecard.name,
            start=r.snapshot.start,
            end=r.snapshot.end,
            rank=r.rank,
            total=r.total,
            ranked=r.snapshot.ranked,
        )
        for r in rows
    ]


def get_card(card_id: int, *, active_only: bool = False) -> Scorecard:
    qs = Scorecard.objects.prefetch_related("indicators")
    if active_only:
        qs = qs.filter(active=True)
    card = qs.filter(pk=card_id).first()
    if card is None:
        raise NotFound("id", _("记分卡不存在"))
    return card


# --- the summary for the overview and the bulletin -------------------------------------------


@dataclass
class SummaryRow:
    region_id: int
    code: str
    name: str
    rank: int
    total: float
    rank_change: int | None


@dataclass
class CardSummary:
    card_id: int
    name: str
    level: int
    start: dt.date
    end: dt.date
    ranked: int  # units ranked in the whole field
    top: list[SummaryRow]  # the best three the viewer may see
    bottom: list[SummaryRow]  # the last three the viewer may see, none of them in `top`
    apart: int  # visible units listed apart (scored on no indicator)


def card_summary(user: Account, today: dt.date | None = None) -> list[CardSummary]:
    """Each active card for its current period: the top and bottom three of the rows the
    account may see (ranks among the whole field)."""
    out = []
    for card in Scorecard.objects.filter(active=True).prefetch_related("indicators"):
        start, end = period_for(card.period_kind, today)
        result = compute(card, start, end, user)
        ranked = [
            SummaryRow(r.region_id, r.code, r.name, r.rank, r.total, r.rank_change)
            for r in result.ranked_rows
            if r.rank is not None and r.total is not None
        ]
        top = ranked[:3]
        bottom = [r for r in ranked[-3:] if r not in top]
        out.append(
            CardSummary(
                card.pk,
                card.name,
                card.level,
                start,
                end,
                result.ranked,
                top,
                bottom,
                len(result.apart_rows),
            )
        )
    return out


def active_cards_below(level: int) -> Any:
    """The active scorecards of the levels below `level` (a street's cards for a district),
    by level, with their indicators."""
    return (
        Scorecard.objects.filter(active=True, level__gt=level)
        .prefetch_related("indicators")
        .order_by("level", "pk")
    )
