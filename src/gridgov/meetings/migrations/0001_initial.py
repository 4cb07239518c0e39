"""Meetings's tables. Rewritten with `CreateModels` (gridgov/core/migration_ops.py), which
renders the migration state once for them all; the state and the tables are the same.
"""

import django.db.models.deletion
import gridgov.core.migration_ops
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("people", "0007_law_enforcer_post"),
        ("territory", "0002_seed_work_lines"),
        ("workorders", "0010_rectification_category"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        gridgov.core.migration_ops.CreateModels(
            operations=[
                migrations.CreateModel(
                    name="Meeting",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("title", models.CharField(max_length=120, verbose_name="会议名称")),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("dispatch", "调度会"),
                                    ("progress", "推进会"),
                                    ("topical", "专题会"),
                                ],
                                max_length=12,
                                verbose_name="会议类型",
                            ),
                        ),
                        ("starts_at", models.DateTimeField(db_index=True, verbose_name="会议时间")),
                        ("place", models.CharField(max_length=120, verbose_name="会议地点")),
                        ("summary", models.TextField(blank=True, verbose_name="会议概况")),
                        (
                            "state",
                            models.CharField(
                                choices=[
                                    ("draft", "筹备中"),
                                    ("held", "已召开"),
                                    ("issued", "纪要已印发"),
                                ],
                                default="draft",
                                max_length=8,
                                verbose_name="状态",
                            ),
                        ),
                        ("created_at", models.DateTimeField(verbose_name="创建时间")),
                        (
                            "issued_at",
                            models.DateTimeField(
                                blank=True, null=True, verbose_name="纪要印发时间"
                            ),
                        ),
                        (
                            "chair",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="people.person",
                                verbose_name="主持人",
                            ),
                        ),
                        (
                            "convener",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="territory.region",
                                verbose_name="召集单位",
                            ),
                        ),
                        (
                            "created_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "previous",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="following",
                                to="meetings.meeting",
                                verbose_name="上次会议",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "调度会议",
                        "verbose_name_plural": "调度会议",
                        "ordering": ["-starts_at", "-pk"],
                        "permissions": [("issue_minutes", "可印发会议纪要")],
                    },
                ),
                migrations.CreateModel(
                    name="Decision",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("position", models.PositiveSmallIntegerField(verbose_name="序号")),
                        ("text", models.TextField(verbose_name="议定内容")),
                        ("deadline", models.DateField(verbose_name="完成时限")),
                        (
                            "command",
                            models.OneToOneField(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="meeting_decision",
                                to="workorders.command",
                                verbose_name="指令",
                            ),
                        ),
                        (
                            "owners",
                            models.ManyToManyField(
                                related_name="+", to="territory.region", verbose_name="责任单位"
                            ),
                        ),
                        (
                            "meeting",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="decisions",
                                to="meetings.meeting",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "议定事项",
                        "verbose_name_plural": "议定事项",
                        "ordering": ["position", "pk"],
                    },
                ),
                migrations.CreateModel(
                    name="AgendaItem",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("position", models.PositiveSmallIntegerField(verbose_name="序号")),
                        ("text", models.CharField(max_length=200, verbose_name="议程")),
                        (
                            "meeting",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="agenda",
                                to="meetings.meeting",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "会议议程",
                        "verbose_name_plural": "会议议程",
                        "ordering": ["position", "pk"],
                    },
                ),
                migrations.CreateModel(
                    name="Statement",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("position", models.PositiveSmallIntegerField(verbose_name="序号")),
                        ("text", models.TextField(verbose_name="发言内容")),
                        (
                            "meeting",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="statements",
                                to="meetings.meeting",
                            ),
                        ),
                        (
                            "speaker",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="people.person",
                                verbose_name="发言人",
                            ),
                        ),
                        (
                            "unit",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="territory.region",
                                verbose_name="发言单位",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "表态发言",
                        "verbose_name_plural": "表态发言",
                        "ordering": ["position", "pk"],
                    },
                ),
                migrations.CreateModel(
                    name="Commitment",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("text", models.CharField(max_length=300, verbose_name="承诺内容")),
                        (
                            "deadline",
                            models.DateField(blank=True, null=True, verbose_name="承诺时限"),
                        ),
                        (
                            "statement",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="commitments",
                                to="meetings.statement",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "承诺事项",
                        "verbose_name_plural": "承诺事项",
                        "ordering": ["pk"],
                    },
                ),
                migrations.CreateModel(
                    name="Step",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("at", models.DateTimeField()),
                        ("actor_name", models.CharField(max_length=60)),
                        (
                            "from_state",
                            models.CharField(
                                choices=[
                                    ("draft", "筹备中"),
                                    ("held", "已召开"),
                                    ("issued", "纪要已印发"),
                                ],
                                max_length=8,
                            ),
                        ),
                        (
                            "to_state",
                            models.CharField(
                                choices=[
                                    ("draft", "筹备中"),
                                    ("held", "已召开"),
                                    ("issued", "纪要已印发"),
                                ],
                                max_length=8,
                            ),
                        ),
                        (
                            "meeting",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="steps",
                                to="meetings.meeting",
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "会议状态变更",
                        "verbose_name_plural": "会议状态变更",
                        "ordering": ["at", "pk"],
                    },
                ),
                migrations.CreateModel(
                    name="Attendee",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "role",
                            models.CharField(
                                choices=[("attend", "出席"), ("sit_in", "列席")],
                                default="attend",
                                max_length=8,
                                verbose_name="身份",
                            ),
                        ),
                        (
                            "presence",
                            models.CharField(
                                choices=[
                                    ("present", "到会"),
                                    ("absent", "缺席"),
                                    ("leave", "请假"),
                                ],
                                default="present",
                                max_length=8,
                                verbose_name="到会情况",
                            ),
                        ),
                        ("note", models.CharField(blank=True, max_length=120, verbose_name="说明")),
                        (
                            "person",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="people.person",
                                verbose_name="人员",
                            ),
                        ),
                        (
                            "region",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="territory.region",
                                verbose_name="单位",
                            ),
                        ),
                        (
                            "meeting",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="attendees",
                                to="meetings.meeting",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "参会",
                        "verbose_name_plural": "参会",
                        "ordering": ["role", "pk"],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    models.Q(("person__isnull", True), ("region__isnull", False)),
                                    models.Q(("person__isnull", False), ("region__isnull", True)),
                                    _connector="OR",
                                ),
                                name="attendee_unit_or_person",
                            ),
                            models.UniqueConstraint(
                                condition=models.Q(("region__isnull", False)),
                                fields=("meeting", "region"),
                                name="uniq_attendee_unit",
                            ),
                            models.UniqueConstraint(
                                condition=models.Q(("person__isnull", False)),
                                fields=("meeting", "person"),
                                name="uniq_attendee_person",
                            ),
                        ],
                    },
                ),
            ],
        ),
    ]
