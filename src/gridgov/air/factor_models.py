"""Models of the factors beside the six pollutants (air/factors.py): each value as sent, and
hourly sums. Registered by AirConfig.import_models (air/models.py is full)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

from gridgov.air.querysets import _of_stations

if TYPE_CHECKING:
    from gridgov.core.actor import Account


class FactorQuerySet(models.QuerySet["FactorReading"]):
    def for_user(self, user: Account) -> FactorQuerySet:
        """Factor values of the stations the account may see (``Station.objects.for_user``)."""
        return _of_stations(self, user)


class FactorHourQuerySet(models.QuerySet["FactorHour"]):
    def for_user(self, user: Account) -> FactorHourQuerySet:
        return _of_stations(self, user)


class FactorReading(models.Model):
    """One value of a factor other than the six pollutants (temperature, TSP, noise, an unknown
    code …) for one station and interval, with the device's flag letter. Unique on (station,
    ts, code): a re-sent packet changes nothing."""

    pk = models.CompositePrimaryKey("station_id", "ts", "code")
    station = models.ForeignKey("air.Station", on_delete=models.PROTECT, db_index=False)
    ts = models.BigIntegerField(help_text="start of the interval, epoch seconds UTC")
    code = models.CharField(_("因子编码"), max_length=40)
    interval_minutes = models.PositiveSmallIntegerField(_("间隔(分钟)"))
    value = models.FloatField(null=True)
    flag = models.CharField(_("数据标记"), max_length=1, default="N")

    objects = FactorQuerySet.as_manager()

    class Meta:
        db_table = "air_factor_reading"
        verbose_name = _("其他监测因子数据")
        verbose_name_plural = _("其他监测因子数据")

    def __str__(self) -> str:
        return f"{self.station_id}@{self.ts} {self.code}"


class FactorHour(models.Model):
    """Sums of a factor's values in one station-hour (air/factors.py Sums), added to as values
    are stored: the mean is total / n (wind direction: the vector mean of x, y or ux, uy); an
    hour without a valid value keeps its flagged values' sum and last letter."""

    pk = models.CompositePrimaryKey("station_id", "ts", "code")
    station = models.ForeignKey("air.Station", on_delete=models.PROTECT, db_index=False)
    ts = models.BigIntegerField(help_text="start of the hour, epoch seconds UTC")
    code = models.CharField(max_length=40)
    n = models.PositiveIntegerField(default=0)
    total = models.FloatField(default=0)
    x = models.FloatField(default=0)
    y = models.FloatField(default=0)
    ux = models.FloatField(default=0)
    uy = models.FloatField(default=0)
    bad_n = models.PositiveIntegerField(default=0)
    bad_total = models.FloatField(default=0)
    bad_flag = models.CharField(max_length=1, default="", blank=True)

    objects = FactorHourQuerySet.as_manager()

    class Meta:
        db_table = "air_factor_hour"
        verbose_name = _("其他监测因子小时值")
        verbose_name_plural = _("其他监测因子小时值")

    def __str__(self) -> str:
        return f"{self.station_id}@{self.ts} {self.code}"
