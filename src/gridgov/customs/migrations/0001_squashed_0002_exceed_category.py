"""Customs: its migrations squashed. Its tables as the models now stand, created together
(`CreateModels`, gridgov/core/migration_ops.py), then the seed data of the replaced migrations
(their steps that only change existing rows do nothing on an empty database and are left out). A
database that has applied the replaced migrations skips this one.
"""

import django.db.models.deletion
import gridgov.core.migration_ops
from django.conf import settings
from django.db import migrations, models


# From 0002_exceed_category: The work-order category of registrations over the village's limits
# (红白事超标), under 社会治理. Internal (not offered to the public); editable in the admin afterwards.


def seed_0002(apps, schema_editor):
    Category = apps.get_model("workorders", "Category")
    WorkLine = apps.get_model("territory", "WorkLine")
    parent = Category.objects.filter(code="governance").first()
    if parent is None:  # the taxonomy was removed by hand: nothing to hang it on
        return
    Category.objects.update_or_create(
        code="custom_exceed",
        defaults={
            "name": "红白事超标",
            "name_en": "Wedding or funeral over the village's limits",
            "parent": parent,
            "line": WorkLine.objects.filter(code="governance").first(),
            "default_priority": 3,
            "public": False,
            "sort_order": 40,
        },
    )


