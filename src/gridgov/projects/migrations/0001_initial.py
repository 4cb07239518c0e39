"""Projects's tables. Rewritten with `CreateModels` (gridgov/core/migration_ops.py), which
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
                    name="Project",
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
                            "code",
                            models.CharField(max_length=40, unique=True, verbose_name="项目编号"),
                        ),
                        ("name", models.CharField(max_length=200, verbose_name="项目名称")),
                        (
                            "kind",
                            models.CharField(
                                choices=[("rd", "研发/科技项目"), ("construction", "建设项目")],
                                max_length=20,
                                verbose_name="项目类型",
                            ),
                        ),
                        ("applicant", models.CharField(max_length=200, verbose_name="申报单位")),
                        (
                            "plan",
                            models.CharField(
                                choices=[
                                    ("city_st", "市科技计划"),
                                    ("provincial", "省级资金"),
                                    ("central", "中央预算内"),
                                    ("district", "区级财政"),
                                    ("other", "其他"),
                                ],
                                max_length=20,
                                verbose_name="计划类别",
                            ),
                        ),
                        (
                            "plan_text",
                            models.CharField(blank=True, max_length=200, verbose_name="计划名称"),
                        ),
                        ("year", models.PositiveSmallIntegerField(verbose_name="年度")),
                        (
                            "granted",
                            models.DecimalField(
                                decimal_places=2,
                                default=0,
                                max_digits=12,
                                verbose_name="批复资金（万元）",
                            ),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("applied", "申报"),
                                    ("approved", "立项"),
                                    ("ongoing", "在建/实施中"),
                                    ("acceptance", "验收"),
                                    ("completed", "完成"),
                                    ("terminated", "终止"),
                                ],
                                default="applied",
                                max_length=20,
                                verbose_name="状态",
                            ),
                        ),
                        ("lat", models.FloatField(blank=True, null=True, verbose_name="纬度")),
                        ("lon", models.FloatField(blank=True, null=True, verbose_name="经度")),
                        ("summary", models.TextField(blank=True, verbose_name="项目简介")),
                        ("created_at", models.DateTimeField(verbose_name="登记时间")),
                        ("updated_at", models.DateTimeField(verbose_name="更新时间")),
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
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="located_projects",
                                to="territory.region",
                                verbose_name="所在网格",
                            ),
                        ),
                        (
                            "owner",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="projects",
                                to="territory.region",
                                verbose_name="责任单位",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "项目",
                        "verbose_name_plural": "项目",
                        "ordering": ["-year", "code"],
                        "indexes": [
                            models.Index(
                                fields=["status", "year"], name="projects_pr_status_c7296a_idx"
                            )
                        ],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("granted__gte", 0)),
                                name="project_granted_positive",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    models.Q(("lat__isnull", True), ("lon__isnull", True)),
                                    models.Q(("lat__isnull", False), ("lon__isnull", False)),
                                    _connector="OR",
                                ),
                                name="project_point_complete",
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="Official",
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
                                choices=[("lead", "负责人"), ("liaison", "联络人")],
                                max_length=20,
                                verbose_name="职责",
                            ),
                        ),
                        (
                            "person",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="projects",
                                to="people.person",
                                verbose_name="人员",
                            ),
                        ),
                        (
                            "project",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="officials",
                                to="projects.project",
                                verbose_name="项目",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "项目责任人",
                        "verbose_name_plural": "项目责任人",
                        "ordering": ["role", "pk"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("project", "person", "role"), name="uniq_project_official"
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="Milestone",
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
                        ("title", models.CharField(max_length=200, verbose_name="节点名称")),
                        ("planned", models.DateField(verbose_name="计划完成日期")),
                        (
                            "done",
                            models.DateField(blank=True, null=True, verbose_name="实际完成日期"),
                        ),
                        ("note", models.CharField(blank=True, max_length=500, verbose_name="备注")),
                        (
                            "project",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="milestones",
                                to="projects.project",
                                verbose_name="项目",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "项目节点",
                        "verbose_name_plural": "项目节点",
                        "ordering": ["planned", "pk"],
                    },
                ),
                migrations.CreateModel(
                    name="Document",
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
                            "title",
                            models.CharField(blank=True, max_length=100, verbose_name="标题"),
                        ),
                        ("file", models.CharField(max_length=255, verbose_name="文件")),
                        ("content_type", models.CharField(max_length=100, verbose_name="类型")),
                        ("size", models.PositiveIntegerField(verbose_name="大小")),
                        (
                            "original_name",
                            models.CharField(blank=True, max_length=200, verbose_name="原文件名"),
                        ),
                        ("created_at", models.DateTimeField(verbose_name="上传时间")),
                        (
                            "uploaded_by",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "project",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="documents",
                                to="projects.project",
                                verbose_name="项目",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "项目文件",
                        "verbose_name_plural": "项目文件",
                        "ordering": ["-created_at", "-pk"],
                    },
                ),
                migrations.CreateModel(
                    name="Spending",
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
                        ("date", models.DateField(verbose_name="支出日期")),
                        (
                            "amount",
                            models.DecimalField(
                                decimal_places=2, max_digits=12, verbose_name="金额（万元）"
                            ),
                        ),
                        ("note", models.CharField(blank=True, max_length=200, verbose_name="说明")),
                        (
                            "actor_name",
                            models.CharField(blank=True, max_length=50, verbose_name="登记人"),
                        ),
                        ("at", models.DateTimeField(verbose_name="登记时间")),
                        (
                            "actor",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "project",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="spendings",
                                to="projects.project",
                                verbose_name="项目",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "资金支出",
                        "verbose_name_plural": "资金支出",
                        "ordering": ["date", "pk"],
                    },
                ),
                migrations.CreateModel(
                    name="StatusChange",
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
                            "from_status",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("applied", "申报"),
                                    ("approved", "立项"),
                                    ("ongoing", "在建/实施中"),
                                    ("acceptance", "验收"),
                                    ("completed", "完成"),
                                    ("terminated", "终止"),
                                ],
                                max_length=20,
                                verbose_name="原状态",
                            ),
                        ),
                        (
                            "to_status",
                            models.CharField(
                                choices=[
                                    ("applied", "申报"),
                                    ("approved", "立项"),
                                    ("ongoing", "在建/实施中"),
                                    ("acceptance", "验收"),
                                    ("completed", "完成"),
                                    ("terminated", "终止"),
                                ],
                                max_length=20,
                                verbose_name="新状态",
                            ),
                        ),
                        ("date", models.DateField(verbose_name="日期")),
                        ("note", models.CharField(blank=True, max_length=500, verbose_name="说明")),
                        (
                            "actor_name",
                            models.CharField(blank=True, max_length=50, verbose_name="操作人"),
                        ),
                        ("at", models.DateTimeField(verbose_name="登记时间")),
                        (
                            "actor",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "project",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="history",
                                to="projects.project",
                                verbose_name="项目",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "项目状态记录",
                        "verbose_name_plural": "项目状态记录",
                        "ordering": ["date", "pk"],
                    },
                ),
            ],
        ),
    ]
