"""Stations, readings (one row per station and interval), their hourly and daily aggregates,
alarm rules and alarms, and targets.

Times of readings and hourly rows are integer epoch seconds (UTC) of the *start* of the interval:
the readings table is the heavy one (millions of rows), and integers keep its rows and index small,
make the batch pipeline a matter of numpy arithmetic, and compare the same on SQLite and PostgreSQL.
Days are calendar days in China Standard Time (UTC+8, no daylight saving)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridgov.air import device_models  # noqa: F401  # Django finds its models through here
from gridgov.air.flags import Flag as Flag  # re-exported: air.models.Flag, as before
from gridgov.air.querysets import (
    AlarmQuerySet,
    AlarmRuleQuerySet,
    DeviceStatusQuerySet,
    ReadingQuerySet,
    ReviewDecisionQuerySet,
    StationQuerySet,
    TargetQuerySet,
)
from gridgov.territory.models import Region

POLLUTANT_FIELDS = ("pm25", "pm10", "so2", "no2", "co", "o3")
CST = dt.timezone(dt.timedelta(hours=8), "CST")


class StationKind(models.TextChoices):
    NATIONAL = "national", _("国控站")
    PROVINCIAL = "provincial", _("省控站")
    MICRO = "micro", _("微站")
    MOBILE = "mobile", _("移动站")
    # An enterprise's continuous emission monitor (HJ 212 ST=31): stored and answered like the
    # others, never part of ambient assessment, rankings or neighbour comparisons.
    EMISSION = "emission", _("污染源在线监测")


DEFAULT_INTERVAL = {
    StationKind.NATIONAL: 60,
    StationKind.PROVINCIAL: 60,
    StationKind.MICRO: 1,
    StationKind.MOBILE: 1,
    StationKind.EMISSION: 60,
}

# Kinds that measure ambient air (assessment, rankings, neighbours); emission monitors do not.
AMBIENT_KINDS = (
    StationKind.NATIONAL,
    StationKind.PROVINCIAL,
    StationKind.MICRO,
    StationKind.MOBILE,
)


def all_pollutants() -> list[str]:
    return list(POLLUTANT_FIELDS)


CRC = [("hj212", _("HJ 212 标准")), ("modbus", "Modbus CRC"), ("swapped", _("HJ 212 高低字节互换"))]


class Station(models.Model):
    """监测站点."""

    code = models.CharField(_("站点编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=16, choices=StationKind.choices)
    lat = models.FloatField(_("纬度"))
    lon = models.FloatField(_("经度"))
    grid = models.ForeignKey(
        Region,
        verbose_name=_("所在网格"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="stations",
    )
    pollutants = models.JSONField(_("监测项目"), default=all_pollutants)
    interval_minutes = models.PositiveSmallIntegerField(_("报送间隔(分钟)"), default=1)
    active = models.BooleanField(_("启用"), default=True)
    token_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    token_prefix = models.CharField(max_length=12, blank=True, editable=False)
    token_revoked_at = models.DateTimeField(_("令牌吊销时间"), null=True, blank=True)
    # HJ 212-2017: the device's unique id (MN) and access password (PW, stored hashed).
    mn = models.CharField(
        _("设备编号(MN)"), max_length=24, unique=True, null=True, blank=True, default=None
    )
    pw_hash = models.CharField(max_length=100, blank=True, editable=False)
    crc_variant = models.CharField(_("CRC校验方式"), max_length=8, choices=CRC, default="hj212")
    device_codes = models.JSONField(
        _("因子编码别名"),
        default=dict,
        blank=True,
        help_text=_('厂商编码 → 污染物，如 {"PM25": "pm25", "a34004": "pm25"}'),
    )
    device_factors = models.JSONField(
        _("单位换算系数"),
        default=dict,
        blank=True,
        help_text=_('污染物 → 乘数，如 {"pm25": 0.001} 把 ng/m³ 换算为 µg/m³'),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = StationQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        indexes = [models.Index(fields=["lat", "lon"], name="air_station_position")]
        verbose_name = _("监测站点")
        verbose_name_plural = _("监测站点")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def is_control(self) -> bool:
        return self.kind in (StationKind.NATIONAL, StationKind.PROVINCIAL)


class Reading(models.Model):
    """One station's values for one interval (µg/m³; CO mg/m³). Unique on (station, ts)."""

    pk = models.CompositePrimaryKey("station_id", "ts")
    station = models.ForeignKey(Station, on_delete=models.PROTECT, db_index=False)
    ts = models.BigIntegerField(help_text="start of the interval, epoch seconds UTC")
    pm25 = models.FloatField(null=True)
    pm25_flag = models.PositiveSmallIntegerField(default=0)
    pm10 = models.FloatField(null=True)
    pm10_flag = models.PositiveSmallIntegerField(default=0)
    so2 = models.FloatField(null=True)
    so2_flag = models.PositiveSmallIntegerField(default=0)
    no2 = models.FloatField(null=True)
    no2_flag = models.PositiveSmallIntegerField(default=0)
    co = models.FloatField(null=True)
    co_flag = models.PositiveSmallIntegerField(default=0)
    o3 = models.FloatField(null=True)
    o3_flag = models.PositiveSmallIntegerField(default=0)

    objects = ReadingQuerySet.as_manager()

    class Meta:
        db_table = "air_reading"
        verbose_name = _("监测数据")
        verbose_name_plural = _("监测数据")

    def __str__(self) -> str:
        return f"{self.station_id}@{self.ts}"


