"""A notice's `order` (a foreign key up to the work orders, which the inbox sits below) becomes a
generic subject: `subject_type` + `subject_id`. The existing orders' ids are copied into it in
the database (the table keeps its name), then the column goes."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import F


def _order_type(apps, db):
    ContentType = apps.get_model("contenttypes", "ContentType")
    return ContentType.objects.using(db).get_or_create(app_label="workorders", model="workorder")[0]


def forwards(apps, schema_editor):
    Notification = apps.get_model("inbox", "Notification")
    db = schema_editor.connection.alias
    about_orders = Notification.objects.using(db).filter(order__isnull=False)
    if about_orders.exists():
        about_orders.update(subject_type=_order_type(apps, db), subject_id=F("order_id"))


def backwards(apps, schema_editor):
    Notification = apps.get_model("inbox", "Notification")
    db = schema_editor.connection.alias
    about = Notification.objects.using(db).filter(subject_type__isnull=False)
    if about.exists():
        WorkOrder = apps.get_model("workorders", "WorkOrder")
        about.filter(
            subject_type=_order_type(apps, db),
            subject_id__in=WorkOrder.objects.using(db).values("pk"),
        ).update(order_id=F("subject_id"))


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("inbox", "0001_initial"),
        ("workorders", "0014_inbox_moved_out"),
    ]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="subject_type",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="contenttypes.contenttype",
            ),
        ),
        migrations.AddField(
            model_name="notification",
            name="subject_id",
            field=models.PositiveBigIntegerField(blank=True, null=True),
        ),
        migrations.RunPython(forwards, backwards, elidable=False),
        migrations.RemoveField(model_name="notification", name="order"),
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(fields=["subject_type", "subject_id"], name="inbox_notice_subject"),
        ),
    ]
