from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gridgov.territory.models import Region


class Bulletin(models.Model):
    """调度通报: one per unit and period (kind, start, end), numbered 第N期 within its unit, kind
    and year (日报, 周报 and 月报 each count from 1 every year); its PDF and Excel files in the
    media folder and the figures they show as JSON."""

    class Kind(models.TextChoices):
        DAY = "day", _("日报")
        WEEK = "week", _("周报")
        MONTH = "month", _("月报")

    kind = models.CharField(_("周期"), max_length=8, choices=Kind.choices)
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"), db_index=True)
    region = models.ForeignKey(
        Region, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+"
    )
    region_path = models.CharField(max_length=255, db_index=True)
    year = models.PositiveSmallIntegerField(_("年度"))
    number = models.PositiveIntegerField(_("期号"))
    title = models.CharField(_("标题"), max_length=200)
    pdf_file = models.CharField(max_length=200)  # relative to the media folder
    xlsx_file = models.CharField(max_length=200)
    figures = models.JSONField(_("数据快照"), default=dict)
    generated_at = models.DateTimeField(_("生成时间"))
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("生成人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-end", "-generated_at", "-pk"]
        verbose_name = _("调度通报")
        verbose_name_plural = _("调度通报")
        permissions = [("generate_bulletin", _("可生成调度通报"))]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "kind", "start", "end"], name="uniq_bulletin_period"
            ),
            models.UniqueConstraint(
                fields=["region", "kind", "year", "number"], name="uniq_bulletin_kind_number"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.year}年第{self.number}期"
