"""Air: its migrations squashed. Its tables as the models now stand, created together (`CreateModels`,
gridgov/core/migration_ops.py), then the seed data of the replaced migrations (their steps that
only change existing rows do nothing on an empty database and are left out). A database that has
applied the replaced migrations skips this one.
"""

import django.db.models.deletion
import gridgov.air.models
import gridgov.core.migration_ops
from django.conf import settings
from django.db import migrations, models


# From 0002_default_alarm_rules: Seed default alarm rules (editable in the admin).

RULES = [
    ("PM2.5小时均值超过115", "threshold", "", "pm25", 115, None, None, None),
    ("PM10小时均值超过250", "threshold", "", "pm10", 250, None, None, None),
    ("O3小时均值超过200", "threshold", "", "o3", 200, None, None, None),
    ("PM2.5突升(5分钟均值为前1小时2倍且高50)", "jump", "micro", "pm25", 50, 2.0, None, None),
    ("PM2.5高于周边3公里站点中位数1.5倍", "neighbour", "micro", "pm25", 35, 1.5, None, 3.0),
    ("微站离线30分钟", "offline", "micro", "", None, None, 30, None),
    ("国控站离线3小时", "offline", "national", "", None, None, 180, None),
    ("省控站离线3小时", "offline", "provincial", "", None, None, 180, None),
    ("数据恒值(传感器卡滞)", "stuck", "", "", None, None, None, None),
]


def seed_0002(apps, schema_editor):
    AlarmRule = apps.get_model("air", "AlarmRule")
    for name, kind, station_kind, pollutant, threshold, ratio, minutes, radius in RULES:
        AlarmRule.objects.get_or_create(
            name=name,
            defaults=dict(
                kind=kind,
                station_kind=station_kind,
                pollutant=pollutant,
                threshold=threshold,
                ratio=ratio,
                minutes=minutes,
                radius_km=radius,
            ),
        )


