"""`overdue` was a flag the sweep set; whether an order is overdue is now computed from its
deadline when read (lateness.py). The column stays as the sweep's claim that it has sent the
step's overdue notice, under a name that says so."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("workorders", "0011_alter_notification_kind")]

    operations = [
        migrations.RenameField("workorder", "overdue", "overdue_noticed"),
        migrations.AlterField(
            model_name="workorder",
            name="overdue_noticed",
            field=models.BooleanField(default=False, verbose_name="已发超期通知"),
        ),
    ]
