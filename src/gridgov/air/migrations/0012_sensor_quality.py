import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("air", "0011_factors"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="StationOperator",
            fields=[
                (
                    "station",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="operator",
                        serialize=False,
                        to="air.station",
                    ),
                ),
                ("name", models.CharField(max_length=100, verbose_name="运维单位")),
                (
                    "contact",
                    models.CharField(blank=True, max_length=100, verbose_name="联系人及电话"),
                ),
            ],
            options={
                "verbose_name": "运维单位",
                "verbose_name_plural": "运维单位",
                "db_table": "air_station_operator",
                "ordering": ["name", "station__code"],
            },
        ),
        migrations.CreateModel(
            name="Calibration",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("pollutant", models.CharField(max_length=8, verbose_name="污染物")),
                ("slope", models.FloatField(default=1.0, verbose_name="斜率")),
                ("intercept", models.FloatField(default=0.0, verbose_name="截距")),
                ("valid_from", models.DateTimeField(verbose_name="生效时间")),
                ("valid_to", models.DateTimeField(blank=True, null=True, verbose_name="失效时间")),
                ("note", models.CharField(blank=True, max_length=200, verbose_name="说明")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="校准人",
                    ),
                ),
                (
                    "station",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="calibrations",
                        to="air.station",
                    ),
                ),
            ],
            options={
                "verbose_name": "校准记录",
                "verbose_name_plural": "校准记录",
                "db_table": "air_calibration",
                "ordering": ["station", "pollutant", "valid_from"],
                "indexes": [
                    models.Index(fields=["station", "pollutant"], name="air_calibration_station")
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("valid_to__isnull", True), ("valid_to__gt", models.F("valid_from")), _connector="OR"),
                        name="calibration_period",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("slope", 0), _negated=True), name="calibration_slope"
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="MaintenanceIssue",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("device_fault", "设备故障"),
                            ("calibration_due", "校准到期"),
                            ("offline", "长时间离线"),
                        ],
                        max_length=16,
                        verbose_name="类型",
                    ),
                ),
                ("detail", models.CharField(blank=True, max_length=200, verbose_name="情况")),
                ("opened_at", models.DateTimeField(verbose_name="发现时间")),
                ("last_seen_at", models.DateTimeField(verbose_name="最近确认")),
                ("ended_at", models.DateTimeField(blank=True, null=True, verbose_name="恢复时间")),
                ("order_id", models.PositiveBigIntegerField(blank=True, null=True, verbose_name="工单")),
                ("order_reference", models.CharField(blank=True, max_length=20, verbose_name="工单编号")),
                (
                    "station",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="maintenance_issues",
                        to="air.station",
                    ),
                ),
            ],
            options={
                "verbose_name": "运维问题",
                "verbose_name_plural": "运维问题",
                "db_table": "air_maintenance_issue",
                "ordering": ["-opened_at", "-pk"],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("ended_at__isnull", True)),
                        fields=("station", "kind"),
                        name="one_open_issue_per_station_kind",
                    )
                ],
            },
        ),
    ]
