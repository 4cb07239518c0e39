"""Two command posts for a city's deployment: the city's 城运中心 (city level, sees the whole
territory) and a district's 指挥中心 under a city (district level, sees its own district only;
the `command_office` post stays the command office of a deployment whose root is a district)."""

from django.db import migrations

# code, name, English name, level, rank, responsible, sees everything
POST_TYPES = [
    ("city_command_office", "市城运中心", "City operations centre", 0, 58, True, True),
    ("district_command_office", "区指挥中心", "District command office (in a city)", 1, 59, True, False),
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


def unseed(apps, schema_editor):
    apps.get_model("people", "PostType").objects.filter(
        code__in=[row[0] for row in POST_TYPES], post__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("people", "0008_posttype_level_any_depth")]
    operations = [migrations.RunPython(seed, unseed)]
