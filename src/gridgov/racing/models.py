"""赛马比拼: scorecards (one per level and period kind), their indicators (a metric from the
registry in metrics.py, a direction, a weight and a scoring rule), and the snapshots of their
results per period, so a unit's history is read, not recomputed."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from gridgov.core.actor import Account
from gridgov.racing import metrics
from gridgov.territory.models import Level, Region

# The levels whose units may race: any level of the chain between the province and the grid
# (a province's cities, a city's districts, a district's streets, a street's communities).
LEVEL_CHOICES = [(lv.value, lv.label) for lv in Level if Level.PROVINCE < lv < Level.GRID]


class PeriodKind(models.TextChoices):
    MONTH = "month", _("月度")
    QUARTER = "quarter", _("季度")
    YEAR = "year", _("年度")


class Direction(models.TextChoices):
    HIGHER = "higher", _("越高越好")
    LOWER = "lower", _("越低越好")


class Rule(models.TextChoices):
    RANK = "rank", _("按名次计分")
    THRESHOLD = "threshold", _("按分档计分")


class ScorecardQuerySet(models.QuerySet["Scorecard"]):
    def for_user(self, user: Account) -> ScorecardQuerySet:
        """Every scorecard: a card is district-wide and any account may read it (its results are
        computed within the reader's scope, see ``services.compute``)."""
        return self.all()


class Scorecard(models.Model):
    """赛马记分卡: which units race (a city's districts and counties, streets/towns, or
    communities/villages — the village secretaries' race), over which period, and the minimum
    samples below which a unit is listed apart for an indicator instead of scored."""

    name = models.CharField(_("名称"), max_length=80, unique=True)
    level = models.PositiveSmallIntegerField(_("参赛层级"), choices=LEVEL_CHOICES)
    period_kind = models.CharField(
        _("周期"), max_length=8, choices=PeriodKind.choices, default=PeriodKind.MONTH
    )
    active = models.BooleanField(_("启用"), default=True)
    min_valid_days = models.PositiveSmallIntegerField(
        _("最少有效天数"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(366)],
        help_text=_("空气指标的有效天数少于此数的单位单列不计分；空为按 HJ 663 的要求"),
    )
    min_orders = models.PositiveSmallIntegerField(
        _("最少工单数"),
        default=5,
        validators=[MaxValueValidator(10000)],
        help_text=_("工单少于此数的单位在工单类指标中单列不计分"),
    )
    min_sources = models.PositiveSmallIntegerField(
        _("最少污染源数"),
        default=3,
        validators=[MaxValueValidator(10000)],
        help_text=_("污染源少于此数的单位在巡查覆盖率中单列不计分"),
    )
    notes = models.TextField(_("说明"), blank=True)

    objects = ScorecardQuerySet.as_manager()

    class Meta:
        ordering = ["level", "name"]
        verbose_name = _("赛马记分卡")
        verbose_name_plural = _("赛马记分卡")

    def __str__(self) -> str:
        return self.name

    def minimum(self, sample: str) -> int | None:
        """The card's minimum for a metric's sample kind; None: the metric decides (days)."""
        if sample == metrics.DAYS:
            return self.min_valid_days
        if sample == metrics.ORDERS:
            return self.min_orders
        if sample == metrics.SOURCES:
            return self.min_sources
        return 0


def _bands_error(bands: Any) -> str | None:
    if not isinstance(bands, list) or not bands:
        return str(_("分档计分需要至少一档，格式如 [[35, 100], [45, 80]]"))
    for band in bands:
        if (
            not isinstance(band, list)
            or len(band) != 2
            or not all(isinstance(x, int | float) and not isinstance(x, bool) for x in band)
            or not all(math.isfinite(x) for x in band)
        ):
            return str(_("每一档是 [界值, 得分] 两个数"))
        if not 0 <= band[1] <= 100:
            return str(_("得分在 0 到 100 之间"))
    return None


class Indicator(models.Model):
    """One indicator of a card. Rank-based: the best scores 100, the last `floor`, linearly by
    rank in between (ties share a rank and a score). Threshold: the first band the value
    reaches (≥ its bound when higher is better, ≤ when lower is) gives its score; none: `floor`."""

    scorecard = models.ForeignKey(
        Scorecard, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("记分卡")
    )
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)
    metric = models.CharField(_("指标"), max_length=40, choices=metrics.choices)
    direction = models.CharField(
        _("方向"),
        max_length=8,
        choices=Direction.choices,
        blank=True,
        help_text=_("空为指标的默认方向"),
    )
    weight = models.DecimalField(
        _("权重"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))],
    )
    rule = models.CharField(_("计分方式"), max_length=10, choices=Rule.choices, default=Rule.RANK)
    floor = models.DecimalField(
        _("最低分"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("60"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("按名次：末名得分；按分档：未达任何一档的得分"),
    )
    bands = models.JSONField(
        _("分档"),
        default=list,
        blank=True,
        help_text=_("按分档计分时填写，如 [[35, 100], [45, 80], [55, 60]]：[界值, 得分]"),
    )

    class Meta:
        ordering = ["scorecard", "position", "pk"]
        verbose_name = _("赛马指标")
        verbose_name_plural = _("赛马指标")

    def __str__(self) -> str:
        return f"{self.scorecard} · {self.label}"

    @property
    def label(self) -> str:
        found = metrics.REGISTRY.get(self.metric)
        return str(found.label) if found else self.metric

    @property
    def higher_is_better(self) -> bool:
        if self.direction:
            return self.direction == Direction.HIGHER
        found = metrics.REGISTRY.get(self.metric)
        return bool(found and found.higher_is_better)

    def clean(self) -> None:
        if self.metric not in metrics.REGISTRY:
            raise ValidationError({"metric": _("没有这个指标")})
        if self.rule == Rule.THRESHOLD:
            problem = _bands_error(self.bands)
            if problem:
                raise ValidationError({"bands": problem})


class Snapshot(models.Model):
    """A card's results for one period, stored: history pages read these rows. Taking the same
    period again replaces it. `indicators` keeps each indicator's label and weight as they were."""

    scorecard = models.ForeignKey(
        Scorecard, on_delete=models.CASCADE, related_name="snapshots", verbose_name=_("记分卡")
    )
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"))
    computed_at = models.DateTimeField(_("计算时间"))
    indicators = models.JSONField(_("指标"), default=list)
    ranked = models.PositiveIntegerField(_("参与排名单位数"), default=0)

    class Meta:
        ordering = ["scorecard", "-start"]
        verbose_name = _("赛马结果快照")
        verbose_name_plural = _("赛马结果快照")
        constraints = [
            models.UniqueConstraint(
                fields=["scorecard", "start", "end"], name="racing_snapshot_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.scorecard} {self.start}–{self.end}"


class SnapshotRow(models.Model):
    """One unit's result in a snapshot: its total and rank (null: listed apart) and per
    indicator {value, score, rank, thin, sample}, keyed by the indicator's id."""

    snapshot = models.ForeignKey(
        Snapshot, on_delete=models.CASCADE, related_name="rows", verbose_name=_("快照")
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("单位")
    )
    rank = models.PositiveIntegerField(_("名次"), null=True, blank=True)
    total = models.FloatField(_("总分"), null=True, blank=True)
    weight_covered = models.FloatField(_("计分权重占比"), default=0)
    cells = models.JSONField(_("各指标"), default=dict)

    class Meta:
        ordering = ["snapshot", "rank", "region__code"]
        verbose_name = _("赛马结果")
        verbose_name_plural = _("赛马结果")
        constraints = [
            models.UniqueConstraint(fields=["snapshot", "region"], name="racing_snapshot_unit")
        ]
        indexes = [models.Index(fields=["region", "snapshot"])]

    def __str__(self) -> str:
        return f"{self.snapshot} · {self.region_id}"
