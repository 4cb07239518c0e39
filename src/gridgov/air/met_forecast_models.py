"""Imported meteorological forecasts (气象预报): one value per issue time, valid hour, station
and element, as the weather bureau sent it (air/met_import.py). Registered by
AirConfig.import_models (air/models.py is full)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class MetForecast(models.Model):
    """A forecast value of one meteorological element (a01008 风向, a01007 风速 …: air/met.py
    codes, pressure in kPa) for one station and valid hour, from the forecast issued at
    `issued_at`. Unique on (issued_at, ts, station, code): importing the same forecast again
    replaces its values."""

    station = models.ForeignKey("air.Station", on_delete=models.PROTECT, db_index=False)
    issued_at = models.BigIntegerField(_("发布时间"), help_text="epoch seconds UTC")
    ts = models.BigIntegerField(
        _("预报时次"), help_text="start of the valid hour, epoch seconds UTC"
    )
    code = models.CharField(_("要素编码"), max_length=40)
    value = models.FloatField(_("预报值"))

    class Meta:
        db_table = "air_met_forecast"
        verbose_name = _("气象预报")
        verbose_name_plural = _("气象预报")
        constraints = [
            models.UniqueConstraint(
                fields=["station", "ts", "issued_at", "code"], name="air_met_forecast_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.station_id}@{self.ts} {self.code} (issued {self.issued_at})"
