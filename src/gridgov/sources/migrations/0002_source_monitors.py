"""The sources' own monitors (dust, fume, power), the thresholds per category and kind, and
the monitors' findings (sources/monitor_models.py)."""

import django.db.models.deletion
from django.db import migrations, models

CATEGORIES = [
    ("construction_site", "建筑工地"),
    ("road_section", "道路保洁路段"),
    ("enterprise", "工业企业"),
    ("restaurant", "餐饮油烟单位"),
    ("farmland", "秸秆禁烧农田"),
    ("burning_spot", "祭扫焚烧点位"),
    ("vehicle", "高排放车辆与非道路机械"),
    ("fireworks_point", "烟花爆竹销售点与禁放区"),
]
KINDS = [("dust", "扬尘监测"), ("fume", "油烟监测"), ("power", "分表计电")]
RULES = [
    ("dust", "扬尘超标"),
    ("noise", "噪声超标"),
    ("fume", "油烟超标"),
    ("purifier_off", "风机开启净化器未开"),
    ("treatment_off", "生产时治污设施未运行"),
    ("warning_stop", "预警停产期间生产"),
    ("warning_limit", "预警限产期间超限生产"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("sources", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="MonitorSettings",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "category",
                    models.CharField(choices=CATEGORIES, max_length=20, verbose_name="污染源类别"),
                ),
                ("kind", models.CharField(choices=KINDS, max_length=8, verbose_name="监控类型")),
                (
                    "pm10_limit",
                    models.FloatField(blank=True, null=True, verbose_name="PM10小时限值(µg/m³)"),
                ),
                (
                    "tsp_limit",
                    models.FloatField(blank=True, null=True, verbose_name="TSP小时限值(µg/m³)"),
                ),
                (
                    "noise_limit",
                    models.FloatField(blank=True, null=True, verbose_name="噪声限值(dB(A))"),
                ),
                (
                    "fume_limit",
                    models.FloatField(blank=True, null=True, verbose_name="油烟浓度限值(mg/m³)"),
                ),
                (
                    "running_current",
                    models.FloatField(
                        blank=True,
                        help_text="电流高于此值视为运行",
                        null=True,
                        verbose_name="运行电流阈值(A)",
                    ),
                ),
            ],
            options={
                "verbose_name": "监控阈值设置",
                "verbose_name_plural": "监控阈值设置",
                "ordering": ["category", "kind"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("category", "kind"), name="uniq_monitor_settings"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="SourceMonitor",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("kind", models.CharField(choices=KINDS, max_length=8, verbose_name="监控类型")),
                ("mn", models.CharField(db_index=True, max_length=24, verbose_name="设备MN")),
                ("name", models.CharField(blank=True, max_length=60, verbose_name="名称")),
                (
                    "pm10_limit",
                    models.FloatField(blank=True, null=True, verbose_name="PM10小时限值(µg/m³)"),
                ),
                (
                    "tsp_limit",
                    models.FloatField(blank=True, null=True, verbose_name="TSP小时限值(µg/m³)"),
                ),
                (
                    "noise_limit",
                    models.FloatField(blank=True, null=True, verbose_name="噪声限值(dB(A))"),
                ),
                (
                    "fume_limit",
                    models.FloatField(blank=True, null=True, verbose_name="油烟浓度限值(mg/m³)"),
                ),
                (
                    "production_codes",
                    models.JSONField(blank=True, default=list, verbose_name="生产线回路编码"),
                ),
                (
                    "treatment_codes",
                    models.JSONField(blank=True, default=list, verbose_name="治污设施回路编码"),
                ),
                (
                    "running_current",
                    models.FloatField(blank=True, null=True, verbose_name="运行电流阈值(A)"),
                ),
                (
                    "limit_lines",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        help_text="留空为生产线数的一半",
                        null=True,
                        verbose_name="限产时可运行生产线数",
                    ),
                ),
                ("active", models.BooleanField(default=True, verbose_name="启用")),
                ("created_at", models.DateTimeField(verbose_name="登记时间")),
                (
                    "source",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="monitors",
                        to="sources.pollutionsource",
                        verbose_name="污染源",
                    ),
                ),
            ],
            options={
                "verbose_name": "污染源监控设备",
                "verbose_name_plural": "污染源监控设备",
                "ordering": ["source", "kind", "mn"],
                "constraints": [
                    models.UniqueConstraint(fields=("source", "mn"), name="uniq_source_monitor_mn")
                ],
            },
        ),
        migrations.CreateModel(
            name="MonitorFinding",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("rule", models.CharField(choices=RULES, max_length=16, verbose_name="规则")),
                ("hour", models.DateTimeField(db_index=True, verbose_name="小时")),
                ("value", models.FloatField(blank=True, null=True, verbose_name="数值")),
                ("limit", models.FloatField(blank=True, null=True, verbose_name="限值")),
                ("detail", models.CharField(blank=True, max_length=200, verbose_name="说明")),
                (
                    "warning_id",
                    models.BigIntegerField(
                        blank=True, db_index=True, null=True, verbose_name="预警"
                    ),
                ),
                ("order_id", models.BigIntegerField(blank=True, null=True, verbose_name="工单")),
                ("region_path", models.CharField(db_index=True, max_length=255)),
                ("created_at", models.DateTimeField(verbose_name="发现时间")),
                (
                    "source",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="sources.pollutionsource",
                        verbose_name="污染源",
                    ),
                ),
                (
                    "monitor",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="findings",
                        to="sources.sourcemonitor",
                        verbose_name="监控设备",
                    ),
                ),
            ],
            options={
                "verbose_name": "监控发现",
                "verbose_name_plural": "监控发现",
                "ordering": ["-hour", "source", "rule"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("source", "rule", "hour"), name="uniq_finding_hour"
                    )
                ],
            },
        ),
    ]
