"""A decision's command is the inbox's now (the model moved, its table did not): state only."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0001_initial"),
        ("inbox", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name="decision",
                    name="command",
                    field=models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="meeting_decision",
                        to="inbox.command",
                        verbose_name="指令",
                    ),
                ),
            ],
        ),
    ]
