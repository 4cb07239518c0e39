"""One packet archive chain per receiver per day: PacketArchiveDay gains `receiver` (the
receiver's archive name, GRIDGOV_HJ212_ARCHIVE_NAME) and is unique on (day, receiver). Rows
written before keep their values with receiver "", the old file name ``DD.jsonl``."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("air", "0019_partition_time_series"),
    ]

    operations = [
        migrations.AddField(
            model_name="packetarchiveday",
            name="receiver",
            field=models.CharField(
                blank=True,
                default="",
                help_text="接收端存档名（GRIDGOV_HJ212_ARCHIVE_NAME）；空为多接收端之前的单一文件",
                max_length=40,
                verbose_name="接收端",
            ),
        ),
        migrations.AlterField(
            model_name="packetarchiveday",
            name="day",
            field=models.DateField(help_text="北京时间", verbose_name="日期"),
        ),
        migrations.AlterModelOptions(
            name="packetarchiveday",
            options={
                "ordering": ["-day", "receiver"],
                "verbose_name": "原始报文存档日",
                "verbose_name_plural": "原始报文存档日",
            },
        ),
        migrations.AddConstraint(
            model_name="packetarchiveday",
            constraint=models.UniqueConstraint(
                fields=("day", "receiver"), name="packet_archive_day_receiver"
            ),
        ),
    ]
