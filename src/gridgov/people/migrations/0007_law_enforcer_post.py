"""The law enforcer post (执法队员): its holders file and handle enforcement cases in their scope."""

from django.db import migrations


def seed(apps, schema_editor):
    PostType = apps.get_model("people", "PostType")
    PostType.objects.update_or_create(
        code="law_enforcer",
        defaults={
            "name": "执法队员",
            "name_en": "Law enforcement officer",
            "level": None,
            "rank": 86,
            "responsible": False,
            "sees_everything": False,
        },
    )


def unseed(apps, schema_editor):
    apps.get_model("people", "PostType").objects.filter(
        code="law_enforcer", post__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("people", "0006_data_reviewer_post")]
    operations = [migrations.RunPython(seed, unseed)]
