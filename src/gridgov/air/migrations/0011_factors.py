import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("air", "0010_station_crc_variant_device_faults")]

    operations = [
        migrations.CreateModel(
            name="FactorReading",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "station_id",
                        "ts",
                        "code",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                (
                    "ts",
                    models.BigIntegerField(help_text="start of the interval, epoch seconds UTC"),
                ),
                ("code", models.CharField(max_length=40, verbose_name="因子编码")),
                ("interval_minutes", models.PositiveSmallIntegerField(verbose_name="间隔(分钟)")),
                ("value", models.FloatField(null=True)),
                ("flag", models.CharField(default="N", max_length=1, verbose_name="数据标记")),
                (
                    "station",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        to="air.station",
                    ),
                ),
            ],
            options={
                "verbose_name": "其他监测因子数据",
                "verbose_name_plural": "其他监测因子数据",
                "db_table": "air_factor_reading",
            },
        ),
        migrations.CreateModel(
            name="FactorHour",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "station_id",
                        "ts",
                        "code",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                ("ts", models.BigIntegerField(help_text="start of the hour, epoch seconds UTC")),
                ("code", models.CharField(max_length=40)),
                ("n", models.PositiveIntegerField(default=0)),
                ("total", models.FloatField(default=0)),
                ("x", models.FloatField(default=0)),
                ("y", models.FloatField(default=0)),
                ("ux", models.FloatField(default=0)),
                ("uy", models.FloatField(default=0)),
                ("bad_n", models.PositiveIntegerField(default=0)),
                ("bad_total", models.FloatField(default=0)),
                ("bad_flag", models.CharField(blank=True, default="", max_length=1)),
                (
                    "station",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        to="air.station",
                    ),
                ),
            ],
            options={
                "verbose_name": "其他监测因子小时值",
                "verbose_name_plural": "其他监测因子小时值",
                "db_table": "air_factor_hour",
            },
        ),
    ]
