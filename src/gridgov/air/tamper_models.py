"""Suspected tampering (干扰疑点): what air/tampering.py found, and what a reviewer decided.
Loaded with the app's models (AirConfig.import_models), kept apart from models.py."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gridgov.air.models import Station
from gridgov.air.upkeep_models import MaintenanceIssue

if TYPE_CHECKING:
    from gridgov.core.actor import Account


class TamperKind(models.TextChoices):
    SPRAY = "spray", _("喷淋/雾炮干扰")
    FLAT = "flat", _("数据过于平稳")
    CLOCK = "clock", _("时钟过于规律")


class TamperStatus(models.TextChoices):
    OPEN = "open", _("待核查")
    CONFIRMED = "confirmed", _("确认干扰")
    DISMISSED = "dismissed", _("排除")


class TamperQuerySet(models.QuerySet["TamperFinding"]):
    def for_user(self, user: Account) -> TamperQuerySet:
        """Findings of the stations the account's review scope covers (as the data review)."""
        from gridgov.air.review import reviewable_stations

        return self.filter(station__in=reviewable_stations(user))


class TamperFinding(models.Model):
    """干扰疑点: one detector's finding on a station's hour (spray) or day (flat, clock), with the
    numbers behind it. The values it covers are marked Flag.TAMPER (suspect: they count until
    a data reviewer decides on them); a reviewer confirms the finding (optionally asking the
    station's operator for an inspection) or dismisses it. One row per station, kind and
    start: a scan that runs again finds the same rows."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="tamper_findings")
    kind = models.CharField(_("类型"), max_length=8, choices=TamperKind.choices)
    start = models.DateTimeField(_("开始时间"))
    end = models.DateTimeField(_("结束时间"), help_text=_("不含"))
    pollutants = models.JSONField(_("污染物"), default=list)
    evidence = models.JSONField(_("依据"), default=dict)
    status = models.CharField(
        _("状态"), max_length=12, choices=TamperStatus.choices, default=TamperStatus.OPEN
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("核查人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("核查时间"), null=True, blank=True)
    reason = models.CharField(_("理由"), max_length=200, blank=True)
    issue = models.ForeignKey(
        MaintenanceIssue,
        verbose_name=_("现场核查"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("发现时间"), auto_now_add=True)

    objects = TamperQuerySet.as_manager()

    class Meta:
        db_table = "air_tamper_finding"
        ordering = ["-start", "-pk"]
        indexes = [models.Index(fields=["status", "start"], name="air_tamper_status")]
        verbose_name = _("干扰疑点")
        verbose_name_plural = _("干扰疑点")
        constraints = [
            models.UniqueConstraint(
                fields=["station", "kind", "start"], name="one_tamper_finding_per_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.station_id} {self.kind} {self.start:%Y-%m-%d %H:%M}"
