"""Clean text stored before the input boundary existed: control characters (other than tab and
newline) and NUL are removed from every text column of the platform's own tables, so no row can
break an export again. Irreversible in effect; the reverse is a no-op."""

from django.db import connection, migrations, models

from gridgov.inputs import cleaned

APPS = ("territory", "people", "air", "workorders", "open311")
# The characters the boundary refuses, as a database regex (NUL cannot be in PostgreSQL text,
# nor in a PostgreSQL pattern).
PATTERN = "[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"


def clean(apps, schema_editor):
    pattern = PATTERN if connection.vendor == "postgresql" else "[\x00" + PATTERN[1:]
    for label in APPS:
        for model in apps.get_app_config(label).get_models():
            fields = [
                f.name
                for f in model._meta.get_fields()
                if isinstance(f, models.CharField | models.TextField) and f.concrete
            ]
            for name in fields:
                rows = model.objects.filter(**{f"{name}__regex": pattern})
                for pk, value in rows.values_list("pk", name):
                    model.objects.filter(pk=pk).update(**{name: cleaned(value)})


class Migration(migrations.Migration):
    dependencies = [
        ("territory", "0002_seed_work_lines"),
        ("people", "0003_post_line"),
        ("air", "0005_month_revision"),
        ("workorders", "0006_command_attachments"),
        ("open311", "0001_initial"),
    ]

    operations = [migrations.RunPython(clean, migrations.RunPython.noop)]
