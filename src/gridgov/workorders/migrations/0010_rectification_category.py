"""The work-order category of rectifications (整改) that failed inspections open, under 大气污染.
Internal (not offered to the public); editable in the admin afterwards."""

from django.db import migrations


def seed(apps, schema_editor):
    Category = apps.get_model("workorders", "Category")
    WorkLine = apps.get_model("territory", "WorkLine")
    parent = Category.objects.filter(code="air_pollution").first()
    if parent is None:  # the taxonomy was removed by hand: nothing to hang it on
        return
    Category.objects.update_or_create(
        code="rectification",
        defaults={
            "name": "污染源整改",
            "name_en": "Pollution-source rectification",
            "parent": parent,
            "line": WorkLine.objects.filter(code="environment").first(),
            "default_priority": 3,
            "public": False,
            "sort_order": 12,
        },
    )


def unseed(apps, schema_editor):
    apps.get_model("workorders", "Category").objects.filter(
        code="rectification", event__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("workorders", "0009_alarm_event_pollution_source"),
        ("territory", "0002_seed_work_lines"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
