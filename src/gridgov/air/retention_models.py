"""Months whose minute rows were dropped by the retention policy (分钟数据保留期).

One row per China-time month, written in the transaction that dropped the month's minute rows
(air/retention.py). Their end is the horizon: minute rows before it are no longer taken (their
hours are final and kept), and an hour before it is never rebuilt from minute rows.

Loaded by AirConfig.import_models (air/models.py is at its line limit).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RetiredMonth(models.Model):
    """已清除分钟数据的月份: a month whose minute rows were dropped; hourly and daily are kept."""

    month = models.PositiveIntegerField(primary_key=True, help_text="YYYYMM, China time")
    start_ts = models.BigIntegerField(help_text="the month's start, epoch seconds UTC")
    end_ts = models.BigIntegerField(help_text="the next month's start, epoch seconds UTC")
    rows = models.PositiveBigIntegerField(_("清除行数"), default=0)
    by_partition = models.BooleanField(_("按分区清除"), default=False)
    retired_at = models.DateTimeField(_("清除时间"), help_text=_("from then on the horizon"))
    finished_at = models.DateTimeField(
        _("完成时间"), null=True, blank=True, help_text=_("when the last minute row was gone")
    )

    class Meta:
        db_table = "air_retired_month"
        verbose_name = _("已清除分钟数据的月份")
        verbose_name_plural = _("已清除分钟数据的月份")

    def __str__(self) -> str:
        return f"retired {self.month}"
