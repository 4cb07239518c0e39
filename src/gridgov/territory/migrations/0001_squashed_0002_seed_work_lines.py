"""Territory: its migrations squashed. Its tables as the models now stand, created together
(`CreateModels`, gridgov/core/migration_ops.py), then the seed data of the replaced migrations
(their steps that only change existing rows do nothing on an empty database and are left out). A
database that has applied the replaced migrations skips this one.
"""

import django.db.models.deletion
import gridgov.core.migration_ops
from django.conf import settings
from django.db import migrations, models


# From 0002_seed_work_lines: Seed the 多格合一 lines of work (editable afterwards in the admin).

LINES = [
    ("party_building", "党建", "Party building"),
    ("governance", "综治", "Comprehensive governance"),
    ("environment", "生态环境", "Environment"),
    ("emergency", "应急管理", "Emergency management"),
    ("urban_management", "城市管理", "Urban management"),
    ("safety", "安全生产", "Work safety"),
    ("agriculture", "农业农村", "Agriculture and rural affairs"),
    ("civil_affairs", "民政", "Civil affairs"),
]


def seed_0002(apps, schema_editor):
    WorkLine = apps.get_model("territory", "WorkLine")
    for order, (code, name, name_en) in enumerate(LINES):
        WorkLine.objects.update_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "sort_order": order}
        )


class Migration(migrations.Migration):
    replaces = [("territory", "0001_initial"), ("territory", "0002_seed_work_lines")]

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        gridgov.core.migration_ops.CreateModels(
            operations=[
                migrations.CreateModel(
                    name="BoundaryRevision",
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
                        ("number", models.PositiveBigIntegerField(default=0)),
                        ("changed_at", models.DateTimeField(auto_now=True)),
                    ],
                    options={
                        "verbose_name": "边界修订号",
                    },
                ),
                migrations.CreateModel(
                    name="WorkLine",
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
                        ("code", models.SlugField(max_length=40, unique=True, verbose_name="代码")),
                        ("name", models.CharField(max_length=60, verbose_name="名称")),
                        (
                            "name_en",
                            models.CharField(blank=True, max_length=60, verbose_name="英文名称"),
                        ),
                        (
                            "sort_order",
                            models.PositiveSmallIntegerField(default=0, verbose_name="排序"),
                        ),
                    ],
                    options={
                        "verbose_name": "工作条线",
                        "verbose_name_plural": "工作条线",
                        "ordering": ["sort_order", "code"],
                    },
                ),
                migrations.CreateModel(
                    name="Region",
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
                        ("code", models.CharField(max_length=40, unique=True, verbose_name="代码")),
                        ("name", models.CharField(max_length=100, verbose_name="名称")),
                        (
                            "level",
                            models.PositiveSmallIntegerField(
                                choices=[(1, "区"), (2, "街道/镇"), (3, "社区/村"), (4, "网格")],
                                db_index=True,
                                verbose_name="层级",
                            ),
                        ),
                        (
                            "path",
                            models.CharField(
                                db_index=True, default="", editable=False, max_length=255
                            ),
                        ),
                        (
                            "kind",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("rural", "农村网格"),
                                    ("urban", "城市社区网格"),
                                    ("dedicated", "专属网格"),
                                ],
                                max_length=16,
                                verbose_name="网格类型",
                            ),
                        ),
                        (
                            "geometry",
                            models.JSONField(
                                help_text="GeoJSON Polygon/MultiPolygon, WGS84", verbose_name="边界"
                            ),
                        ),
                        (
                            "version",
                            models.PositiveIntegerField(
                                default=1, editable=False, verbose_name="边界版本"
                            ),
                        ),
                        (
                            "retired_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="撤销时间"),
                        ),
                        (
                            "centroid_lat",
                            models.FloatField(editable=False, null=True, verbose_name="中心纬度"),
                        ),
                        (
                            "centroid_lon",
                            models.FloatField(editable=False, null=True, verbose_name="中心经度"),
                        ),
                        (
                            "area_km2",
                            models.FloatField(
                                editable=False, null=True, verbose_name="面积(平方公里)"
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "parent",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="children",
                                to="territory.region",
                                verbose_name="上级",
                            ),
                        ),
                        (
                            "successor",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="predecessors",
                                to="territory.region",
                                verbose_name="并入",
                            ),
                        ),
                        (
                            "lines",
                            models.ManyToManyField(
                                blank=True, to="territory.workline", verbose_name="工作条线"
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "区域",
                        "verbose_name_plural": "区域",
                        "ordering": ["level", "code"],
                    },
                ),
                migrations.CreateModel(
                    name="BoundaryVersion",
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
                        ("version", models.PositiveIntegerField(verbose_name="版本")),
                        ("geometry", models.JSONField(verbose_name="边界")),
                        ("valid_from", models.DateTimeField(verbose_name="生效时间")),
                        (
                            "valid_to",
                            models.DateTimeField(blank=True, null=True, verbose_name="失效时间"),
                        ),
                        (
                            "reason",
                            models.CharField(blank=True, max_length=200, verbose_name="变更原因"),
                        ),
                        (
                            "changed_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "region",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="boundary_versions",
                                to="territory.region",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "边界版本",
                        "verbose_name_plural": "边界版本",
                        "ordering": ["region", "version"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("region", "version"), name="uniq_region_version"
                            )
                        ],
                    },
                ),
            ],
        ),
        migrations.RunPython(seed_0002, migrations.RunPython.noop),
    ]
