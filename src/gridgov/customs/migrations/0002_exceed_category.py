"""The work-order category of registrations over the village's limits (红白事超标), under
社会治理. Internal (not offered to the public); editable in the admin afterwards."""

from django.db import migrations


def seed(apps, schema_editor):
    Category = apps.get_model("workorders", "Category")
    WorkLine = apps.get_model("territory", "WorkLine")
    parent = Category.objects.filter(code="governance").first()
    if parent is None:  # the taxonomy was removed by hand: nothing to hang it on
        return
    Category.objects.update_or_create(
        code="custom_exceed",
        defaults={
            "name": "红白事超标",
            "name_en": "Wedding or funeral over the village's limits",
            "parent": parent,
            "line": WorkLine.objects.filter(code="governance").first(),
            "default_priority": 3,
            "public": False,
            "sort_order": 40,
        },
    )


def unseed(apps, schema_editor):
    apps.get_model("workorders", "Category").objects.filter(
        code="custom_exceed", event__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("customs", "0001_initial"),
        ("workorders", "0011_alter_notification_kind"),
        ("territory", "0002_seed_work_lines"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
