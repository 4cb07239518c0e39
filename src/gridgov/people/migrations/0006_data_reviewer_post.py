"""The data reviewer post (数据审核员): its holders review air data in their scope."""

from django.db import migrations


def seed(apps, schema_editor):
    PostType = apps.get_model("people", "PostType")
    PostType.objects.update_or_create(
        code="data_reviewer",
        defaults={
            "name": "数据审核员",
            "name_en": "Data reviewer",
            "level": None,
            "rank": 85,
            "responsible": False,
            "sees_everything": False,
        },
    )


def unseed(apps, schema_editor):
    apps.get_model("people", "PostType").objects.filter(
        code="data_reviewer", post__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("people", "0005_apitoken_expires_at_required")]
    operations = [migrations.RunPython(seed, unseed)]
