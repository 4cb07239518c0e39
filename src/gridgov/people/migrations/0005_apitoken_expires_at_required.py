"""Every token has an expiry (0004 filled those issued before); a migration of its own so that
PostgreSQL alters the table in another transaction than the one that updated its rows."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("people", "0004_apitoken_expires_at"),
    ]

    operations = [
        migrations.AlterField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(db_index=True, verbose_name="到期时间"),
        ),
    ]
