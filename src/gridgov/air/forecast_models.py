"""Forecast models and the forecasts they issued (预报). Registered by AirConfig.import_models
(air/models.py is full).

- `ForecastModel` (预报模型): one trained model, versioned, with what it was trained on and its
  out-of-sample skill; the newest of each (target, lead, met) is the one in use.
- `DailyForecast` (逐日预报): a station's daily-mean PM2.5, PM10 and O3 daily max 8-h for one
  date, issued at one time, each with its 80 % interval.
- `HourlyForecast` (逐时预报): a station's hourly PM2.5 for one hour, issued at one time.

Forecasts are kept (never overwritten by a later issue), so a recommendation made from one can
be scored against what happened.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ForecastTarget(models.TextChoices):
    PM25 = "pm25", "PM2.5"
    PM10 = "pm10", "PM10"
    O3_8H = "o3_8h", "O3-8h"
    PM25_HOURLY = "pm25_hourly", _("PM2.5 逐时")


class ForecastModel(models.Model):
    """A trained forecast model (预报模型) and its skill (RMSE against persistence on the
    later fifth of its training days, which it was not fitted on)."""

    target = models.CharField(_("预报对象"), max_length=16, choices=ForecastTarget.choices)
    lead = models.PositiveSmallIntegerField(_("预见期(天)"), help_text="0 for the hourly model")
    met = models.BooleanField(_("使用气象预报"), default=False)
    trained_at = models.DateTimeField(_("训练时间"))
    trained_through = models.DateField(_("训练数据截至"))
    rows = models.PositiveIntegerField(_("训练样本数"))
    stations = models.PositiveIntegerField(_("站点数"))
    skill = models.JSONField(_("检验成绩"), default=dict)
    features = models.JSONField(_("特征"), default=list)
    blob = models.BinaryField(editable=False)

    class Meta:
        db_table = "air_forecast_model"
        verbose_name = _("预报模型")
        verbose_name_plural = _("预报模型")
        indexes = [models.Index(fields=["target", "lead", "met", "-trained_at"], name="air_fm_use")]

    def __str__(self) -> str:
        return f"v{self.pk} {self.target} +{self.lead}d{' met' if self.met else ''}"


class DailyForecast(models.Model):
    """One station's forecast daily values for one date from one issue (µg/m³)."""

    station = models.ForeignKey("air.Station", on_delete=models.CASCADE, db_index=False)
    issued_at = models.DateTimeField(_("发布时间"))
    date = models.DateField(_("预报日期"))
    lead = models.PositiveSmallIntegerField(_("预见期(天)"))
    met = models.BooleanField(_("使用气象预报"), default=False)
    pm25 = models.FloatField(null=True)
    pm25_lo = models.FloatField(null=True)
    pm25_hi = models.FloatField(null=True)
    pm10 = models.FloatField(null=True)
    pm10_lo = models.FloatField(null=True)
    pm10_hi = models.FloatField(null=True)
    o3_8h = models.FloatField(null=True)
    o3_8h_lo = models.FloatField(null=True)
    o3_8h_hi = models.FloatField(null=True)
    models_used = models.JSONField(default=dict, help_text="target → ForecastModel id")

    class Meta:
        db_table = "air_daily_forecast"
        verbose_name = _("逐日预报")
        verbose_name_plural = _("逐日预报")
        constraints = [
            models.UniqueConstraint(
                fields=["station", "issued_at", "date"], name="air_daily_forecast_unique"
            )
        ]
        indexes = [models.Index(fields=["issued_at"], name="air_dfc_issued")]

    def __str__(self) -> str:
        return f"{self.station_id} {self.date} (issued {self.issued_at:%Y-%m-%d %H:%M})"


class HourlyForecast(models.Model):
    """One station's forecast hourly PM2.5 for one hour from one issue (µg/m³)."""

    station = models.ForeignKey("air.Station", on_delete=models.CASCADE, db_index=False)
    issued_at = models.DateTimeField(_("发布时间"))
    ts = models.BigIntegerField(help_text="start of the hour, epoch seconds UTC")
    pm25 = models.FloatField()
    pm25_lo = models.FloatField()
    pm25_hi = models.FloatField()

    class Meta:
        db_table = "air_hourly_forecast"
        verbose_name = _("逐时预报")
        verbose_name_plural = _("逐时预报")
        constraints = [
            models.UniqueConstraint(
                fields=["station", "issued_at", "ts"], name="air_hourly_forecast_unique"
            )
        ]
        indexes = [models.Index(fields=["issued_at"], name="air_hfc_issued")]

    def __str__(self) -> str:
        return f"{self.station_id}@{self.ts} (issued {self.issued_at:%Y-%m-%d %H:%M})"