class HourlyAggregate(models.Model):
    """Sums and counts of a station-hour's valid values, kept up to date at ingestion.

    The hour's mean is sum / n when n ≥ need (45 one-minute values; one hourly value).
    """

    pk = models.CompositePrimaryKey("station_id", "ts")
    station = models.ForeignKey(Station, on_delete=models.PROTECT, db_index=False)
    ts = models.BigIntegerField(help_text="start of the hour, epoch seconds UTC")
    need = models.PositiveSmallIntegerField(default=45)
    pm25_sum = models.FloatField(default=0)
    pm25_n = models.PositiveSmallIntegerField(default=0)
    pm10_sum = models.FloatField(default=0)
    pm10_n = models.PositiveSmallIntegerField(default=0)
    so2_sum = models.FloatField(default=0)
    so2_n = models.PositiveSmallIntegerField(default=0)
    no2_sum = models.FloatField(default=0)
    no2_n = models.PositiveSmallIntegerField(default=0)
    co_sum = models.FloatField(default=0)
    co_n = models.PositiveSmallIntegerField(default=0)
    o3_sum = models.FloatField(default=0)
    o3_n = models.PositiveSmallIntegerField(default=0)

    class Meta:
        db_table = "air_hourly"
        indexes = [models.Index(fields=["ts"], name="air_hourly_ts")]

    def __str__(self) -> str:
        return f"{self.station_id}@{self.ts}"


class DailyAggregate(models.Model):
    """A station's day (China Standard Time): 24-h means (NULL where fewer than 20 valid hours),
    O3 daily max 1-h and max 8-h (HJ 663), with the counts behind each."""

    pk = models.CompositePrimaryKey("station_id", "day")
    station = models.ForeignKey(Station, on_delete=models.PROTECT, db_index=False)
    day = models.DateField()
    pm25 = models.FloatField(null=True)
    pm25_n = models.PositiveSmallIntegerField(default=0)
    pm10 = models.FloatField(null=True)
    pm10_n = models.PositiveSmallIntegerField(default=0)
    so2 = models.FloatField(null=True)
    so2_n = models.PositiveSmallIntegerField(default=0)
    no2 = models.FloatField(null=True)
    no2_n = models.PositiveSmallIntegerField(default=0)
    co = models.FloatField(null=True)
    co_n = models.PositiveSmallIntegerField(default=0)
    o3_1h_max = models.FloatField(null=True)
    o3_n = models.PositiveSmallIntegerField(default=0)
    o3_8h_max = models.FloatField(null=True)
    o3_8h_n = models.PositiveSmallIntegerField(default=0, help_text="valid 8-h windows (of 17)")

    class Meta:
        db_table = "air_daily"
        indexes = [models.Index(fields=["day"], name="air_daily_day")]

    def __str__(self) -> str:
        return f"{self.station_id}@{self.day}"


class AlarmKind(models.TextChoices):
    THRESHOLD = "threshold", _("超阈值")
    JUMP = "jump", _("突升")
    NEIGHBOUR = "neighbour", _("高于周边")
    OFFLINE = "offline", _("离线")
    STUCK = "stuck", _("数据恒值")


class AlarmRule(models.Model):
    """报警规则, per station kind (blank = all kinds) and pollutant."""

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("规则类型"), max_length=16, choices=AlarmKind.choices)
    station_kind = models.CharField(
        _("站点类型"), max_length=16, choices=StationKind.choices, blank=True
    )
    pollutant = models.CharField(_("污染物"), max_length=8, blank=True)
    threshold = models.FloatField(
        _("阈值"), null=True, blank=True, help_text=_("浓度；突升/周边规则为最小差值")
    )
    ratio = models.FloatField(_("倍数"), null=True, blank=True)
    minutes = models.PositiveIntegerField(_("时长(分钟)"), null=True, blank=True)
    radius_km = models.FloatField(_("周边半径(公里)"), null=True, blank=True)
    active = models.BooleanField(_("启用"), default=True)

    objects = AlarmRuleQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "pollutant", "name"]
        verbose_name = _("报警规则")
        verbose_name_plural = _("报警规则")

    def __str__(self) -> str:
        return self.name


