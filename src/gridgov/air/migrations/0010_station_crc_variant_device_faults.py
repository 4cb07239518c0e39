from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("air", "0009_station_wind_emission")]

    operations = [
        migrations.AddField(
            model_name="station",
            name="crc_variant",
            field=models.CharField(
                choices=[
                    ("hj212", "HJ 212 标准"),
                    ("modbus", "Modbus CRC"),
                    ("swapped", "HJ 212 高低字节互换"),
                ],
                default="hj212",
                max_length=8,
                verbose_name="CRC校验方式",
            ),
        ),
        migrations.AddField(
            model_name="devicestatus",
            name="variants",
            field=models.JSONField(blank=True, default=dict, verbose_name="兼容处理(按类型)"),
        ),
        migrations.AddField(
            model_name="devicestatus",
            name="untracked",
            field=models.JSONField(blank=True, default=dict, verbose_name="未跟踪因子"),
        ),
        migrations.AddField(
            model_name="devicestatus",
            name="faults",
            field=models.JSONField(blank=True, default=list, verbose_name="最近拒收的数据包"),
        ),
    ]
