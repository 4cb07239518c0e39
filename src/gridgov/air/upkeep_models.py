"""Sensor upkeep (运维): who operates a station, the calibrations applied to its values, and the
maintenance issues (a device fault, a calibration due, a long silence) that open work orders.

Loaded with the app's models (AirConfig.import_models), kept apart from models.py."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridgov.air.models import Station


class StationOperator(models.Model):
    """运维单位: the organisation that maintains a station (a vendor or an operations company).
    Stations without one are ranked under "未登记运维单位"."""

    station = models.OneToOneField(
        Station, primary_key=True, on_delete=models.CASCADE, related_name="operator"
    )
    name = models.CharField(_("运维单位"), max_length=100)
    contact = models.CharField(_("联系人及电话"), max_length=100, blank=True)

    class Meta:
        db_table = "air_station_operator"
        ordering = ["name", "station__code"]
        verbose_name = _("运维单位")
        verbose_name_plural = _("运维单位")

    def __str__(self) -> str:
        return f"{self.station_id} {self.name}"


class Calibration(models.Model):
    """校准记录: a correction applied to one pollutant of a station from `valid_from` (to
    `valid_to`, open-ended when blank): calibrated = slope × raw + intercept. The stored raw
    values are never rewritten; calibrated values are computed when read (calibration.py)."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="calibrations")
    pollutant = models.CharField(_("污染物"), max_length=8)
    slope = models.FloatField(_("斜率"), default=1.0)
    intercept = models.FloatField(_("截距"), default=0.0)
    valid_from = models.DateTimeField(_("生效时间"))
    valid_to = models.DateTimeField(_("失效时间"), null=True, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("校准人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "air_calibration"
        ordering = ["station", "pollutant", "valid_from"]
        indexes = [models.Index(fields=["station", "pollutant"], name="air_calibration_station")]
        verbose_name = _("校准记录")
        verbose_name_plural = _("校准记录")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=models.F("valid_from")),
                name="calibration_period",
            ),
            models.CheckConstraint(condition=~Q(slope=0), name="calibration_slope"),
        ]

    def __str__(self) -> str:
        return f"{self.station_id} {self.pollutant} ×{self.slope:g} {self.intercept:+g}"


class MaintenanceKind(models.TextChoices):
    DEVICE_FAULT = "device_fault", _("设备故障")
    CALIBRATION_DUE = "calibration_due", _("校准到期")
    OFFLINE = "offline", _("长时间离线")
    # Asked for by a reviewer confirming suspected tampering (air/tampering.py), not by a sweep.
    TAMPER = "tamper", _("疑似人为干扰核查")


class MaintenanceIssue(models.Model):
    """One maintenance condition of a station while it lasts (an episode): opened once, ended
    when the condition clears; a new episode opens a new row. Its work order (made through the
    registry in maintenance.py) is remembered here, so an episode makes exactly one."""

    station = models.ForeignKey(
        Station, on_delete=models.CASCADE, related_name="maintenance_issues"
    )
    kind = models.CharField(_("类型"), max_length=16, choices=MaintenanceKind.choices)
    detail = models.CharField(_("情况"), max_length=200, blank=True)
    opened_at = models.DateTimeField(_("发现时间"))
    last_seen_at = models.DateTimeField(_("最近确认"))
    ended_at = models.DateTimeField(_("恢复时间"), null=True, blank=True)
    order_id = models.PositiveBigIntegerField(_("工单"), null=True, blank=True)
    order_reference = models.CharField(_("工单编号"), max_length=20, blank=True)

    class Meta:
        db_table = "air_maintenance_issue"
        ordering = ["-opened_at", "-pk"]
        verbose_name = _("运维问题")
        verbose_name_plural = _("运维问题")
        constraints = [
            models.UniqueConstraint(
                fields=["station", "kind"],
                condition=Q(ended_at__isnull=True),
                name="one_open_issue_per_station_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.station_id} {self.kind}"
