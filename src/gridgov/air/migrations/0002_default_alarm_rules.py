"""Seed default alarm rules (editable in the admin)."""

from django.db import migrations

RULES = [
    ("PM2.5小时均值超过115", "threshold", "", "pm25", 115, None, None, None),
    ("PM10小时均值超过250", "threshold", "", "pm10", 250, None, None, None),
    ("O3小时均值超过200", "threshold", "", "o3", 200, None, None, None),
    ("PM2.5突升(5分钟均值为前1小时2倍且高50)", "jump", "micro", "pm25", 50, 2.0, None, None),
    ("PM2.5高于周边3公里站点中位数1.5倍", "neighbour", "micro", "pm25", 35, 1.5, None, 3.0),
    ("微站离线30分钟", "offline", "micro", "", None, None, 30, None),
    ("国控站离线3小时", "offline", "national", "", None, None, 180, None),
    ("省控站离线3小时", "offline", "provincial", "", None, None, 180, None),
    ("数据恒值(传感器卡滞)", "stuck", "", "", None, None, None, None),
]


def seed(apps, schema_editor):
    AlarmRule = apps.get_model("air", "AlarmRule")
    for name, kind, station_kind, pollutant, threshold, ratio, minutes, radius in RULES:
        AlarmRule.objects.get_or_create(
            name=name,
            defaults=dict(kind=kind, station_kind=station_kind, pollutant=pollutant,
                          threshold=threshold, ratio=ratio, minutes=minutes, radius_km=radius),
        )


class Migration(migrations.Migration):
    dependencies = [("air", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
