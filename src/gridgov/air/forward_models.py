"""Forwarding to an upper platform (数据转发): which stations' data go where, as HJ 212, under
which MN and password, and the acknowledgement log that makes it at-least-once.

Imported by AirConfig.ready() (air/models.py is at its 600-line limit); Django registers models
from any module of the app. The forwarder itself is air/hj212/forwarder.py (`gridgov
hj212-forward`); stations are bound to a target by `gridgov import-forward`.
"""

from __future__ import annotations

import time

from django.db import models
from django.utils.translation import gettext_lazy as _

from gridgov.air.models import Station


def now_ts() -> int:
    """Now, in epoch seconds (a new binding forwards the data from then on)."""
    return int(time.time())


class ForwardKind(models.TextChoices):
    MINUTE = "minute", _("分钟数据(2051)")
    HOURLY = "hourly", _("小时数据(2061)")


class ForwardTarget(models.Model):
    """上级平台: an HJ 212 platform (provincial, municipal) this one forwards data to."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    host = models.CharField(_("地址"), max_length=255)
    port = models.PositiveIntegerField(_("端口"))
    enabled = models.BooleanField(_("启用"), default=True)
    minute = models.BooleanField(_("转发分钟数据"), default=True)
    hourly = models.BooleanField(_("转发小时数据"), default=False)
    st = models.CharField(_("系统编码(ST)"), max_length=5, default="22")
    rate = models.FloatField(_("限速(包/秒)"), default=20, help_text=_("0 表示不限速"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "air_forward_target"
        ordering = ["name"]
        verbose_name = _("上级平台")
        verbose_name_plural = _("上级平台")

    def __str__(self) -> str:
        return f"{self.name} ({self.host}:{self.port})"

    @property
    def kinds(self) -> list[str]:
        """The kinds of data forwarded ("minute", "hourly"), as plain strings."""
        return [k for k, on in (("minute", self.minute), ("hourly", self.hourly)) if on]


class ForwardStation(models.Model):
    """A station forwarded to a target under the upper platform's MN and PW. The PW is stored as
    given, not hashed: it is sent to the upper platform in every packet (the admin masks it)."""

    target = models.ForeignKey(
        ForwardTarget, verbose_name=_("上级平台"), on_delete=models.CASCADE, related_name="links"
    )
    station = models.ForeignKey(
        Station, verbose_name=_("站点"), on_delete=models.CASCADE, related_name="forwards"
    )
    mn = models.CharField(_("上级平台设备编号(MN)"), max_length=24)
    pw = models.CharField(_("上级平台访问密码(PW)"), max_length=32, blank=True)
    since = models.BigIntegerField(
        _("起始时间"), default=now_ts, help_text="first data time forwarded, epoch seconds UTC"
    )
    enabled = models.BooleanField(_("启用"), default=True)

    class Meta:
        db_table = "air_forward_station"
        ordering = ["target", "station"]
        verbose_name = _("转发站点")
        verbose_name_plural = _("转发站点")
        constraints = [
            models.UniqueConstraint(fields=["target", "station"], name="forward_one_per_station"),
            models.UniqueConstraint(fields=["target", "mn"], name="forward_one_per_mn"),
        ]

    def __str__(self) -> str:
        return f"{self.station_id} → {self.target_id} {self.mn}"


class ForwardCursor(models.Model):
    """Where a station's forwarding of one kind stands: every interval up to `acked_ts` has been
    acknowledged by the upper platform (CN=9014) or had nothing to send."""

    link = models.ForeignKey(ForwardStation, on_delete=models.CASCADE, related_name="cursors")
    kind = models.CharField(max_length=8, choices=ForwardKind.choices)
    acked_ts = models.BigIntegerField(help_text="start of the last acknowledged interval")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "air_forward_cursor"
        constraints = [
            models.UniqueConstraint(fields=["link", "kind"], name="forward_one_cursor"),
        ]

    def __str__(self) -> str:
        return f"{self.link_id}/{self.kind}@{self.acked_ts}"


class ForwardLog(models.Model):
    """One forwarded interval's latest packet: its QN, a digest of its data area, when it was
    (re-)sent and acknowledged. Kept for the late-data window (`--lookback-hours`) behind
    the cursor: a reading corrected or stored late inside it is sent again."""

    link = models.ForeignKey(ForwardStation, on_delete=models.CASCADE, related_name="log")
    kind = models.CharField(max_length=8, choices=ForwardKind.choices)
    ts = models.BigIntegerField(help_text="start of the interval, epoch seconds UTC")
    qn = models.CharField(max_length=20)
    digest = models.BigIntegerField(help_text="CRC-32 of the data area sent")
    sent_at = models.DateTimeField()
    acked_at = models.DateTimeField(null=True, blank=True)
    retries = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "air_forward_log"
        constraints = [
            models.UniqueConstraint(fields=["link", "kind", "ts"], name="forward_log_interval"),
        ]

    def __str__(self) -> str:
        return f"{self.link_id}/{self.kind}@{self.ts} {self.qn}"
