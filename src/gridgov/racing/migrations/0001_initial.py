"""Racing's tables. Rewritten with `CreateModels` (gridgov/core/migration_ops.py), which
renders the migration state once for them all; the state and the tables are the same.
"""

import django.core.validators
import django.db.models.deletion
import gridgov.core.migration_ops
import gridgov.racing.metrics
from decimal import Decimal
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("territory", "0002_seed_work_lines"),
    ]

    operations = [
        gridgov.core.migration_ops.CreateModels(
            operations=[
                migrations.CreateModel(
                    name="Scorecard",
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
                        ("name", models.CharField(max_length=80, unique=True, verbose_name="名称")),
                        (
                            "level",
                            models.PositiveSmallIntegerField(
                                choices=[(2, "街道/镇"), (3, "社区/村")], verbose_name="参赛层级"
                            ),
                        ),
                        (
                            "period_kind",
                            models.CharField(
                                choices=[("month", "月度"), ("quarter", "季度"), ("year", "年度")],
                                default="month",
                                max_length=8,
                                verbose_name="周期",
                            ),
                        ),
                        ("active", models.BooleanField(default=True, verbose_name="启用")),
                        (
                            "min_valid_days",
                            models.PositiveSmallIntegerField(
                                blank=True,
                                help_text="空气指标的有效天数少于此数的单位单列不计分；空为按 HJ 663 的要求",
                                null=True,
                                validators=[django.core.validators.MaxValueValidator(366)],
                                verbose_name="最少有效天数",
                            ),
                        ),
                        (
                            "min_orders",
                            models.PositiveSmallIntegerField(
                                default=5,
                                help_text="工单少于此数的单位在工单类指标中单列不计分",
                                validators=[django.core.validators.MaxValueValidator(10000)],
                                verbose_name="最少工单数",
                            ),
                        ),
                        (
                            "min_sources",
                            models.PositiveSmallIntegerField(
                                default=3,
                                help_text="污染源少于此数的单位在巡查覆盖率中单列不计分",
                                validators=[django.core.validators.MaxValueValidator(10000)],
                                verbose_name="最少污染源数",
                            ),
                        ),
                        ("notes", models.TextField(blank=True, verbose_name="说明")),
                    ],
                    options={
                        "verbose_name": "赛马记分卡",
                        "verbose_name_plural": "赛马记分卡",
                        "ordering": ["level", "name"],
                    },
                ),
                migrations.CreateModel(
                    name="Indicator",
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
                            "position",
                            models.PositiveSmallIntegerField(default=0, verbose_name="顺序"),
                        ),
                        (
                            "metric",
                            models.CharField(
                                choices=gridgov.racing.metrics.choices,
                                max_length=40,
                                verbose_name="指标",
                            ),
                        ),
                        (
                            "direction",
                            models.CharField(
                                blank=True,
                                choices=[("higher", "越高越好"), ("lower", "越低越好")],
                                help_text="空为指标的默认方向",
                                max_length=8,
                                verbose_name="方向",
                            ),
                        ),
                        (
                            "weight",
                            models.DecimalField(
                                decimal_places=2,
                                max_digits=5,
                                validators=[
                                    django.core.validators.MinValueValidator(Decimal("0.01")),
                                    django.core.validators.MaxValueValidator(Decimal("100")),
                                ],
                                verbose_name="权重",
                            ),
                        ),
                        (
                            "rule",
                            models.CharField(
                                choices=[("rank", "按名次计分"), ("threshold", "按分档计分")],
                                default="rank",
                                max_length=10,
                                verbose_name="计分方式",
                            ),
                        ),
                        (
                            "floor",
                            models.DecimalField(
                                decimal_places=2,
                                default=Decimal("60"),
                                help_text="按名次：末名得分；按分档：未达任何一档的得分",
                                max_digits=5,
                                validators=[
                                    django.core.validators.MinValueValidator(Decimal("0")),
                                    django.core.validators.MaxValueValidator(Decimal("100")),
                                ],
                                verbose_name="最低分",
                            ),
                        ),
                        (
                            "bands",
                            models.JSONField(
                                blank=True,
                                default=list,
                                help_text="按分档计分时填写，如 [[35, 100], [45, 80], [55, 60]]：[界值, 得分]",
                                verbose_name="分档",
                            ),
                        ),
                        (
                            "scorecard",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="indicators",
                                to="racing.scorecard",
                                verbose_name="记分卡",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "赛马指标",
                        "verbose_name_plural": "赛马指标",
                        "ordering": ["scorecard", "position", "pk"],
                    },
                ),
                migrations.CreateModel(
                    name="Snapshot",
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
                        ("start", models.DateField(verbose_name="开始日期")),
                        ("end", models.DateField(verbose_name="结束日期")),
                        ("computed_at", models.DateTimeField(verbose_name="计算时间")),
                        ("indicators", models.JSONField(default=list, verbose_name="指标")),
                        (
                            "ranked",
                            models.PositiveIntegerField(default=0, verbose_name="参与排名单位数"),
                        ),
                        (
                            "scorecard",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="snapshots",
                                to="racing.scorecard",
                                verbose_name="记分卡",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "赛马结果快照",
                        "verbose_name_plural": "赛马结果快照",
                        "ordering": ["scorecard", "-start"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("scorecard", "start", "end"), name="racing_snapshot_period"
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="SnapshotRow",
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
                            "rank",
                            models.PositiveIntegerField(blank=True, null=True, verbose_name="名次"),
                        ),
                        ("total", models.FloatField(blank=True, null=True, verbose_name="总分")),
                        (
                            "weight_covered",
                            models.FloatField(default=0, verbose_name="计分权重占比"),
                        ),
                        ("cells", models.JSONField(default=dict, verbose_name="各指标")),
                        (
                            "region",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="territory.region",
                                verbose_name="单位",
                            ),
                        ),
                        (
                            "snapshot",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="rows",
                                to="racing.snapshot",
                                verbose_name="快照",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "赛马结果",
                        "verbose_name_plural": "赛马结果",
                        "ordering": ["snapshot", "rank", "region__code"],
                        "indexes": [
                            models.Index(
                                fields=["region", "snapshot"], name="racing_snap_region__214736_idx"
                            )
                        ],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("snapshot", "region"), name="racing_snapshot_unit"
                            )
                        ],
                    },
                ),
            ],
        ),
    ]
