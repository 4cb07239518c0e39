"""Open311's tables. Rewritten with `CreateModels` (gridgov/core/migration_ops.py), which
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
                    name="ApiKey",
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
                        ("key_hash", models.CharField(max_length=64, unique=True)),
                        ("prefix", models.CharField(max_length=12, verbose_name="前缀")),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("last_used_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "revoked_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="吊销时间"),
                        ),
                    ],
                    options={
                        "verbose_name": "Open311 密钥",
                        "verbose_name_plural": "Open311 密钥",
                        "ordering": ["name"],
                    },
                )
            ],
        ),
    ]