class Gateway(models.Model):
    """数据网关: a vendor gateway or data platform that posts readings of many stations with one
    token. It may post only for its own stations: those bound to it, and every active station in
    its region (when one is set)."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    stations = models.ManyToManyField(
        Station, verbose_name=_("站点"), blank=True, related_name="gateways"
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("区域"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("区域内的全部站点都可由该网关报送"),
    )
    active = models.BooleanField(_("启用"), default=True)
    token_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    token_prefix = models.CharField(max_length=12, blank=True, editable=False)
    token_revoked_at = models.DateTimeField(_("令牌吊销时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("数据网关")
        verbose_name_plural = _("数据网关")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Alarm(models.Model):
    """One alarm per station, rule and pollutant while the condition lasts."""

    station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="alarms")
    grid = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT)
    rule = models.ForeignKey(AlarmRule, on_delete=models.PROTECT)
    pollutant = models.CharField(max_length=8, blank=True)
    value = models.FloatField(null=True)
    peak = models.FloatField(null=True)
    reference = models.FloatField(null=True, help_text="threshold, baseline or neighbours")
    started_at = models.DateTimeField(_("开始时间"))
    last_seen_at = models.DateTimeField(_("最近一次"))
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)
    raised_at = models.DateTimeField(auto_now_add=True)

    objects = AlarmQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("报警")
        verbose_name_plural = _("报警")
        constraints = [
            models.UniqueConstraint(
                fields=["station", "rule", "pollutant"],
                condition=Q(ended_at__isnull=True),
                name="one_open_alarm_per_station_rule",
            )
        ]

    def __str__(self) -> str:
        return f"{self.rule} @ {self.station.code}"


class TargetMetric(models.TextChoices):
    PM25 = "pm25", _("PM2.5年均浓度")
    PM10 = "pm10", _("PM10年均浓度")
    GOOD_DAY_RATIO = "good_day_ratio", _("优良天数比例")
    COMPOSITE_INDEX = "comprehensive_index", _("综合指数")


class Target(models.Model):
    """攻坚目标 for a unit (region) over a period."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="air_targets")
    metric = models.CharField(_("指标"), max_length=24, choices=TargetMetric.choices)
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"))
    value = models.FloatField(_("目标值"))

    objects = TargetQuerySet.as_manager()

    class Meta:
        ordering = ["region__code", "metric", "start"]
        verbose_name = _("目标")
        verbose_name_plural = _("目标")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "metric", "start", "end"], name="uniq_target"
            ),
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="target_period"),
        ]

    def __str__(self) -> str:
        return f"{self.region.code} {self.metric} {self.value}"


class StationState(models.Model):
    """Where each station's stream stands: its newest reading's time and values and how many
    times each value has repeated, so the next batch's stuck and jump checks need no look-back."""

    station = models.OneToOneField(
        Station, primary_key=True, on_delete=models.CASCADE, related_name="state"
    )
    last_ts = models.BigIntegerField()
    last_values = models.JSONField()
    runs = models.JSONField()

    class Meta:
        db_table = "air_station_state"

    def __str__(self) -> str:
        return f"{self.station_id}@{self.last_ts}"


class StationWind(models.Model):
    """A station's latest wind (where it comes FROM, degrees clockwise from north; speed m/s),
    kept apart from the pollutant columns: only the newest observation per station, upserted in
    the ingestion transaction. Work orders from an air alarm read it to look upwind first."""

    station = models.OneToOneField(
        Station, primary_key=True, on_delete=models.CASCADE, related_name="wind"
    )
    ts = models.BigIntegerField(help_text="start of the reading's interval, epoch seconds UTC")
    wd = models.FloatField(_("风向(度)"))
    ws = models.FloatField(_("风速(米/秒)"), null=True)

    class Meta:
        db_table = "air_station_wind"

    def __str__(self) -> str:
        return f"{self.station_id}@{self.ts} {self.wd:g}°"


class StationMonth(models.Model):
    """A station's month of daily values as one compact array (31 days × 7 values, float64, NaN
    where not valid), written with the daily rows at ingestion. Period statistics, rankings and
    targets read these: a month-to-date ranking of 819 stations reads 819 rows, not 22,000."""

    pk = models.CompositePrimaryKey("station_id", "month")
    station = models.ForeignKey(Station, on_delete=models.PROTECT, db_index=False)
    month = models.PositiveIntegerField(help_text="year × 100 + month, e.g. 202611")
    days = models.BinaryField(help_text="31 × 7 float64, row = day of month")

    class Meta:
        db_table = "air_station_month"

    def __str__(self) -> str:
        return f"{self.station_id}@{self.month}"


