"""Organisations's tables. Rewritten with `CreateModels` (gridgov/core/migration_ops.py), which
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
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        gridgov.core.migration_ops.CreateModels(
            operations=[
                migrations.CreateModel(
                    name="Organisation",
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
                        ("name", models.CharField(max_length=100, verbose_name="名称")),
                        (
                            "kind",
                            models.CharField(
                                choices=[("economic", "新经济组织"), ("social", "新社会组织")],
                                max_length=10,
                                verbose_name="类别",
                            ),
                        ),
                        (
                            "social_form",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("association", "社会团体"),
                                    ("foundation", "基金会"),
                                    ("service", "社会服务机构"),
                                ],
                                max_length=12,
                                verbose_name="社会组织类型",
                            ),
                        ),
                        (
                            "credit_code",
                            models.CharField(
                                max_length=18, unique=True, verbose_name="统一社会信用代码"
                            ),
                        ),
                        (
                            "industry",
                            models.CharField(blank=True, max_length=40, verbose_name="行业"),
                        ),
                        (
                            "staff",
                            models.PositiveIntegerField(default=0, verbose_name="从业人员数"),
                        ),
                        (
                            "party_members",
                            models.PositiveIntegerField(default=0, verbose_name="党员数"),
                        ),
                        (
                            "address",
                            models.CharField(blank=True, max_length=200, verbose_name="地址"),
                        ),
                        ("lat", models.FloatField(blank=True, null=True, verbose_name="纬度")),
                        ("lon", models.FloatField(blank=True, null=True, verbose_name="经度")),
                        (
                            "region_path",
                            models.CharField(db_index=True, editable=False, max_length=255),
                        ),
                        (
                            "party_org",
                            models.CharField(
                                choices=[
                                    ("none", "未建立"),
                                    ("single", "单独建"),
                                    ("joint", "联合建"),
                                ],
                                default="none",
                                max_length=10,
                                verbose_name="党组织",
                            ),
                        ),
                        (
                            "party_org_date",
                            models.DateField(blank=True, null=True, verbose_name="党组织成立日期"),
                        ),
                        ("opened", models.DateField(verbose_name="纳入日期")),
                        (
                            "closed",
                            models.DateField(blank=True, null=True, verbose_name="注销/迁出日期"),
                        ),
                        (
                            "contact",
                            models.CharField(blank=True, max_length=50, verbose_name="联系人"),
                        ),
                        (
                            "contact_phone",
                            models.CharField(blank=True, max_length=20, verbose_name="联系电话"),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(auto_now_add=True, verbose_name="登记时间"),
                        ),
                        (
                            "grid",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="organisations",
                                to="territory.region",
                                verbose_name="所在网格",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "两新组织",
                        "verbose_name_plural": "两新组织",
                        "ordering": ["region_path", "name", "pk"],
                        "permissions": [("view_contact", "可查看两新组织与志愿者的联系人和电话")],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("closed__isnull", True),
                                    ("closed__gte", models.F("opened")),
                                    _connector="OR",
                                ),
                                name="org_closed_after_opened",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="JointMeeting",
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
                        ("topic", models.CharField(max_length=200, verbose_name="议题")),
                        ("minutes", models.TextField(blank=True, verbose_name="会议纪要")),
                        (
                            "created_at",
                            models.DateTimeField(auto_now_add=True, verbose_name="登记时间"),
                        ),
                        (
                            "attendees",
                            models.ManyToManyField(
                                blank=True,
                                related_name="+",
                                to="people.person",
                                verbose_name="参会人员",
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
                            "unit",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="territory.region",
                                verbose_name="召集单位",
                            ),
                        ),
                        (
                            "organisations",
                            models.ManyToManyField(
                                blank=True,
                                related_name="meetings",
                                to="organisations.organisation",
                                verbose_name="参会组织",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "联席会",
                        "verbose_name_plural": "联席会",
                        "ordering": ["-date", "-pk"],
                    },
                ),
                migrations.CreateModel(
                    name="Assignment",
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
                        ("start_date", models.DateField(verbose_name="开始日期")),
                        (
                            "end_date",
                            models.DateField(blank=True, null=True, verbose_name="结束日期"),
                        ),
                        (
                            "instructor",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="org_assignments",
                                to="people.person",
                                verbose_name="党建指导员",
                            ),
                        ),
                        (
                            "organisation",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="assignments",
                                to="organisations.organisation",
                                verbose_name="组织",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "指导员选派",
                        "verbose_name_plural": "指导员选派",
                        "ordering": ["organisation", "start_date", "pk"],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("end_date__isnull", True),
                                    ("end_date__gte", models.F("start_date")),
                                    _connector="OR",
                                ),
                                name="org_assignment_end_after_start",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="OrgEvent",
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
                                    ("opened", "纳入"),
                                    ("moved", "迁移"),
                                    ("closed", "注销/迁出"),
                                    ("party_org", "党组织变化"),
                                    ("assigned", "指导员到岗"),
                                    ("unassigned", "指导员离岗"),
                                    ("changed", "信息变更"),
                                ],
                                max_length=12,
                                verbose_name="变化",
                            ),
                        ),
                        ("date", models.DateField(verbose_name="日期")),
                        (
                            "party_org",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("none", "未建立"),
                                    ("single", "单独建"),
                                    ("joint", "联合建"),
                                ],
                                max_length=10,
                                verbose_name="党组织",
                            ),
                        ),
                        ("note", models.CharField(blank=True, max_length=200, verbose_name="说明")),
                        (
                            "actor_name",
                            models.CharField(blank=True, max_length=50, verbose_name="操作人"),
                        ),
                        ("at", models.DateTimeField(auto_now_add=True, verbose_name="记录时间")),
                        (
                            "grid",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="territory.region",
                                verbose_name="网格",
                            ),
                        ),
                        (
                            "instructor",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="people.person",
                                verbose_name="党建指导员",
                            ),
                        ),
                        (
                            "organisation",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="events",
                                to="organisations.organisation",
                                verbose_name="组织",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "组织变化记录",
                        "verbose_name_plural": "组织变化记录",
                        "ordering": ["date", "pk"],
                        "indexes": [
                            models.Index(
                                fields=["kind", "date"], name="organisatio_kind_6c66ad_idx"
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="Visit",
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
                        ("date", models.DateField(verbose_name="走访日期")),
                        ("notes", models.TextField(blank=True, verbose_name="走访情况")),
                        (
                            "created_at",
                            models.DateTimeField(auto_now_add=True, verbose_name="登记时间"),
                        ),
                        (
                            "instructor",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="org_visits",
                                to="people.person",
                                verbose_name="走访人",
                            ),
                        ),
                        (
                            "organisation",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="visits",
                                to="organisations.organisation",
                                verbose_name="组织",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "走访记录",
                        "verbose_name_plural": "走访记录",
                        "ordering": ["-date", "-pk"],
                        "indexes": [
                            models.Index(
                                fields=["organisation", "date"],
                                name="organisatio_organis_afc1f8_idx",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="Volunteer",
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
                            "group",
                            models.CharField(
                                choices=[
                                    ("courier", "快递员"),
                                    ("rider", "外卖骑手"),
                                    ("driver", "网约车司机"),
                                    ("other", "其他"),
                                ],
                                max_length=10,
                                verbose_name="群体",
                            ),
                        ),
                        (
                            "region_path",
                            models.CharField(db_index=True, editable=False, max_length=255),
                        ),
                        ("registered", models.DateField(verbose_name="登记日期")),
                        ("active", models.BooleanField(default=True, verbose_name="在册")),
                        ("ended", models.DateField(blank=True, null=True, verbose_name="退出日期")),
                        (
                            "employer",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="volunteers",
                                to="organisations.organisation",
                                verbose_name="所在企业",
                            ),
                        ),
                        (
                            "grid",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="territory.region",
                                verbose_name="所在网格",
                            ),
                        ),
                        (
                            "person",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="gig_volunteering",
                                to="people.person",
                                verbose_name="人员",
                            ),
                        ),
                        (
                            "post",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="people.post",
                                verbose_name="志愿者岗位",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "新就业群体志愿者",
                        "verbose_name_plural": "新就业群体志愿者",
                        "ordering": ["region_path", "-registered", "pk"],
                        "constraints": [
                            models.UniqueConstraint(
                                condition=models.Q(("active", True)),
                                fields=("person",),
                                name="uniq_active_gig_volunteer",
                            )
                        ],
                    },
                ),
            ],
        ),
    ]
