"""Web: its migrations squashed. Its tables as the models now stand, created together (`CreateModels`,
gridgov/core/migration_ops.py). A database that has applied the replaced migrations skips this one.
"""

import gridgov.core.migration_ops
from django.db import migrations, models


class Migration(migrations.Migration):
    replaces = [("web", "0001_clean_stored_text"), ("web", "0002_clientcounter")]

    initial = True

    dependencies = [
        ("air", "0005_month_revision"),
        ("open311", "0001_initial"),
        ("people", "0003_post_line"),
        ("territory", "0002_seed_work_lines"),
        ("workorders", "0006_command_attachments"),
    ]

    operations = [
        gridgov.core.migration_ops.CreateModels(
            operations=[
                migrations.CreateModel(
                    name="ClientCounter",
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
                        ("key", models.CharField(max_length=200, unique=True)),
                        ("count", models.PositiveIntegerField(default=0)),
                        ("expires_at", models.FloatField(db_index=True)),
                    ],
                    options={
                        "verbose_name": "client counter",
                    },
                )
            ],
        ),
    ]
