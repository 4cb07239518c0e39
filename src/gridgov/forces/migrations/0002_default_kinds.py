"""The usual supply kinds of the autumn-winter campaign; offices add their own in the admin."""

from django.db import migrations

KINDS = [
    ("fog_cannon", "雾炮车", "台", True, "dust"),
    ("sprinkler", "洒水车", "辆", True, "dust"),
    ("sweeper", "清扫车", "辆", True, "dust"),
    ("dust_net", "防尘网", "m²", False, "dust"),
    ("suppressant", "抑尘剂", "吨", False, "dust"),
    ("drone", "无人机", "架", True, "burning"),
    ("extinguisher", "灭火器", "具", True, "burning"),
    ("emission_tester", "尾气检测仪", "台", True, "vehicles"),
]


def add(apps, schema_editor):
    SupplyKind = apps.get_model("forces", "SupplyKind")
    for code, name, unit, whole, front in KINDS:
        SupplyKind.objects.get_or_create(
            code=code, defaults={"name": name, "unit": unit, "whole": whole, "front": front}
        )


class Migration(migrations.Migration):
    dependencies = [("forces", "0001_initial")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
