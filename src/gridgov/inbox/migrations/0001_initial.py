"""The inbox takes over the work orders' notices and commands: the models move, the tables stay
(`workorders_notification`, `workorders_command`, `workorders_commandrecipient`,
`workorders_commandattachment`). State only, so an existing database migrates unchanged; the
content types (and so the permissions given to groups and accounts, `issue_command` among them)
are renamed from the work orders to the inbox.

The notice's `order` column is still here: 0002 turns it into a generic subject.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MODELS = ["notification", "command", "commandrecipient", "commandattachment"]


def _rename(apps, schema_editor, old, new):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model in MODELS:
        if ContentType.objects.using(db).filter(app_label=new, model=model).exists():
            # Already made for the new label (post_migrate ran in between): the old one goes,
            # and its permissions with it.
            ContentType.objects.using(db).filter(app_label=old, model=model).delete()
        else:
            ContentType.objects.using(db).filter(app_label=old, model=model).update(
                app_label=new
            )


def forwards(apps, schema_editor):
    _rename(apps, schema_editor, "workorders", "inbox")


def backwards(apps, schema_editor):
    _rename(apps, schema_editor, "inbox", "workorders")


KINDS = [
    ("assigned", "新派单"),
    ("warning", "临期预警"),
    ("overdue", "超期"),
    ("escalated", "超期升级"),
    ("supervised", "督办"),
    ("returned", "退回"),
    ("rejected", "核查不通过"),
    ("extension", "延期"),
    ("to_verify", "待核查"),
    ("command", "指令"),
    ("bulletin", "调度通报"),
]


def _id():
    return models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("people", "0007_law_enforcer_post"),
        ("territory", "0002_seed_work_lines"),
        ("workorders", "0013_event_media_url"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="Command",
                    fields=[
                        ("id", _id()),
                        ("title", models.CharField(max_length=120, verbose_name="标题")),
                        ("body", models.TextField(verbose_name="内容")),
                        ("issuer_name", models.CharField(max_length=60, verbose_name="发令人姓名")),
                        ("due_at", models.DateTimeField(verbose_name="完成时限")),
                        (
                            "created_at",
                            models.DateTimeField(db_index=True, verbose_name="发布时间"),
                        ),
                        (
                            "issued_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="发令人",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "指令",
                        "verbose_name_plural": "指令",
                        "db_table": "workorders_command",
                        "ordering": ["-created_at"],
                        "permissions": [("issue_command", "可下达指令")],
                    },
                ),
                migrations.CreateModel(
                    name="CommandAttachment",
                    fields=[
                        ("id", _id()),
                        ("file", models.CharField(max_length=200)),
                        ("original_name", models.CharField(max_length=200, verbose_name="文件名")),
                        ("content_type", models.CharField(max_length=100)),
                        ("size", models.PositiveIntegerField()),
                        ("created_at", models.DateTimeField()),
                        (
                            "command",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="attachments",
                                to="inbox.command",
                            ),
                        ),
                        (
                            "uploaded_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "指令附件",
                        "verbose_name_plural": "指令附件",
                        "db_table": "workorders_commandattachment",
                        "ordering": ["created_at", "pk"],
                    },
                ),
                migrations.CreateModel(
                    name="CommandRecipient",
                    fields=[
                        ("id", _id()),
                        ("region_path", models.CharField(db_index=True, max_length=255)),
                        (
                            "acknowledged_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="签收时间"),
                        ),
                        (
                            "completed_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="完成时间"),
                        ),
                        ("note", models.TextField(blank=True, verbose_name="完成情况")),
                        ("overdue_notified", models.BooleanField(default=False)),
                        (
                            "command",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="recipients",
                                to="inbox.command",
                            ),
                        ),
                        (
                            "person",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                to="people.person",
                                verbose_name="接收人",
                            ),
                        ),
                        (
                            "region",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="territory.region",
                                verbose_name="接收单位",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "指令接收",
                        "verbose_name_plural": "指令接收",
                        "db_table": "workorders_commandrecipient",
                        "ordering": ["region__code", "person__name"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("command", "person"), name="uniq_command_person"
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="Notification",
                    fields=[
                        ("id", _id()),
                        (
                            "kind",
                            models.CharField(choices=KINDS, max_length=16, verbose_name="类型"),
                        ),
                        ("title", models.CharField(max_length=200, verbose_name="标题")),
                        ("body", models.TextField(blank=True, verbose_name="内容")),
                        ("key", models.CharField(max_length=120)),
                        ("created_at", models.DateTimeField(db_index=True)),
                        ("read_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "person",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="notifications",
                                to="people.person",
                            ),
                        ),
                        (
                            "order",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="workorders.workorder",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "消息",
                        "verbose_name_plural": "消息",
                        "db_table": "workorders_notification",
                        "ordering": ["-created_at", "-pk"],
                        "indexes": [
                            models.Index(
                                fields=["person", "read_at"], name="workorders__person__17c94f_idx"
                            )
                        ],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("person", "key"), name="uniq_notification_key"
                            )
                        ],
                    },
                ),
            ],
        ),
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
