import django.db.models.deletion
from django.db import migrations, models

import gridgov.air.forward_models

KINDS = [("minute", "分钟数据(2051)"), ("hourly", "小时数据(2061)")]


class Migration(migrations.Migration):
    dependencies = [("air", "0012_sensor_quality")]

    operations = [
        migrations.CreateModel(
            name="ForwardTarget",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=100, unique=True, verbose_name="名称")),
                ("host", models.CharField(max_length=255, verbose_name="地址")),
                ("port", models.PositiveIntegerField(verbose_name="端口")),
                ("enabled", models.BooleanField(default=True, verbose_name="启用")),
                ("minute", models.BooleanField(default=True, verbose_name="转发分钟数据")),
                ("hourly", models.BooleanField(default=False, verbose_name="转发小时数据")),
                ("st", models.CharField(default="22", max_length=5, verbose_name="系统编码(ST)")),
                ("rate", models.FloatField(default=20, help_text="0 表示不限速", verbose_name="限速(包/秒)")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
            ],
            options={
                "verbose_name": "上级平台",
                "verbose_name_plural": "上级平台",
                "db_table": "air_forward_target",
                "ordering": ["name"],
            },
        ),
        migrations.CreateModel(
            name="ForwardStation",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("mn", models.CharField(max_length=24, verbose_name="上级平台设备编号(MN)")),
                ("pw", models.CharField(blank=True, max_length=32, verbose_name="上级平台访问密码(PW)")),
                ("since", models.BigIntegerField(default=gridgov.air.forward_models.now_ts, help_text="first data time forwarded, epoch seconds UTC", verbose_name="起始时间")),
                ("enabled", models.BooleanField(default=True, verbose_name="启用")),
                ("station", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="forwards", to="air.station", verbose_name="站点")),
                ("target", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="links", to="air.forwardtarget", verbose_name="上级平台")),
            ],
            options={
                "verbose_name": "转发站点",
                "verbose_name_plural": "转发站点",
                "db_table": "air_forward_station",
                "ordering": ["target", "station"],
                "constraints": [
                    models.UniqueConstraint(fields=("target", "station"), name="forward_one_per_station"),
                    models.UniqueConstraint(fields=("target", "mn"), name="forward_one_per_mn"),
                ],
            },
        ),
        migrations.CreateModel(
            name="ForwardCursor",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(choices=KINDS, max_length=8)),
                ("acked_ts", models.BigIntegerField(help_text="start of the last acknowledged interval")),
                ("updated_at", models.DateTimeField(auto_now=True)),
                ("link", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="cursors", to="air.forwardstation")),
            ],
            options={
                "db_table": "air_forward_cursor",
                "constraints": [models.UniqueConstraint(fields=("link", "kind"), name="forward_one_cursor")],
            },
        ),
        migrations.CreateModel(
            name="ForwardLog",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(choices=KINDS, max_length=8)),
                ("ts", models.BigIntegerField(help_text="start of the interval, epoch seconds UTC")),
                ("qn", models.CharField(max_length=20)),
                ("digest", models.BigIntegerField(help_text="CRC-32 of the data area sent")),
                ("sent_at", models.DateTimeField()),
                ("acked_at", models.DateTimeField(blank=True, null=True)),
                ("retries", models.PositiveIntegerField(default=0)),
                ("link", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="log", to="air.forwardstation")),
            ],
            options={
                "db_table": "air_forward_log",
                "constraints": [models.UniqueConstraint(fields=("link", "kind", "ts"), name="forward_log_interval")],
            },
        ),
    ]
