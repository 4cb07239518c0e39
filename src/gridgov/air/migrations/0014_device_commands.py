import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("air", "0013_forwarding"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="DeviceCommand",
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
                            ("time_sync", "校时"),
                            ("get_interval", "查询上传间隔"),
                            ("set_interval", "设置上传间隔"),
                            ("history", "补传历史数据"),
                            ("restart", "设备重启通知"),
                        ],
                        max_length=16,
                        verbose_name="命令",
                    ),
                ),
                ("params", models.JSONField(blank=True, default=dict, verbose_name="参数")),
                ("cn", models.CharField(blank=True, max_length=7, verbose_name="命令编码(CN)")),
                (
                    "qn",
                    models.CharField(
                        blank=True, db_index=True, max_length=20, verbose_name="请求编码(QN)"
                    ),
                ),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("queued", "排队中"),
                            ("sent", "已下发"),
                            ("acknowledged", "设备已应答"),
                            ("done", "执行成功"),
                            ("failed", "失败"),
                            ("expired", "已过期"),
                        ],
                        default="queued",
                        max_length=16,
                        verbose_name="状态",
                    ),
                ),
                (
                    "automatic",
                    models.BooleanField(
                        default=False, help_text="平台自动发出（校时）", verbose_name="自动"
                    ),
                ),
                ("requested_at", models.DateTimeField(verbose_name="发起时间")),
                (
                    "expires_at",
                    models.DateTimeField(help_text="此前未能下发即过期", verbose_name="下发期限"),
                ),
                ("sent_at", models.DateTimeField(blank=True, null=True, verbose_name="下发时间")),
                (
                    "answer_by",
                    models.DateTimeField(blank=True, null=True, verbose_name="应答期限"),
                ),
                (
                    "acknowledged_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="请求应答时间"),
                ),
                (
                    "finished_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="结束时间"),
                ),
                (
                    "qn_rtn",
                    models.PositiveSmallIntegerField(
                        blank=True, null=True, verbose_name="请求应答(QnRtn)"
                    ),
                ),
                (
                    "exe_rtn",
                    models.PositiveSmallIntegerField(
                        blank=True, null=True, verbose_name="执行结果(ExeRtn)"
                    ),
                ),
                ("answer", models.JSONField(blank=True, default=dict, verbose_name="设备回复")),
                ("note", models.CharField(blank=True, max_length=200, verbose_name="说明")),
                (
                    "requested_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="发起人",
                    ),
                ),
                (
                    "station",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="device_commands",
                        to="air.station",
                        verbose_name="站点",
                    ),
                ),
            ],
            options={
                "verbose_name": "设备控制命令",
                "verbose_name_plural": "设备控制命令",
                "db_table": "air_device_command",
                "ordering": ["-requested_at", "-id"],
                "permissions": [("control_device", "可远程控制监测设备（校时、上传间隔、补传）")],
                "indexes": [
                    models.Index(fields=["state", "station"], name="air_command_state"),
                    models.Index(fields=["station", "-requested_at"], name="air_command_station"),
                ],
            },
        ),
    ]