class Migration(migrations.Migration):
    replaces = [("customs", "0001_initial"), ("customs", "0002_exceed_category")]

    initial = True

    dependencies = [
        ("people", "0007_law_enforcer_post"),
        ("territory", "0002_seed_work_lines"),
        ("workorders", "0011_alter_notification_kind"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        gridgov.core.migration_ops.CreateModels(
            operations=[
                migrations.CreateModel(
                    name="AdoptionMeeting",
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
                        ("date", models.DateField(verbose_name="会议日期")),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("villagers", "村民会议"),
                                    ("villager_reps", "村民代表大会"),
                                    ("residents", "居民会议"),
                                    ("resident_reps", "居民代表大会"),
                                ],
                                max_length=20,
                                verbose_name="会议类型",
                            ),
                        ),
                        ("attendance", models.PositiveIntegerField(verbose_name="到会人数")),
                        (
                            "entitled",
                            models.PositiveIntegerField(
                                blank=True, null=True, verbose_name="应到人数"
                            ),
                        ),
                        (
                            "votes_for",
                            models.PositiveIntegerField(
                                blank=True, null=True, verbose_name="赞成票"
                            ),
                        ),
                        (
                            "notes",
                            models.CharField(blank=True, max_length=200, verbose_name="备注"),
                        ),
                        (
                            "community",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="territory.region",
                                verbose_name="村/社区",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "表决会议",
                        "verbose_name_plural": "表决会议",
                        "ordering": ["-date", "-pk"],
                    },
                ),
                migrations.CreateModel(
                    name="Council",
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
                        ("name", models.CharField(max_length=80, verbose_name="名称")),
                        ("established", models.DateField(verbose_name="成立日期")),
                        (
                            "community",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="customs_council",
                                to="territory.region",
                                verbose_name="村/社区",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "红白理事会",
                        "verbose_name_plural": "红白理事会",
                        "ordering": ["community__code"],
                    },
                ),
                migrations.CreateModel(
                    name="RulesVersion",
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
                        ("number", models.PositiveIntegerField(verbose_name="版本号")),
                        ("title", models.CharField(max_length=100, verbose_name="标题")),
                        ("adopted", models.DateField(verbose_name="通过日期")),
                        ("text", models.TextField(verbose_name="全文")),
                        ("file", models.CharField(blank=True, max_length=200, verbose_name="文件")),
                        (
                            "file_name",
                            models.CharField(blank=True, max_length=200, verbose_name="文件名"),
                        ),
                        (
                            "file_type",
                            models.CharField(blank=True, max_length=100, verbose_name="文件类型"),
                        ),
                        (
                            "file_size",
                            models.PositiveIntegerField(default=0, verbose_name="文件大小"),
                        ),
                        ("created_at", models.DateTimeField(verbose_name="登记时间")),
                        (
                            "community",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="customs_rules",
                                to="territory.region",
                                verbose_name="村/社区",
                            ),
                        ),
                        (
                            "created_by",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "meeting",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="versions",
                                to="customs.adoptionmeeting",
                                verbose_name="表决会议",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "村规民约",
                        "verbose_name_plural": "村规民约",
                        "ordering": ["community__code", "-number"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("community", "number"), name="customs_rules_number"
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="Limit",
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
                            "kind",
                            models.CharField(
                                choices=[
                                    ("wedding", "婚事"),
                                    ("funeral", "丧事"),
                                    ("other", "其他喜事"),
                                ],
                                max_length=10,
                                verbose_name="事项",
                            ),
                        ),
                        (
                            "max_tables",
                            models.PositiveIntegerField(
                                blank=True, null=True, verbose_name="桌数上限"
                            ),
                        ),
                        (
                            "max_guests",
                            models.PositiveIntegerField(
                                blank=True, null=True, verbose_name="人数上限"
                            ),
                        ),
                        (
                            "max_cost",
                            models.DecimalField(
                                blank=True,
                                decimal_places=2,
                                max_digits=10,
                                null=True,
                                verbose_name="总花费上限（元）",
                            ),
                        ),
                        (
                            "max_days",
                            models.PositiveIntegerField(
                                blank=True, null=True, verbose_name="天数上限"
                            ),
                        ),
                        (
                            "max_table_cost",
                            models.DecimalField(
                                blank=True,
                                decimal_places=2,
                                max_digits=10,
                                null=True,
                                verbose_name="每桌花费上限（元）",
                            ),
                        ),
                        (
                            "source",
                            models.CharField(
                                choices=[("rules", "村规民约"), ("council", "红白理事会")],
                                max_length=10,
                                verbose_name="依据",
                            ),
                        ),
                        ("effective_from", models.DateField(verbose_name="生效日期")),
                        (
                            "effective_to",
                            models.DateField(blank=True, null=True, verbose_name="失效日期"),
                        ),
                        ("created_at", models.DateTimeField(verbose_name="登记时间")),
                        (
                            "community",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="customs_limits",
                                to="territory.region",
                                verbose_name="村/社区",
                            ),
                        ),
                        (
                            "rules",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="limits",
                                to="customs.rulesversion",
                                verbose_name="村规民约版本",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "操办标准",
                        "verbose_name_plural": "操办标准",
                        "ordering": ["community__code", "kind", "-effective_from"],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("effective_to__isnull", True),
                                    ("effective_to__gte", models.F("effective_from")),
                                    _connector="OR",
                                ),
                                name="customs_limit_to_after_from",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("source", "council"), ("rules__isnull", False), _connector="OR"
                                ),
                                name="customs_limit_rules_named",
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="CouncilMember",
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
                        ("name", models.CharField(max_length=50, verbose_name="姓名")),
                        (
                            "role",
                            models.CharField(
                                choices=[
                                    ("president", "会长"),
                                    ("vice", "副会长"),
                                    ("director", "理事"),
                                    ("member", "成员"),
                                ],
                                max_length=20,
                                verbose_name="职务",
                            ),
                        ),
                        ("start_date", models.DateField(verbose_name="开始日期")),
                        (
                            "end_date",
                            models.DateField(blank=True, null=True, verbose_name="结束日期"),
                        ),
                        (
                            "council",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="members",
                                to="customs.council",
                                verbose_name="红白理事会",
                            ),
                        ),
                        (
                            "person",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="people.person",
                                verbose_name="平台人员",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "理事会成员",
                        "verbose_name_plural": "理事会成员",
                        "ordering": ["council", "role", "start_date", "pk"],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("end_date__isnull", True),
                                    ("end_date__gte", models.F("start_date")),
                                    _connector="OR",
                                ),
                                name="customs_member_end_after_start",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="Registration",
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
                            "region_path",
                            models.CharField(db_index=True, editable=False, max_length=255),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("wedding", "婚事"),
                                    ("funeral", "丧事"),
                                    ("other", "其他喜事"),
                                ],
                                max_length=10,
                                verbose_name="事项",
                            ),
                        ),
                        ("date", models.DateField(verbose_name="举办日期")),
                        ("family_head", models.CharField(max_length=50, verbose_name="户主姓名")),
                        (
                            "family_phone",
                            models.CharField(blank=True, max_length=20, verbose_name="联系电话"),
                        ),
                        ("tables", models.PositiveIntegerField(verbose_name="桌数")),
                        (
                            "guests",
                            models.PositiveIntegerField(blank=True, null=True, verbose_name="人数"),
                        ),
                        (
                            "cost",
                            models.DecimalField(
                                blank=True,
                                decimal_places=2,
                                max_digits=10,
                                null=True,
                                verbose_name="总花费（元）",
                            ),
                        ),
                        ("days", models.PositiveIntegerField(default=1, verbose_name="天数")),
                        (
                            "notes",
                            models.CharField(blank=True, max_length=500, verbose_name="备注"),
                        ),
                        ("flagged", models.BooleanField(default=False, verbose_name="超标")),
                        (
                            "exceedances",
                            models.JSONField(blank=True, default=list, verbose_name="超标项"),
                        ),
                        (
                            "follow_up",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("", "无需跟进"),
                                    ("pending", "待劝导"),
                                    ("advised", "已劝导"),
                                ],
                                default="",
                                max_length=10,
                                verbose_name="劝导",
                            ),
                        ),
                        (
                            "advised_on",
                            models.DateField(blank=True, null=True, verbose_name="劝导日期"),
                        ),
                        (
                            "outcome",
                            models.CharField(blank=True, max_length=500, verbose_name="劝导结果"),
                        ),
                        (
                            "advised_by",
                            models.CharField(blank=True, max_length=50, verbose_name="劝导人"),
                        ),
                        ("created_at", models.DateTimeField(verbose_name="登记时间")),
                        (
                            "community",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="territory.region",
                                verbose_name="村/社区",
                            ),
                        ),
                        (
                            "created_by",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "grid",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="territory.region",
                                verbose_name="网格",
                            ),
                        ),
                        (
                            "limit",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                to="customs.limit",
                                verbose_name="适用标准",
                            ),
                        ),
                        (
                            "order",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="workorders.workorder",
                                verbose_name="工单",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "红白事报备",
                        "verbose_name_plural": "红白事报备",
                        "ordering": ["-date", "-pk"],
                        "permissions": [("export_family", "可导出未脱敏的户主姓名、电话")],
                        "indexes": [
                            models.Index(
                                fields=["community", "date"], name="customs_reg_communi_f98c63_idx"
                            )
                        ],
                    },
                ),
            ],
        ),
        migrations.RunPython(seed_0002, migrations.RunPython.noop),
    ]
