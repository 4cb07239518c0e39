"""Seed the post types (editable afterwards in the admin)."""

from django.db import migrations

# code, name, English name, level (None = any), rank, responsible, sees everything
POST_TYPES = [
    ("grid_leader", "网格长", "Grid leader", 4, 10, True, False),
    ("grid_worker", "专职网格员", "Full-time grid worker", 4, 20, True, False),
    ("grid_worker_part", "兼职网格员", "Part-time grid worker", 4, 30, True, False),
    ("secretary", "社区/村书记", "Community/village secretary", 3, 40, True, False),
    ("street_official", "街道/镇干部", "Street/town official", 2, 50, True, False),
    ("command_office", "指挥中心", "District command office", 1, 60, True, True),
    ("volunteer", "志愿者", "Volunteer", None, 70, False, False),
    ("mediator", "调解员", "Mediator", None, 80, False, False),
    ("party_instructor", "党建指导员", "Party-building instructor", None, 90, False, False),
]


def seed(apps, schema_editor):
    PostType = apps.get_model("people", "PostType")
    for code, name, name_en, level, rank, responsible, sees_all in POST_TYPES:
        PostType.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "level": level,
                "rank": rank,
                "responsible": responsible,
                "sees_everything": sees_all,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