class Migration(migrations.Migration):
    replaces = [
        ("air", "0001_initial"),
        ("air", "0002_default_alarm_rules"),
        ("air", "0003_station_month"),
        ("air", "0004_station_position"),
        ("air", "0005_month_revision"),
        ("air", "0006_gateway"),
        ("air", "0007_device_and_review"),
        ("air", "0008_pending_day"),
        ("air", "0009_station_wind_emission"),
    ]

    initial = True

    dependencies = [
        ("territory", "0002_seed_work_lines"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        gridgov.core.migration_ops.CreateModels(
            operations=[
                migrations.CreateModel(
                    name="AlarmRule",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("name", models.CharField(max_length=100, verbose_name="名称")),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("threshold", "超阈值"),
                                    ("jump", "突升"),
                                    ("neighbour", "高于周边"),
                                    ("offline", "离线"),
                                    ("stuck", "数据恒值"),
                                ],
                                max_length=16,
                                verbose_name="规则类型",
                            ),
                        ),
                        (
                            "station_kind",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("national", "国控站"),
                                    ("provincial", "省控站"),
                                    ("micro", "微站"),
                                    ("mobile", "移动站"),
                                    ("emission", "污染源在线监测"),
                                ],
                                max_length=16,
                                verbose_name="站点类型",
                            ),
                        ),
                        (
                            "pollutant",
                            models.CharField(blank=True, max_length=8, verbose_name="污染物"),
                        ),
                        (
                            "threshold",
                            models.FloatField(
                                blank=True,
                                help_text="浓度；突升/周边规则为最小差值",
                                null=True,
                                verbose_name="阈值",
                            ),
                        ),
                        ("ratio", models.FloatField(blank=True, null=True, verbose_name="倍数")),
                        (
                            "minutes",
                            models.PositiveIntegerField(
                                blank=True, null=True, verbose_name="时长(分钟)"
                            ),
                        ),
                        (
                            "radius_km",
                            models.FloatField(blank=True, null=True, verbose_name="周边半径(公里)"),
                        ),
                        ("active", models.BooleanField(default=True, verbose_name="启用")),
                    ],
                    options={
                        "verbose_name": "报警规则",
                        "verbose_name_plural": "报警规则",
                        "ordering": ["kind", "pollutant", "name"],
                    },
                ),
                migrations.CreateModel(
                    name="Station",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "code",
                            models.CharField(max_length=40, unique=True, verbose_name="站点编码"),
                        ),
                        ("name", models.CharField(max_length=100, verbose_name="名称")),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("national", "国控站"),
                                    ("provincial", "省控站"),
                                    ("micro", "微站"),
                                    ("mobile", "移动站"),
                                    ("emission", "污染源在线监测"),
                                ],
                                max_length=16,
                                verbose_name="类型",
                            ),
                        ),
                        ("lat", models.FloatField(verbose_name="纬度")),
                        ("lon", models.FloatField(verbose_name="经度")),
                        (
                            "pollutants",
                            models.JSONField(
                                default=gridgov.air.models.all_pollutants, verbose_name="监测项目"
                            ),
                        ),
                        (
                            "interval_minutes",
                            models.PositiveSmallIntegerField(
                                default=1, verbose_name="报送间隔(分钟)"
                            ),
                        ),
                        ("active", models.BooleanField(default=True, verbose_name="启用")),
                        (
                            "token_hash",
                            models.CharField(
                                blank=True, db_index=True, editable=False, max_length=64
                            ),
                        ),
                        (
                            "token_prefix",
                            models.CharField(blank=True, editable=False, max_length=12),
                        ),
                        (
                            "token_revoked_at",
                            models.DateTimeField(
                                blank=True, null=True, verbose_name="令牌吊销时间"
                            ),
                        ),
                        (
                            "mn",
                            models.CharField(
                                blank=True,
                                default=None,
                                max_length=24,
                                null=True,
                                unique=True,
                                verbose_name="设备编号(MN)",
                            ),
                        ),
                        ("pw_hash", models.CharField(blank=True, editable=False, max_length=100)),
                        (
                            "device_codes",
                            models.JSONField(
                                blank=True,
                                default=dict,
                                help_text='厂商编码 → 污染物，如 {"PM25": "pm25", "a34004": "pm25"}',
                                verbose_name="因子编码别名",
                            ),
                        ),
                        (
                            "device_factors",
                            models.JSONField(
                                blank=True,
                                default=dict,
                                help_text='污染物 → 乘数，如 {"pm25": 0.001} 把 ng/m³ 换算为 µg/m³',
                                verbose_name="单位换算系数",
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "grid",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="stations",
                                to="territory.region",
                                verbose_name="所在网格",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "监测站点",
                        "verbose_name_plural": "监测站点",
                        "ordering": ["code"],
                        "indexes": [
                            models.Index(fields=["lat", "lon"], name="air_station_position")
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="MonthRevision",
                    fields=[
                        ("month", models.PositiveIntegerField(primary_key=True, serialize=False)),
                        ("revision", models.PositiveBigIntegerField(default=0)),
                    ],
                    options={
                        "db_table": "air_month_revision",
                    },
                ),
                migrations.CreateModel(
                    name="DeviceStatus",
                    fields=[
                        (
                            "station",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                primary_key=True,
                                related_name="device_status",
                                serialize=False,
                                to="air.station",
                            ),
                        ),
                        ("connected", models.BooleanField(default=False, verbose_name="在线")),
                        (
                            "peer",
                            models.CharField(blank=True, max_length=64, verbose_name="对端地址"),
                        ),
                        (
                            "connected_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="连接时间"),
                        ),
                        (
                            "disconnected_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="断开时间"),
                        ),
                        (
                            "last_packet_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="最近数据包"),
                        ),
                        (
                            "packets",
                            models.PositiveBigIntegerField(default=0, verbose_name="数据包"),
                        ),
                        (
                            "answered",
                            models.PositiveBigIntegerField(default=0, verbose_name="已应答"),
                        ),
                        (
                            "rejections",
                            models.JSONField(blank=True, default=dict, verbose_name="拒收(按原因)"),
                        ),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                    ],
                    options={
                        "verbose_name": "设备状态",
                        "verbose_name_plural": "设备状态",
                        "db_table": "air_device_status",
                    },
                ),
                migrations.CreateModel(
                    name="StationState",
                    fields=[
                        (
                            "station",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                primary_key=True,
                                related_name="state",
                                serialize=False,
                                to="air.station",
                            ),
                        ),
                        ("last_ts", models.BigIntegerField()),
                        ("last_values", models.JSONField()),
                        ("runs", models.JSONField()),
                    ],
                    options={
                        "db_table": "air_station_state",
                    },
                ),
                migrations.CreateModel(
                    name="StationWind",
                    fields=[
                        (
                            "station",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                primary_key=True,
                                related_name="wind",
                                serialize=False,
                                to="air.station",
                            ),
                        ),
                        (
                            "ts",
                            models.BigIntegerField(
                                help_text="start of the reading's interval, epoch seconds UTC"
                            ),
                        ),
                        ("wd", models.FloatField(verbose_name="风向(度)")),
                        ("ws", models.FloatField(null=True, verbose_name="风速(米/秒)")),
                    ],
                    options={
                        "db_table": "air_station_wind",
                    },
                ),
                migrations.CreateModel(
                    name="DailyAggregate",
                    fields=[
                        (
                            "pk",
                            models.CompositePrimaryKey(
                                "station_id",
                                "day",
                                blank=True,
                                editable=False,
                                primary_key=True,
                                serialize=False,
                            ),
                        ),
                        ("day", models.DateField()),
                        ("pm25", models.FloatField(null=True)),
                        ("pm25_n", models.PositiveSmallIntegerField(default=0)),
                        ("pm10", models.FloatField(null=True)),
                        ("pm10_n", models.PositiveSmallIntegerField(default=0)),
                        ("so2", models.FloatField(null=True)),
                        ("so2_n", models.PositiveSmallIntegerField(default=0)),
                        ("no2", models.FloatField(null=True)),
                        ("no2_n", models.PositiveSmallIntegerField(default=0)),
                        ("co", models.FloatField(null=True)),
                        ("co_n", models.PositiveSmallIntegerField(default=0)),
                        ("o3_1h_max", models.FloatField(null=True)),
                        ("o3_n", models.PositiveSmallIntegerField(default=0)),
                        ("o3_8h_max", models.FloatField(null=True)),
                        (
                            "o3_8h_n",
                            models.PositiveSmallIntegerField(
                                default=0, help_text="valid 8-h windows (of 17)"
                            ),
                        ),
                        (
                            "station",
                            models.ForeignKey(
                                db_index=False,
                                on_delete=django.db.models.deletion.PROTECT,
                                to="air.station",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "air_daily",
                        "indexes": [models.Index(fields=["day"], name="air_daily_day")],
                    },
                ),
                migrations.CreateModel(
                    name="Alarm",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("pollutant", models.CharField(blank=True, max_length=8)),
                        ("value", models.FloatField(null=True)),
                        ("peak", models.FloatField(null=True)),
                        (
                            "reference",
                            models.FloatField(
                                help_text="threshold, baseline or neighbours", null=True
                            ),
                        ),
                        ("started_at", models.DateTimeField(verbose_name="开始时间")),
                        ("last_seen_at", models.DateTimeField(verbose_name="最近一次")),
                        (
                            "ended_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="结束时间"),
                        ),
                        (
                            "acknowledged_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="确认时间"),
                        ),
                        ("note", models.CharField(blank=True, max_length=200, verbose_name="备注")),
                        ("raised_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "acknowledged_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "grid",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                to="territory.region",
                            ),
                        ),
                        (
                            "rule",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT, to="air.alarmrule"
                            ),
                        ),
                        (
                            "station",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="alarms",
                                to="air.station",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "报警",
                        "verbose_name_plural": "报警",
                        "ordering": ["-started_at"],
                        "constraints": [
                            models.UniqueConstraint(
                                condition=models.Q(("ended_at__isnull", True)),
                                fields=("station", "rule", "pollutant"),
                                name="one_open_alarm_per_station_rule",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="Gateway",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "name",
                            models.CharField(max_length=100, unique=True, verbose_name="名称"),
                        ),
                        ("active", models.BooleanField(default=True, verbose_name="启用")),
                        (
                            "token_hash",
                            models.CharField(
                                blank=True, db_index=True, editable=False, max_length=64
                            ),
                        ),
                        (
                            "token_prefix",
                            models.CharField(blank=True, editable=False, max_length=12),
                        ),
                        (
                            "token_revoked_at",
                            models.DateTimeField(
                                blank=True, null=True, verbose_name="令牌吊销时间"
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "region",
                            models.ForeignKey(
                                blank=True,
                                help_text="区域内的全部站点都可由该网关报送",
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                to="territory.region",
                                verbose_name="区域",
                            ),
                        ),
                        (
                            "stations",
                            models.ManyToManyField(
                                blank=True,
                                related_name="gateways",
                                to="air.station",
                                verbose_name="站点",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "数据网关",
                        "verbose_name_plural": "数据网关",
                        "ordering": ["name"],
                    },
                ),
                migrations.CreateModel(
                    name="HourlyAggregate",
                    fields=[
                        (
                            "pk",
                            models.CompositePrimaryKey(
                                "station_id",
                                "ts",
                                blank=True,
                                editable=False,
                                primary_key=True,
                                serialize=False,
                            ),
                        ),
                        (
                            "ts",
                            models.BigIntegerField(
                                help_text="start of the hour, epoch seconds UTC"
                            ),
                        ),
                        ("need", models.PositiveSmallIntegerField(default=45)),
                        ("pm25_sum", models.FloatField(default=0)),
                        ("pm25_n", models.PositiveSmallIntegerField(default=0)),
                        ("pm10_sum", models.FloatField(default=0)),
                        ("pm10_n", models.PositiveSmallIntegerField(default=0)),
                        ("so2_sum", models.FloatField(default=0)),
                        ("so2_n", models.PositiveSmallIntegerField(default=0)),
                        ("no2_sum", models.FloatField(default=0)),
                        ("no2_n", models.PositiveSmallIntegerField(default=0)),
                        ("co_sum", models.FloatField(default=0)),
                        ("co_n", models.PositiveSmallIntegerField(default=0)),
                        ("o3_sum", models.FloatField(default=0)),
                        ("o3_n", models.PositiveSmallIntegerField(default=0)),
                        (
                            "station",
                            models.ForeignKey(
                                db_index=False,
                                on_delete=django.db.models.deletion.PROTECT,
                                to="air.station",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "air_hourly",
                        "indexes": [models.Index(fields=["ts"], name="air_hourly_ts")],
                    },
                ),
                migrations.CreateModel(
                    name="PendingDay",
                    fields=[
                        (
                            "pk",
                            models.CompositePrimaryKey(
                                "station_id",
                                "day",
                                blank=True,
                                editable=False,
                                primary_key=True,
                                serialize=False,
                            ),
                        ),
                        (
                            "day",
                            models.IntegerField(
                                help_text="days since 1970-01-01 in China Standard Time"
                            ),
                        ),
                        ("seq", models.PositiveBigIntegerField(default=1)),
                        (
                            "station",
                            models.ForeignKey(
                                db_index=False,
                                on_delete=django.db.models.deletion.CASCADE,
                                to="air.station",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "air_pending_day",
                    },
                ),
                migrations.CreateModel(
                    name="Reading",
                    fields=[
                        (
                            "pk",
                            models.CompositePrimaryKey(
                                "station_id",
                                "ts",
                                blank=True,
                                editable=False,
                                primary_key=True,
                                serialize=False,
                            ),
                        ),
                        (
                            "ts",
                            models.BigIntegerField(
                                help_text="start of the interval, epoch seconds UTC"
                            ),
                        ),
                        ("pm25", models.FloatField(null=True)),
                        ("pm25_flag", models.PositiveSmallIntegerField(default=0)),
                        ("pm10", models.FloatField(null=True)),
                        ("pm10_flag", models.PositiveSmallIntegerField(default=0)),
                        ("so2", models.FloatField(null=True)),
                        ("so2_flag", models.PositiveSmallIntegerField(default=0)),
                        ("no2", models.FloatField(null=True)),
                        ("no2_flag", models.PositiveSmallIntegerField(default=0)),
                        ("co", models.FloatField(null=True)),
                        ("co_flag", models.PositiveSmallIntegerField(default=0)),
                        ("o3", models.FloatField(null=True)),
                        ("o3_flag", models.PositiveSmallIntegerField(default=0)),
                        (
                            "station",
                            models.ForeignKey(
                                db_index=False,
                                on_delete=django.db.models.deletion.PROTECT,
                                to="air.station",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "监测数据",
                        "verbose_name_plural": "监测数据",
                        "db_table": "air_reading",
                    },
                ),
                migrations.CreateModel(
                    name="ReviewDecision",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "action",
                            models.CharField(
                                choices=[
                                    ("confirm", "确认有效"),
                                    ("invalidate", "判为无效"),
                                    ("approve_day", "审核通过"),
                                ],
                                max_length=16,
                                verbose_name="审核动作",
                            ),
                        ),
                        (
                            "pollutant",
                            models.CharField(
                                blank=True, help_text="空=全部", max_length=8, verbose_name="污染物"
                            ),
                        ),
                        (
                            "start_ts",
                            models.BigIntegerField(
                                help_text="first reading's start, epoch seconds UTC"
                            ),
                        ),
                        (
                            "end_ts",
                            models.BigIntegerField(help_text="last reading's start, inclusive"),
                        ),
                        (
                            "day",
                            models.DateField(help_text="所属日期（北京时间）", verbose_name="日期"),
                        ),
                        ("reason", models.CharField(max_length=200, verbose_name="理由")),
                        (
                            "decided_at",
                            models.DateTimeField(auto_now_add=True, verbose_name="审核时间"),
                        ),
                        (
                            "values_changed",
                            models.PositiveIntegerField(default=0, verbose_name="涉及数值"),
                        ),
                        (
                            "undone_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="撤销时间"),
                        ),
                        (
                            "decided_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="审核人",
                            ),
                        ),
                        (
                            "station",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="reviews",
                                to="air.station",
                            ),
                        ),
                        (
                            "undone_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="撤销人",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "数据审核记录",
                        "verbose_name_plural": "数据审核记录",
                        "ordering": ["decided_at", "id"],
                        "indexes": [
                            models.Index(fields=["station", "day"], name="air_review_station_day")
                        ],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("end_ts__gte", models.F("start_ts"))),
                                name="review_range",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="StationMonth",
                    fields=[
                        (
                            "pk",
                            models.CompositePrimaryKey(
                                "station_id",
                                "month",
                                blank=True,
                                editable=False,
                                primary_key=True,
                                serialize=False,
                            ),
                        ),
                        (
                            "month",
                            models.PositiveIntegerField(
                                help_text="year × 100 + month, e.g. 202611"
                            ),
                        ),
                        (
                            "days",
                            models.BinaryField(help_text="31 × 7 float64, row = day of month"),
                        ),
                        (
                            "station",
                            models.ForeignKey(
                                db_index=False,
                                on_delete=django.db.models.deletion.PROTECT,
                                to="air.station",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "air_station_month",
                    },
                ),
                migrations.CreateModel(
                    name="Target",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "metric",
                            models.CharField(
                                choices=[
                                    ("pm25", "PM2.5年均浓度"),
                                    ("pm10", "PM10年均浓度"),
                                    ("good_day_ratio", "优良天数比例"),
                                    ("comprehensive_index", "综合指数"),
                                ],
                                max_length=24,
                                verbose_name="指标",
                            ),
                        ),
                        ("start", models.DateField(verbose_name="开始日期")),
                        ("end", models.DateField(verbose_name="结束日期")),
                        ("value", models.FloatField(verbose_name="目标值")),
                        (
                            "region",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="air_targets",
                                to="territory.region",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "目标",
                        "verbose_name_plural": "目标",
                        "ordering": ["region__code", "metric", "start"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("region", "metric", "start", "end"), name="uniq_target"
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("end__gte", models.F("start"))),
                                name="target_period",
                            ),
                        ],
                    },
                ),
            ],
        ),
        migrations.RunPython(seed_0002, migrations.RunPython.noop),
    ]
