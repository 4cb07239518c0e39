"""A warning's commands are the inbox's now (the model moved, its table did not): state only."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("emergency", "0003_default_measures"),
        ("inbox", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name="warning",
                    name="commands",
                    field=models.ManyToManyField(blank=True, related_name="+", to="inbox.command"),
                ),
            ],
        ),
    ]
