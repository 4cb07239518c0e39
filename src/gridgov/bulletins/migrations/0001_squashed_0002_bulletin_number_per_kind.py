"""Bulletins: its migrations squashed. Its tables as the models now stand, created together
(`CreateModels`, gridgov/core/migration_ops.py). A database that has applied the replaced
migrations skips this one.
"""

import django.db.models.deletion
import gridgov.core.migration_ops
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    replaces = [("bulletins", "0001_initial"), ("bulletins", "0002_bulletin_number_per_kind")]

    initial = True

    dependencies = [
        ("territory", "0002_seed_work_lines"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        gridgov.core.migration_ops.CreateModels(
            operations=[
                migrations.CreateModel(
                    name="Bulletin",
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
                                choices=[("day", "日报"), ("week", "周报"), ("month", "月报")],
                                max_length=8,
                                verbose_name="周期",
                            ),
                        ),
                        ("start", models.DateField(verbose_name="开始日期")),
                        ("end", models.DateField(db_index=True, verbose_name="结束日期")),
                        ("region_path", models.CharField(db_index=True, max_length=255)),
                        ("year", models.PositiveSmallIntegerField(verbose_name="年度")),
                        ("number", models.PositiveIntegerField(verbose_name="期号")),
                        ("title", models.CharField(max_length=200, verbose_name="标题")),
                        ("pdf_file", models.CharField(max_length=200)),
                        ("xlsx_file", models.CharField(max_length=200)),
                        ("figures", models.JSONField(default=dict, verbose_name="数据快照")),
                        ("generated_at", models.DateTimeField(verbose_name="生成时间")),
                        (
                            "generated_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="生成人",
                            ),
                        ),
                        (
                            "region",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="territory.region",
                                verbose_name="单位",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "调度通报",
                        "verbose_name_plural": "调度通报",
                        "ordering": ["-end", "-generated_at", "-pk"],
                        "permissions": [("generate_bulletin", "可生成调度通报")],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("region", "kind", "start", "end"),
                                name="uniq_bulletin_period",
                            ),
                            models.UniqueConstraint(
                                fields=("region", "kind", "year", "number"),
                                name="uniq_bulletin_kind_number",
                            ),
                        ],
                    },
                )
            ],
        ),
    ]
