"""The raw packet archive's checkpoints (原始报文存档): one row per China-time day and receiver.

The packets themselves are in files (air/packet_archive.py); this row is what the receiver's
archive writer (air/hj212/archive.py) last wrote and flushed: how many records the day's file
holds and the hash of the last one. A file cut short or edited after a checkpoint no longer
matches it. A day is sealed once a record of a later day has been written (or by
`gridgov packet-archive verify` for a past day): its file must then hold exactly `records`.

Loaded by AirConfig.import_models (air/models.py is at its line limit).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PacketArchiveDay(models.Model):
    """原始报文存档日: a day's archive file and its checkpoint."""

    day = models.DateField(_("日期"), help_text=_("北京时间"))
    receiver = models.CharField(
        _("接收端"),
        max_length=40,
        blank=True,
        default="",
        help_text=_("接收端存档名（GRIDGOV_HJ212_ARCHIVE_NAME）；空为多接收端之前的单一文件"),
    )
    path = models.CharField(_("文件"), max_length=64, help_text=_("相对存档目录"))
    records = models.PositiveBigIntegerField(_("记录数"), default=0)
    prev_hash = models.CharField(
        _("前一日末哈希"), max_length=64, help_text=_("本日第一条记录所接的哈希")
    )
    first_hash = models.CharField(_("首条哈希"), max_length=64)
    head_hash = models.CharField(_("末条哈希"), max_length=64)
    updated_at = models.DateTimeField(_("检查点时间"))
    sealed_at = models.DateTimeField(_("封存时间"), null=True, blank=True)
    verified_at = models.DateTimeField(_("最近校验时间"), null=True, blank=True)
    verified_ok = models.BooleanField(_("校验通过"), null=True, blank=True)
    verified_note = models.CharField(_("校验说明"), max_length=200, blank=True)

    class Meta:
        db_table = "air_packet_archive_day"
        ordering = ["-day", "receiver"]
        constraints = [
            models.UniqueConstraint(fields=["day", "receiver"], name="packet_archive_day_receiver")
        ]
        verbose_name = _("原始报文存档日")
        verbose_name_plural = _("原始报文存档日")

    def __str__(self) -> str:
        return f"{self.day} {self.records} {self.head_hash[:12]}"