class PendingDay(models.Model):
    """A station-day whose daily row (and StationMonth slot) is behind its hourly rows.

    Written in the ingestion's own transaction when the caller defers the day figures
    (`ingest(…, defer_days=True)`: the HJ 212 receiver); `aggregate.refresh_pending_days`
    recomputes and removes them within GRIDGOV_DAY_REFRESH_SECONDS. Kept in the database, not in
    memory, so a receiver killed before its refresh leaves them for the next refresh (its
    restart, or the worker's minute sweep). `seq` counts the batches that touched the day, so a
    refresh never removes a mark that a batch committed after the refresh read the hours."""

    pk = models.CompositePrimaryKey("station_id", "day")
    station = models.ForeignKey(Station, on_delete=models.CASCADE, db_index=False)
    day = models.IntegerField(help_text="days since 1970-01-01 in China Standard Time")
    seq = models.PositiveBigIntegerField(default=1)

    class Meta:
        db_table = "air_pending_day"

    def __str__(self) -> str:
        return f"pending day {self.pk}"


class MonthRevision(models.Model):
    """Bumped whenever any station's month in the monthly store is rewritten, so period
    statistics can be cached exactly until their months change."""

    month = models.PositiveIntegerField(primary_key=True)
    revision = models.PositiveBigIntegerField(default=0)

    class Meta:
        db_table = "air_month_revision"

    def __str__(self) -> str:
        return f"{self.month} r{self.revision}"


class DeviceStatus(models.Model):
    """设备在线状态 of a station's HJ 212 device, written by the receiver: connected now or not,
    the last packet, and the packets answered and refused (by reason) since it was first seen."""

    station = models.OneToOneField(
        Station, primary_key=True, on_delete=models.CASCADE, related_name="device_status"
    )
    connected = models.BooleanField(_("在线"), default=False)
    peer = models.CharField(_("对端地址"), max_length=64, blank=True)
    connected_at = models.DateTimeField(_("连接时间"), null=True, blank=True)
    disconnected_at = models.DateTimeField(_("断开时间"), null=True, blank=True)
    last_packet_at = models.DateTimeField(_("最近数据包"), null=True, blank=True)
    packets = models.PositiveBigIntegerField(_("数据包"), default=0)
    answered = models.PositiveBigIntegerField(_("已应答"), default=0)
    rejections = models.JSONField(_("拒收(按原因)"), default=dict, blank=True)
    # Packets per tolerated variant and untracked code; the last refused packets (accounting.py).
    variants = models.JSONField(_("兼容处理(按类型)"), default=dict, blank=True)
    untracked = models.JSONField(_("未跟踪因子"), default=dict, blank=True)
    faults = models.JSONField(_("最近拒收的数据包"), default=list, blank=True)
    clock = models.JSONField(_("时钟规律计数"), default=dict, blank=True)  # hj212/clock.py
    updated_at = models.DateTimeField(auto_now=True)

    objects = DeviceStatusQuerySet.as_manager()

    class Meta:
        db_table = "air_device_status"
        verbose_name = _("设备状态")
        verbose_name_plural = _("设备状态")

    def __str__(self) -> str:
        return f"{self.station_id} {'online' if self.connected else 'offline'}"


class ReviewAction(models.TextChoices):
    CONFIRM = "confirm", _("确认有效")
    INVALIDATE = "invalidate", _("判为无效")
    APPROVE_DAY = "approve_day", _("审核通过")


class ReviewDecision(models.Model):
    """数据审核记录: one reviewer decision on a station's values (one value or a range, one
    pollutant or all) or on a whole day (审核通过). Decisions are never deleted: undoing one sets
    undone_at, and the values' review flags are rebuilt from the decisions still in force."""

    station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="reviews")
    action = models.CharField(_("审核动作"), max_length=16, choices=ReviewAction.choices)
    pollutant = models.CharField(_("污染物"), max_length=8, blank=True, help_text=_("空=全部"))
    start_ts = models.BigIntegerField(help_text="first reading's start, epoch seconds UTC")
    end_ts = models.BigIntegerField(help_text="last reading's start, inclusive")
    day = models.DateField(_("日期"), help_text=_("所属日期（北京时间）"))
    reason = models.CharField(_("理由"), max_length=200)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审核时间"), auto_now_add=True)
    values_changed = models.PositiveIntegerField(_("涉及数值"), default=0)
    undone_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("撤销人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = ReviewDecisionQuerySet.as_manager()

    class Meta:
        ordering = ["decided_at", "id"]
        indexes = [models.Index(fields=["station", "day"], name="air_review_station_day")]
        verbose_name = _("数据审核记录")
        verbose_name_plural = _("数据审核记录")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_ts__gte=models.F("start_ts")), name="review_range"
            )
        ]

    def __str__(self) -> str:
        return f"{self.station_id} {self.action} {self.pollutant or '*'} {self.start_ts}"

    @property
    def start(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.start_ts, tz=CST)

    @property
    def end(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.end_ts, tz=CST)
