"""External eyes (外部感知): the systems that send machine-detected events, what each sent, and
the statuses pushed back to the 12345 hotline.

`ExternalEvent` is one detection as its system named it (system + external id, unique: a
re-sent detection is the same row), with the Event it became or was merged into, or why it was
refused. `IntakeSystem` holds each sending system's token as a SHA-256 hash (shown once)."""

from __future__ import annotations

import hashlib
import secrets

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

TOKEN_PREFIX = "ggi_"  # noqa: S105  (a public marker, not a secret)
EXTERNAL_ID_MAX = 64


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class SystemKind(models.TextChoices):
    SATELLITE = "satellite", _("卫星遥感火点")
    CAMERA = "camera", _("视频智能识别")
    HOTLINE = "hotline", _("12345热线")


class IntakeSystem(models.Model):
    """接入系统: one external system that sends detections (a provincial fire-point feed, a
    camera platform, a 12345 hotline system)."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=80)
    kind = models.CharField(_("类型"), max_length=20, choices=SystemKind.choices)
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    prefix = models.CharField(_("令牌前缀"), max_length=12, blank=True)
    active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("接入系统")
        verbose_name_plural = _("接入系统")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def issue_token(self) -> str:
        """A new token (the old one stops working); only its hash is stored."""
        raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
        self.token_hash = token_hash(raw)
        self.prefix = raw[: len(TOKEN_PREFIX) + 4]
        self.save(update_fields=["token_hash", "prefix"])
        return raw


class ExternalEvent(models.Model):
    """外部感知事件: one detection (a fire point, a camera alert, a 12345 record)."""

    system = models.ForeignKey(IntakeSystem, on_delete=models.PROTECT, related_name="events")
    external_id = models.CharField(_("外部编号"), max_length=EXTERNAL_ID_MAX)
    kind = models.CharField(_("类型"), max_length=30)
    device = models.CharField(_("设备/卫星"), max_length=64, blank=True)
    detected_at = models.DateTimeField(_("发现时间"))
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    lon = models.FloatField(_("经度"), null=True, blank=True)
    confidence = models.FloatField(_("可信度"), null=True, blank=True)
    image = models.CharField(_("证据图片"), max_length=200, blank=True)
    raw = models.JSONField(_("原始数据"), default=dict, blank=True)
    event = models.ForeignKey(
        "workorders.Event",
        verbose_name=_("事件"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="external_events",
    )
    merged = models.BooleanField(_("并入已有事件"), default=False)
    # created · merged · outside (no grid holds the point) · refused (see `refused`)
    outcome = models.CharField(_("结果"), max_length=10, default="created")
    refused = models.CharField(_("未生成事件原因"), max_length=200, blank=True)
    received_at = models.DateTimeField(_("接收时间"), default=timezone.now)

    class Meta:
        ordering = ["-detected_at", "-pk"]
        verbose_name = _("外部感知事件")
        verbose_name_plural = _("外部感知事件")
        constraints = [
            models.UniqueConstraint(
                fields=["system", "external_id"], name="intake_external_id_per_system"
            )
        ]
        indexes = [models.Index(fields=["system", "kind", "detected_at"])]

    def __str__(self) -> str:
        return f"{self.system.code}:{self.external_id}"


class HotlinePush(models.Model):
    """One attempt at telling the 12345 system an order's status (回访/办结反馈): a row per
    attempt, kept; a failed one names when the next is due (None: no more tries)."""

    record = models.ForeignKey(ExternalEvent, on_delete=models.CASCADE, related_name="pushes")
    status = models.CharField(_("推送状态"), max_length=20)
    attempt = models.PositiveSmallIntegerField(_("第几次"))
    ok = models.BooleanField(_("成功"), default=False)
    error = models.CharField(_("错误"), max_length=300, blank=True)
    at = models.DateTimeField(_("时间"))
    next_at = models.DateTimeField(_("下次重试"), null=True, blank=True)

    class Meta:
        ordering = ["record", "attempt"]
        verbose_name = _("12345状态回推")
        verbose_name_plural = _("12345状态回推")
        indexes = [models.Index(fields=["ok", "next_at"])]

    def __str__(self) -> str:
        return f"{self.record} {self.status} #{self.attempt}"
