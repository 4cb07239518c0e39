import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("air", "0015_packet_archive"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="devicestatus",
            name="clock",
            field=models.JSONField(blank=True, default=dict, verbose_name="时钟规律计数"),
        ),
        migrations.AlterField(
            model_name="maintenanceissue",
            name="kind",
            field=models.CharField(
                choices=[
                    ("device_fault", "设备故障"),
                    ("calibration_due", "校准到期"),
                    ("offline", "长时间离线"),
                    ("tamper", "疑似人为干扰核查"),
                ],
                max_length=16,
                verbose_name="类型",
            ),
        ),
        migrations.CreateModel(
            name="TamperFinding",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("spray", "喷淋/雾炮干扰"),
                            ("flat", "数据过于平稳"),
                            ("clock", "时钟过于规律"),
                        ],
                        max_length=8,
                        verbose_name="类型",
                    ),
                ),
                ("start", models.DateTimeField(verbose_name="开始时间")),
                ("end", models.DateTimeField(help_text="不含", verbose_name="结束时间")),
                ("pollutants", models.JSONField(default=list, verbose_name="污染物")),
                ("evidence", models.JSONField(default=dict, verbose_name="依据")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("open", "待核查"),
                            ("confirmed", "确认干扰"),
                            ("dismissed", "排除"),
                        ],
                        default="open",
                        max_length=12,
                        verbose_name="状态",
                    ),
                ),
                (
                    "decided_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="核查时间"),
                ),
                ("reason", models.CharField(blank=True, max_length=200, verbose_name="理由")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="发现时间")),
                (
                    "decided_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="核查人",
                    ),
                ),
                (
                    "issue",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="air.maintenanceissue",
                        verbose_name="现场核查",
                    ),
                ),
                (
                    "station",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="tamper_findings",
                        to="air.station",
                    ),
                ),
            ],
            options={
                "verbose_name": "干扰疑点",
                "verbose_name_plural": "干扰疑点",
                "db_table": "air_tamper_finding",
                "ordering": ["-start", "-pk"],
                "indexes": [models.Index(fields=["status", "start"], name="air_tamper_status")],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("station", "kind", "start"), name="one_tamper_finding_per_start"
                    )
                ],
            },
        ),
    ]
