"""运维: what the platform knows about its own running."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class JobBeat(models.Model):
    """定时任务心跳: when a scheduled job last finished, written by the job itself."""

    name = models.CharField(_("任务"), max_length=40, primary_key=True)
    at = models.DateTimeField(_("最近运行"))

    class Meta:
        verbose_name = _("定时任务心跳")
        verbose_name_plural = _("定时任务心跳")

    def __str__(self) -> str:
        return f"{self.name} {self.at:%Y-%m-%d %H:%M:%S}"
