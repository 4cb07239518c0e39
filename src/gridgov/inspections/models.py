"""巡查检查: checklists per category, inspections with GPS proof, rectifications (整改) and
inspection plans (how often each category is inspected, stricter in an emergency)."""

from __future__ import annotations

from typing import cast

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gridgov.core.actor import Account
from gridgov.people.models import Person
from gridgov.sources.categories import CHOICES
from gridgov.sources.models import PollutionSource


class ChecklistItem(models.Model):
    """检查项: one line of a category's checklist (e.g. 工地周边围挡)."""

    category = models.CharField(_("污染源类别"), max_length=20, choices=CHOICES, db_index=True)
    code = models.SlugField(_("代码"), max_length=40)
    text = models.CharField(_("检查内容"), max_length=200)
    text_en = models.CharField(_("英文内容"), max_length=200, blank=True)
    # Days the responsible person gets to put a failed item right.
    rectify_days = models.PositiveSmallIntegerField(_("整改期限(天)"), default=3)
    active = models.BooleanField(_("启用"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["category", "sort_order", "code"]
        verbose_name = _("检查项")
        verbose_name_plural = _("检查项")
        constraints = [
            models.UniqueConstraint(fields=["category", "code"], name="uniq_checklist_item")
        ]

    def __str__(self) -> str:
        return self.text


class InspectionPlan(models.Model):
    """巡查计划: every active source of the category is inspected at least every
    `interval_days`; while a heavy-pollution warning is in force, every
    `emergency_interval_days`."""

    category = models.CharField(_("污染源类别"), max_length=20, choices=CHOICES, unique=True)
    interval_days = models.PositiveSmallIntegerField(_("巡查周期(天)"))
    emergency_interval_days = models.PositiveSmallIntegerField(_("应急期间巡查周期(天)"), default=1)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["category"]
        verbose_name = _("巡查计划")
        verbose_name_plural = _("巡查计划")

    def __str__(self) -> str:
        return f"{self.get_category_display()} · {self.interval_days}"


class InspectionQuerySet(models.QuerySet["Inspection"]):
    def for_user(self, user: Account) -> InspectionQuerySet:
        """Inspections of the sources the account may see (``services.inspections_for``)."""
        from gridgov.inspections.services import inspections_for

        # The helper filters this queryset, so the rows keep its class.
        return cast(InspectionQuerySet, inspections_for(user, self))


class Inspection(models.Model):
    """检查记录: one visit to one source, with the inspector's position and time as proof."""

    class Result(models.TextChoices):
        PASSED = "passed", _("合格")
        FAILED = "failed", _("不合格")

    source = models.ForeignKey(
        PollutionSource,
        verbose_name=_("污染源"),
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    inspector = models.ForeignKey(
        Person, verbose_name=_("检查人"), on_delete=models.PROTECT, related_name="inspections"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("检查时间"), db_index=True)
    lat = models.FloatField(_("检查位置纬度"))
    lon = models.FloatField(_("检查位置经度"))
    accuracy_m = models.FloatField(_("定位精度(米)"), null=True, blank=True)
    distance_m = models.FloatField(_("距污染源(米)"))
    # Recorded farther from the source than allowed: kept, but marked for a person to judge.
    far = models.BooleanField(_("位置存疑"), default=False)
    result = models.CharField(_("结论"), max_length=8, choices=Result.choices)
    note = models.TextField(_("检查情况"), blank=True)
    # A re-inspection (复查) of the rectification it closes or keeps open.
    rectification = models.ForeignKey(
        "Rectification",
        verbose_name=_("复查的整改"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reinspections",
    )
    region_path = models.CharField(max_length=255, db_index=True)
    submission_key = models.CharField(max_length=40, null=True, blank=True, unique=True)
    created_at = models.DateTimeField()

    objects = InspectionQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("检查记录")
        verbose_name_plural = _("检查记录")
        indexes = [models.Index(fields=["source", "at"], name="inspection_source_at")]

    def __str__(self) -> str:
        return f"{self.source_id} {self.at:%Y-%m-%d %H:%M} {self.result}"


class InspectionItem(models.Model):
    """One ticked line of an inspection's checklist."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="items")
    item = models.ForeignKey(ChecklistItem, verbose_name=_("检查项"), on_delete=models.PROTECT)
    passed = models.BooleanField(_("合格"))
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["inspection", "item"], name="uniq_inspection_item")
        ]

    def __str__(self) -> str:
        return f"{self.inspection_id} {self.item_id} {'✓' if self.passed else '✗'}"


class InspectionPhotoQuerySet(models.QuerySet["InspectionPhoto"]):
    def for_user(self, user: Account) -> InspectionPhotoQuerySet:
        """Photos of the inspections the account may see (``services.inspections_for``)."""
        from gridgov.inspections.services import inspections_for

        return self.filter(inspection__in=inspections_for(user).values("pk"))


class InspectionPhoto(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="photos")
    file = models.CharField(max_length=200)  # relative to the media folder
    content_type = models.CharField(max_length=40)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size = models.PositiveIntegerField()
    original_name = models.CharField(max_length=200, blank=True)
    taken_at = models.DateTimeField(null=True, blank=True)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)

    objects = InspectionPhotoQuerySet.as_manager()

    def __str__(self) -> str:
        return self.file


class RectificationQuerySet(models.QuerySet["Rectification"]):
    def for_user(self, user: Account) -> RectificationQuerySet:
        """Rectifications of the sources the account may see, and those dispatched to its person
        (``services.rectifications_for``)."""
        from gridgov.inspections.services import rectifications_for

        # The helper filters this queryset, so the rows keep its class.
        return cast(RectificationQuerySet, rectifications_for(user, self))


class Rectification(models.Model):
    """整改: what a failed inspection asks of the source's responsible person, by a deadline,
    carried by a work order; a passing re-inspection closes it."""

    class State(models.TextChoices):
        OPEN = "open", _("整改中")
        CLOSED = "closed", _("已整改")

    inspection = models.OneToOneField(
        Inspection,
        verbose_name=_("检查记录"),
        on_delete=models.PROTECT,
        related_name="rectification_made",
    )
    source = models.ForeignKey(
        PollutionSource,
        verbose_name=_("污染源"),
        on_delete=models.PROTECT,
        related_name="rectifications",
    )
    order = models.OneToOneField(
        "workorders.WorkOrder",
        verbose_name=_("整改工单"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rectification",
    )
    failed_items = models.ManyToManyField(
        ChecklistItem, verbose_name=_("不合格项"), related_name="+"
    )
    due_date = models.DateField(_("整改期限"))
    state = models.CharField(
        _("状态"), max_length=8, choices=State.choices, default=State.OPEN, db_index=True
    )
    closed_at = models.DateTimeField(_("整改完成时间"), null=True, blank=True)
    region_path = models.CharField(max_length=255, db_index=True)
    created_at = models.DateTimeField()

    objects = RectificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("整改")
        verbose_name_plural = _("整改")

    def __str__(self) -> str:
        return f"{self.source_id} {self.due_date} {self.state}"
