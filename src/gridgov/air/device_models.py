"""Device control (设备控制): the commands sent to a station's HJ 212 device, each logged with
the device's answers.

A command is written by a page or the API (air/device_control.py) as `queued`; the receiver
(`gridgov hj212`, another process) polls the queue, sends each command on its device's live
connection (`sent`) and records what the device answers: the request answer (CN=9011, QnRtn:
`acknowledged`, or `failed` when refused), an upload carrying the value asked for (CN=1011
SystemTime, 1061 RtdInterval, 1063 MinInterval) and the execution result (CN=9012, ExeRtn:
`done` or `failed`). A command that is never sent (the device stays offline) expires; one sent
but never finished fails. Both follow from the deadlines in their columns (`expires_at`,
`answer_by`) whenever a command is read, whether or not the receiver has written the state yet.

Models here (not in air/models.py, which is full) are found by Django through the import at the
top of air/models.py; relations name `air.Station` by string, so this module imports no model.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from gridgov.core.actor import Account


class CommandKind(models.TextChoices):
    TIME_SYNC = "time_sync", _("校时")
    GET_INTERVAL = "get_interval", _("查询上传间隔")
    SET_INTERVAL = "set_interval", _("设置上传间隔")
    HISTORY = "history", _("补传历史数据")
    # Not a command: a device's restart notice (CN=2081, answered with 9013), logged with them.
    RESTART = "restart", _("设备重启通知")


class CommandState(models.TextChoices):
    QUEUED = "queued", _("排队中")
    SENT = "sent", _("已下发")
    ACKNOWLEDGED = "acknowledged", _("设备已应答")
    DONE = "done", _("执行成功")
    FAILED = "failed", _("失败")
    EXPIRED = "expired", _("已过期")


OPEN_STATES = (CommandState.QUEUED, CommandState.SENT, CommandState.ACKNOWLEDGED)


class DeviceCommandQuerySet(models.QuerySet["DeviceCommand"]):
    def for_user(self, user: Account) -> DeviceCommandQuerySet:
        """Commands of the stations the account may see (``Station.objects.for_user``)."""
        from gridgov.air.querysets import _of_stations

        return _of_stations(self, user)


class DeviceCommand(models.Model):
    """One command to a station's device (or a notice from it), with its answers."""

    station = models.ForeignKey(
        "air.Station",
        verbose_name=_("站点"),
        on_delete=models.CASCADE,
        related_name="device_commands",
    )
    kind = models.CharField(_("命令"), max_length=16, choices=CommandKind.choices)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    cn = models.CharField(_("命令编码(CN)"), max_length=7, blank=True)
    qn = models.CharField(_("请求编码(QN)"), max_length=20, blank=True, db_index=True)
    state = models.CharField(
        _("状态"), max_length=16, choices=CommandState.choices, default=CommandState.QUEUED
    )
    automatic = models.BooleanField(_("自动"), default=False, help_text=_("平台自动发出（校时）"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("发起时间"))
    expires_at = models.DateTimeField(_("下发期限"), help_text=_("此前未能下发即过期"))
    sent_at = models.DateTimeField(_("下发时间"), null=True, blank=True)
    answer_by = models.DateTimeField(_("应答期限"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("请求应答时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    qn_rtn = models.PositiveSmallIntegerField(_("请求应答(QnRtn)"), null=True, blank=True)
    exe_rtn = models.PositiveSmallIntegerField(_("执行结果(ExeRtn)"), null=True, blank=True)
    answer = models.JSONField(_("设备回复"), default=dict, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    objects = DeviceCommandQuerySet.as_manager()

    class Meta:
        db_table = "air_device_command"
        ordering = ["-requested_at", "-id"]
        indexes = [
            models.Index(fields=["state", "station"], name="air_command_state"),
            models.Index(fields=["station", "-requested_at"], name="air_command_station"),
        ]
        permissions = [("control_device", _("可远程控制监测设备（校时、上传间隔、补传）"))]
        verbose_name = _("设备控制命令")
        verbose_name_plural = _("设备控制命令")

    def __str__(self) -> str:
        return f"{self.station_id} {self.kind} {self.state}"
