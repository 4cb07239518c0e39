"""污染源自有监控: the monitors a source owns (by HJ 212 MN), the thresholds per category and
kind, and what they found (`monitor_rules` reads and writes these).

- dust (扬尘在线监测, construction sites): hourly PM10/TSP means and noise against limits;
- fume (油烟在线监测, restaurants): fume concentration, purifier and fan states;
- power (分表计电, enterprises): production-line and treatment-equipment circuits' currents.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from gridgov.sources.categories import CHOICES
from gridgov.sources.models import PollutionSource


class MonitorKind(models.TextChoices):
    DUST = "dust", _("扬尘监测")
    FUME = "fume", _("油烟监测")
    POWER = "power", _("分表计电")


class MonitorSettings(models.Model):
    """阈值设置: one category's defaults for one kind of monitor (a monitor may override
    each). Without a row the built-in defaults (`monitor_rules.DEFAULTS`) apply."""

    category = models.CharField(_("污染源类别"), max_length=20, choices=CHOICES)
    kind = models.CharField(_("监控类型"), max_length=8, choices=MonitorKind.choices)
    pm10_limit = models.FloatField(_("PM10小时限值(µg/m³)"), null=True, blank=True)
    tsp_limit = models.FloatField(_("TSP小时限值(µg/m³)"), null=True, blank=True)
    noise_limit = models.FloatField(_("噪声限值(dB(A))"), null=True, blank=True)
    fume_limit = models.FloatField(_("油烟浓度限值(mg/m³)"), null=True, blank=True)
    running_current = models.FloatField(
        _("运行电流阈值(A)"), null=True, blank=True, help_text=_("电流高于此值视为运行")
    )

    class Meta:
        ordering = ["category", "kind"]
        verbose_name = _("监控阈值设置")
        verbose_name_plural = _("监控阈值设置")
        constraints = [
            models.UniqueConstraint(fields=["category", "kind"], name="uniq_monitor_settings")
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} {self.get_kind_display()}"


class SourceMonitor(models.Model):
    """自有监控设备: a device (HJ 212 MN) a source owns, of one kind, with its own thresholds
    (blank: the category's) and, for power, which circuit codes are production lines and which
    treatment equipment."""

    source = models.ForeignKey(
        PollutionSource, verbose_name=_("污染源"), on_delete=models.CASCADE, related_name="monitors"
    )
    kind = models.CharField(_("监控类型"), max_length=8, choices=MonitorKind.choices)
    mn = models.CharField(_("设备MN"), max_length=24, db_index=True)
    name = models.CharField(_("名称"), max_length=60, blank=True)
    pm10_limit = models.FloatField(_("PM10小时限值(µg/m³)"), null=True, blank=True)
    tsp_limit = models.FloatField(_("TSP小时限值(µg/m³)"), null=True, blank=True)
    noise_limit = models.FloatField(_("噪声限值(dB(A))"), null=True, blank=True)
    fume_limit = models.FloatField(_("油烟浓度限值(mg/m³)"), null=True, blank=True)
    # Power: factor codes of the circuits (e.g. ["pw01", "pw02"]), the current above which a
    # circuit runs, and how many production lines may run under a warning's limit measure.
    production_codes = models.JSONField(_("生产线回路编码"), default=list, blank=True)
    treatment_codes = models.JSONField(_("治污设施回路编码"), default=list, blank=True)
    running_current = models.FloatField(_("运行电流阈值(A)"), null=True, blank=True)
    limit_lines = models.PositiveSmallIntegerField(
        _("限产时可运行生产线数"), null=True, blank=True, help_text=_("留空为生产线数的一半")
    )
    active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("登记时间"))

    class Meta:
        ordering = ["source", "kind", "mn"]
        verbose_name = _("污染源监控设备")
        verbose_name_plural = _("污染源监控设备")
        constraints = [
            models.UniqueConstraint(fields=["source", "mn"], name="uniq_source_monitor_mn")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.mn}"


class MonitorFinding(models.Model):
    """监控发现: one condition one source was found in for one hour (an exceedance, fan on with
    the purifier off, producing with treatment off, producing under a warning's measure). One
    per source, rule and hour: the rules' idempotence. `order_id` is the work order opened for
    it (by the app above that opens orders), `warning_id` the warning it breaks, if any."""

    class Rule(models.TextChoices):
        DUST = "dust", _("扬尘超标")
        NOISE = "noise", _("噪声超标")
        FUME = "fume", _("油烟超标")
        PURIFIER_OFF = "purifier_off", _("风机开启净化器未开")
        TREATMENT_OFF = "treatment_off", _("生产时治污设施未运行")
        WARNING_STOP = "warning_stop", _("预警停产期间生产")
        WARNING_LIMIT = "warning_limit", _("预警限产期间超限生产")

    source = models.ForeignKey(
        PollutionSource, verbose_name=_("污染源"), on_delete=models.CASCADE, related_name="+"
    )
    monitor = models.ForeignKey(
        SourceMonitor, verbose_name=_("监控设备"), on_delete=models.CASCADE, related_name="findings"
    )
    rule = models.CharField(_("规则"), max_length=16, choices=Rule.choices)
    hour = models.DateTimeField(_("小时"), db_index=True)
    value = models.FloatField(_("数值"), null=True, blank=True)
    limit = models.FloatField(_("限值"), null=True, blank=True)
    detail = models.CharField(_("说明"), max_length=200, blank=True)
    warning_id = models.BigIntegerField(_("预警"), null=True, blank=True, db_index=True)
    order_id = models.BigIntegerField(_("工单"), null=True, blank=True)
    region_path = models.CharField(max_length=255, db_index=True)
    created_at = models.DateTimeField(_("发现时间"))

    class Meta:
        ordering = ["-hour", "source", "rule"]
        verbose_name = _("监控发现")
        verbose_name_plural = _("监控发现")
        constraints = [
            models.UniqueConstraint(fields=["source", "rule", "hour"], name="uniq_finding_hour")
        ]

    def __str__(self) -> str:
        return f"{self.source_id} {self.rule} {self.hour:%Y-%m-%d %H:00}"
