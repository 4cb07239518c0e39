"""Ops's tables. Rewritten with `CreateModels` (gridgov/core/migration_ops.py), which
renders the migration state once for them all; the state and the tables are the same.
"""

import gridgov.core.migration_ops
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        gridgov.core.migration_ops.CreateModels(
            operations=[
                migrations.CreateModel(
                    name="JobBeat",
                    fields=[
                        (
                            "name",
                            models.CharField(
                                max_length=40,
                                primary_key=True,
                                serialize=False,
                                verbose_name="任务",
                            ),
                        ),
                        ("at", models.DateTimeField(verbose_name="最近运行")),
                    ],
                    options={
                        "verbose_name": "定时任务心跳",
                        "verbose_name_plural": "定时任务心跳",
                    },
                )
            ],
        ),
    ]
