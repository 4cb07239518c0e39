"""API tokens expire: existing tokens get created_at + GRIDGOV_API_TOKEN_DAYS (so a token older
than that stops working once this migration has run), new ones get it when issued."""

import datetime as dt

from django.conf import settings
from django.db import migrations, models


def set_expiry(apps, schema_editor):
    ApiToken = apps.get_model("people", "ApiToken")
    days = dt.timedelta(days=getattr(settings, "GRIDGOV_API_TOKEN_DAYS", 30))
    for token in ApiToken.objects.filter(expires_at__isnull=True).only("pk", "created_at"):
        ApiToken.objects.filter(pk=token.pk).update(expires_at=token.created_at + days)


class Migration(migrations.Migration):

    dependencies = [
        ("people", "0003_post_line"),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(null=True, verbose_name="到期时间"),
        ),
        migrations.RunPython(set_expiry, migrations.RunPython.noop),
    ]
