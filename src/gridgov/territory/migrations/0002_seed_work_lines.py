"""Seed the 多格合一 lines of work (editable afterwards in the admin)."""

from django.db import migrations

LINES = [
    ("party_building", "党建", "Party building"),
    ("governance", "综治", "Comprehensive governance"),
    ("environment", "生态环境", "Environment"),
    ("emergency", "应急管理", "Emergency management"),
    ("urban_management", "城市管理", "Urban management"),
    ("safety", "安全生产", "Work safety"),
    ("agriculture", "农业农村", "Agriculture and rural affairs"),
    ("civil_affairs", "民政", "Civil affairs"),
]


def seed(apps, schema_editor):
    WorkLine = apps.get_model("territory", "WorkLine")
    for order, (code, name, name_en) in enumerate(LINES):
        WorkLine.objects.update_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "sort_order": order}
        )


class Migration(migrations.Migration):
    dependencies = [("territory", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
