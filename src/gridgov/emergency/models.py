"""重污染天气应急: warning levels declared for a period, the measures each level carries per
category, and the record of what was ordered and done while it lasted."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gridgov.core.actor import Account
from gridgov.sources.categories import CHOICES


class Level(models.IntegerChoices):
    """预警级别 (GB/T 27967 colours): red is the highest."""

    YELLOW = 1, _("黄色预警")
    ORANGE = 2, _("橙色预警")
    RED = 3, _("红色预警")


class Measure(models.Model):
    """应急措施: what one level asks of one category (e.g. 橙色: 工地停止土石方作业).

    A measure applies at its level and every higher level. `grades` narrows an enterprise
    measure to emission-performance grades (e.g. "CD"); `suspend` means the sources it applies
    to must stop; `inspection_interval_days` tightens the inspection plan while it lasts.
    """

    level = models.PositiveSmallIntegerField(_("起始级别"), choices=Level.choices)
    category = models.CharField(_("污染源类别"), max_length=20, choices=CHOICES)
    text = models.CharField(_("措施内容"), max_length=200)
    text_en = models.CharField(_("英文内容"), max_length=200, blank=True)
    grades = models.CharField(
        _("适用绩效等级"), max_length=4, blank=True, help_text=_("如 CD；空为全部")
    )
    # Narrows the measure to sources whose kind (vehicles, fireworks points, burning spots) or
    # phase (construction sites) is listed, e.g. "muck_truck" or "earthwork,demolition".
    kinds = models.CharField(
        _("适用类型"),
        max_length=120,
        blank=True,
        help_text=_("车辆类型、点位类型或工地阶段，逗号分隔；空为全部"),
    )
    # Measures of one group replace each other as the level rises (C 级企业: 橙色限产 → 红色停产):
    # at a level only the group's highest measure applies.
    group = models.SlugField(
        _("措施组"),
        max_length=40,
        blank=True,
        help_text=_("同组措施在较高级别时只执行最高一级"),
    )
    suspend = models.BooleanField(_("停工停产"), default=False)
    inspection_interval_days = models.PositiveSmallIntegerField(_("巡查周期(天)"), default=1)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["level", "category", "pk"]
        verbose_name = _("应急措施")
        verbose_name_plural = _("应急措施")

    def __str__(self) -> str:
        return self.text

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from gridgov.emergency.services import kinds_of, valid_kinds

        errors: dict[str, Any] = {}
        grades = self.grades.upper().strip()
        if grades and (self.category != "enterprise" or set(grades) - set("ABCD")):
            errors["grades"] = _("绩效等级只适用于工业企业，取 A、B、C、D")
        self.grades = grades
        allowed = valid_kinds(self.category) if self.category else set()
        wrong = kinds_of(self) - allowed
        if wrong:
            errors["kinds"] = _("该类别可用的类型：%(kinds)s") % {
                "kinds": "、".join(sorted(allowed)) or "—"
            }
        if errors:
            raise ValidationError(errors)


class WarningQuerySet(models.QuerySet["Warning"]):
    def for_user(self, user: Account) -> WarningQuerySet:
        """Every warning: a declared level is district-wide and every account may see it (the
        record's figures are scoped, see ``services.compliance``)."""
        return self.all()


class Warning(models.Model):
    """预警: one declared level over [starts_at, ends_at); ended early is recorded, never
    deleted. Raising or lowering the level is a new warning that supersedes this one."""

    level = models.PositiveSmallIntegerField(_("预警级别"), choices=Level.choices)
    starts_at = models.DateTimeField(_("开始时间"), db_index=True)
    ends_at = models.DateTimeField(_("结束时间"), db_index=True)
    reason = models.TextField(_("启动理由"), blank=True)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发布人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    declared_at = models.DateTimeField(_("发布时间"))
    ended_early_at = models.DateTimeField(_("提前解除时间"), null=True, blank=True)
    end_reason = models.TextField(_("解除理由"), blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("解除人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    superseded_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    commands = models.ManyToManyField("inbox.Command", blank=True, related_name="+")

    objects = WarningQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("重污染天气预警")
        verbose_name_plural = _("重污染天气预警")

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.starts_at:%Y-%m-%d}"

    @property
    def effective_end(self) -> Any:
        return self.ended_early_at or self.ends_at


class AffectedSource(models.Model):
    """涉及污染源: a source the warning's measures apply to, fixed when the warning is declared
    (so its record does not change with the registry), with the street and community it falls
    in, the measures, whether it must suspend, and how often it must be inspected meanwhile."""

    warning = models.ForeignKey(Warning, on_delete=models.CASCADE, related_name="affected")
    source = models.ForeignKey(
        "sources.PollutionSource",
        verbose_name=_("污染源"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    category = models.CharField(_("污染源类别"), max_length=20, choices=CHOICES)
    street = models.ForeignKey(
        "territory.Region", verbose_name=_("街道/镇"), on_delete=models.PROTECT, related_name="+"
    )
    community = models.ForeignKey(
        "territory.Region", verbose_name=_("社区/村"), on_delete=models.PROTECT, related_name="+"
    )
    region_path = models.CharField(max_length=255, db_index=True)
    measures = models.ManyToManyField(Measure, related_name="+")
    suspend = models.BooleanField(_("停工停产"), default=False)
    interval_days = models.PositiveSmallIntegerField(_("巡查周期(天)"))

    class Meta:
        ordering = ["warning", "category", "source"]
        verbose_name = _("涉及污染源")
        verbose_name_plural = _("涉及污染源")
        constraints = [
            models.UniqueConstraint(fields=["warning", "source"], name="uniq_warning_source")
        ]

    def __str__(self) -> str:
        return f"{self.warning_id} {self.source_id}"


class RecommendationStatus(models.TextChoices):
    PENDING = "pending", _("待处理")
    DECLARED = "declared", _("已发布预警")
    DISMISSED = "dismissed", _("不予采纳")
    # A newer forecast no longer calls it, a warning at its level or higher was declared
    # otherwise, or its dates passed undecided.
    LAPSED = "lapsed", _("已失效")


MAX_DISMISS_REASON = 200


class Recommendation(models.Model):
    """预警建议: the level the trigger rules (emergency/warning_rules.py) call on one forecast
    issue of the district, with the forecast behind it; the command office declares a warning
    from it or dismisses it with a reason. One per issue and level. Scored at read time
    against the observed days (emergency/recommending.py), never here."""

    level = models.PositiveSmallIntegerField(_("建议级别"), choices=Level.choices)
    issued_at = models.DateTimeField(_("预报发布时间"))
    created_at = models.DateTimeField(_("生成时间"))
    first_date = models.DateField(_("预报首日"))
    last_date = models.DateField(_("预报末日"))
    # {"issued_at", "basis", "stations", "days": [{"date", "lead", "aqi", "aqi_lo", "aqi_hi",
    #  "level", "primary", "in_rule"}], "rules": {level name: [condition]}, "condition": {…}}
    forecast = models.JSONField(_("预报依据"))
    rule = models.CharField(_("触发规则"), max_length=255)
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=RecommendationStatus.choices,
        default=RecommendationStatus.PENDING,
        db_index=True,
    )
    warning = models.ForeignKey(
        Warning,
        verbose_name=_("发布的预警"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="recommendations",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    reason = models.CharField(_("理由"), max_length=MAX_DISMISS_REASON, blank=True)

    class Meta:
        ordering = ["-issued_at", "-level"]
        verbose_name = _("预警建议")
        verbose_name_plural = _("预警建议")
        constraints = [
            models.UniqueConstraint(fields=["issued_at", "level"], name="uniq_recommendation_issue")
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.issued_at:%Y-%m-%d %H:%M}"
