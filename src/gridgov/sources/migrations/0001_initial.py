"""Sources's tables. Rewritten with `CreateModels` (gridgov/core/migration_ops.py), which
renders the migration state once for them all; the state and the tables are the same.
"""

import django.db.models.deletion
import gridgov.core.migration_ops
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("people", "0006_data_reviewer_post"),
        ("territory", "0002_seed_work_lines"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        gridgov.core.migration_ops.CreateModels(
            operations=[
                migrations.CreateModel(
                    name="PollutionSource",
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
                        ("code", models.CharField(max_length=24, unique=True, verbose_name="编号")),
                        (
                            "category",
                            models.CharField(
                                choices=[
                                    ("construction_site", "建筑工地"),
                                    ("road_section", "道路保洁路段"),
                                    ("enterprise", "工业企业"),
                                    ("restaurant", "餐饮油烟单位"),
                                    ("farmland", "秸秆禁烧农田"),
                                    ("burning_spot", "祭扫焚烧点位"),
                                    ("vehicle", "高排放车辆与非道路机械"),
                                    ("fireworks_point", "烟花爆竹销售点与禁放区"),
                                ],
                                db_index=True,
                                max_length=20,
                                verbose_name="类别",
                            ),
                        ),
                        ("name", models.CharField(max_length=100, verbose_name="名称")),
                        (
                            "address",
                            models.CharField(blank=True, max_length=200, verbose_name="地址"),
                        ),
                        ("geometry", models.JSONField(verbose_name="位置")),
                        ("lat", models.FloatField(verbose_name="纬度")),
                        ("lon", models.FloatField(verbose_name="经度")),
                        ("min_lat", models.FloatField()),
                        ("max_lat", models.FloatField()),
                        ("min_lon", models.FloatField()),
                        ("max_lon", models.FloatField()),
                        ("region_path", models.CharField(db_index=True, max_length=255)),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("active", "在营/在建"),
                                    ("suspended", "停工/停产"),
                                    ("closed", "关停/注销"),
                                ],
                                db_index=True,
                                default="active",
                                max_length=12,
                                verbose_name="状态",
                            ),
                        ),
                        (
                            "attributes",
                            models.JSONField(blank=True, default=dict, verbose_name="类别信息"),
                        ),
                        ("notes", models.TextField(blank=True, verbose_name="备注")),
                        ("version", models.PositiveIntegerField(default=0)),
                        ("created_at", models.DateTimeField(verbose_name="建档时间")),
                        ("updated_at", models.DateTimeField(verbose_name="更新时间")),
                        (
                            "grid",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="sources",
                                to="territory.region",
                                verbose_name="所属网格",
                            ),
                        ),
                        (
                            "responsible_post",
                            models.ForeignKey(
                                blank=True,
                                help_text="留空则由所属网格的责任人负责",
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="people.post",
                                verbose_name="指定责任岗位",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "污染源",
                        "verbose_name_plural": "污染源",
                        "ordering": ["category", "code"],
                        "indexes": [
                            models.Index(fields=["min_lat", "max_lat"], name="source_lat_box"),
                            models.Index(
                                fields=["category", "status"], name="source_category_status"
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="SourceChange",
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
                        ("action", models.CharField(max_length=16, verbose_name="动作")),
                        ("changes", models.JSONField(default=dict, verbose_name="变更内容")),
                        ("note", models.CharField(blank=True, max_length=200, verbose_name="说明")),
                        (
                            "actor_name",
                            models.CharField(blank=True, max_length=60, verbose_name="操作人"),
                        ),
                        ("at", models.DateTimeField(db_index=True, verbose_name="时间")),
                        (
                            "actor",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "source",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="changes",
                                to="sources.pollutionsource",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "档案变更记录",
                        "verbose_name_plural": "档案变更记录",
                        "ordering": ["-at", "-id"],
                    },
                ),
                migrations.CreateModel(
                    name="SourceFile",
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
                            "kind",
                            models.CharField(
                                choices=[("photo", "照片"), ("document", "文件")],
                                max_length=10,
                                verbose_name="类型",
                            ),
                        ),
                        (
                            "title",
                            models.CharField(blank=True, max_length=100, verbose_name="标题"),
                        ),
                        ("file", models.CharField(max_length=200)),
                        ("content_type", models.CharField(max_length=60)),
                        ("size", models.PositiveIntegerField()),
                        ("original_name", models.CharField(blank=True, max_length=200)),
                        ("created_at", models.DateTimeField()),
                        (
                            "source",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="files",
                                to="sources.pollutionsource",
                            ),
                        ),
                        (
                            "uploaded_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "档案附件",
                        "verbose_name_plural": "档案附件",
                        "ordering": ["-created_at"],
                    },
                ),
                migrations.CreateModel(
                    name="SourceGrid",
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
                        ("path", models.CharField(db_index=True, max_length=255)),
                        (
                            "region",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="territory.region",
                            ),
                        ),
                        (
                            "source",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="grid_links",
                                to="sources.pollutionsource",
                            ),
                        ),
                    ],
                    options={
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("source", "region"), name="uniq_source_grid"
                            )
                        ],
                    },
                ),
            ],
        ),
    ]
