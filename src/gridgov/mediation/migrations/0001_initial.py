"""Mediation's tables. Rewritten with `CreateModels` (gridgov/core/migration_ops.py), which
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
        ("workorders", "0011_alter_notification_kind"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        gridgov.core.migration_ops.CreateModels(
            operations=[
                migrations.CreateModel(
                    name="Case",
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
                            "number",
                            models.CharField(max_length=20, unique=True, verbose_name="案件编号"),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("neighbour", "邻里纠纷"),
                                    ("family", "婚姻家庭纠纷"),
                                    ("labour", "劳动争议/劳资纠纷"),
                                    ("land", "土地承包纠纷"),
                                    ("property", "物业纠纷"),
                                    ("damages", "损害赔偿纠纷"),
                                    ("consumer", "消费纠纷"),
                                    ("other", "其他纠纷"),
                                ],
                                max_length=20,
                                verbose_name="纠纷类型",
                            ),
                        ),
                        ("title", models.CharField(max_length=120, verbose_name="纠纷简况")),
                        ("facts", models.TextField(blank=True, verbose_name="纠纷事实")),
                        (
                            "amount",
                            models.DecimalField(
                                blank=True,
                                decimal_places=2,
                                max_digits=14,
                                null=True,
                                verbose_name="争议金额(元)",
                            ),
                        ),
                        ("region_path", models.CharField(db_index=True, max_length=255)),
                        ("lat", models.FloatField(blank=True, null=True, verbose_name="纬度")),
                        ("lon", models.FloatField(blank=True, null=True, verbose_name="经度")),
                        (
                            "address",
                            models.CharField(blank=True, max_length=200, verbose_name="发生地点"),
                        ),
                        (
                            "source",
                            models.CharField(
                                choices=[
                                    ("walk_in", "来访"),
                                    ("grid", "网格排查"),
                                    ("work_order", "工单转办"),
                                    ("court", "法院委托"),
                                    ("petition", "信访转办"),
                                ],
                                max_length=20,
                                verbose_name="来源",
                            ),
                        ),
                        (
                            "referral",
                            models.CharField(
                                blank=True, max_length=120, verbose_name="委托/转办单位及文号"
                            ),
                        ),
                        (
                            "state",
                            models.CharField(
                                choices=[
                                    ("received", "已受理"),
                                    ("mediating", "调解中"),
                                    ("succeeded", "调解成功"),
                                    ("failed", "调解不成"),
                                    ("referred", "已转办"),
                                    ("followed_up", "回访完成"),
                                    ("archived", "已归档"),
                                ],
                                db_index=True,
                                default="received",
                                max_length=20,
                                verbose_name="状态",
                            ),
                        ),
                        ("received_on", models.DateField(db_index=True, verbose_name="受理日期")),
                        (
                            "outcome",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("agreement", "调解成功，达成协议"),
                                    ("failed", "调解不成"),
                                    ("court", "转诉讼"),
                                    ("arbitration", "转仲裁"),
                                    ("petition", "转信访"),
                                ],
                                max_length=20,
                                verbose_name="调解结果",
                            ),
                        ),
                        (
                            "outcome_on",
                            models.DateField(
                                blank=True, db_index=True, null=True, verbose_name="结果日期"
                            ),
                        ),
                        ("outcome_note", models.TextField(blank=True, verbose_name="结果说明")),
                        ("terms", models.TextField(blank=True, verbose_name="协议内容")),
                        (
                            "perform_by",
                            models.DateField(blank=True, null=True, verbose_name="履行期限"),
                        ),
                        (
                            "signed_on",
                            models.DateField(blank=True, null=True, verbose_name="签署日期"),
                        ),
                        (
                            "judicial",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("", "未申请"),
                                    ("pending", "已申请，待裁定"),
                                    ("confirmed", "确认有效"),
                                    ("refused", "不予确认"),
                                ],
                                default="",
                                max_length=12,
                                verbose_name="司法确认",
                            ),
                        ),
                        (
                            "judicial_applied_on",
                            models.DateField(blank=True, null=True, verbose_name="申请日期"),
                        ),
                        (
                            "judicial_court",
                            models.CharField(blank=True, max_length=80, verbose_name="受理法院"),
                        ),
                        (
                            "judicial_ruling",
                            models.CharField(blank=True, max_length=60, verbose_name="裁定书文号"),
                        ),
                        (
                            "judicial_decided_on",
                            models.DateField(blank=True, null=True, verbose_name="裁定日期"),
                        ),
                        (
                            "followup_days",
                            models.PositiveSmallIntegerField(
                                default=30, verbose_name="回访期限(天)"
                            ),
                        ),
                        ("created_at", models.DateTimeField(verbose_name="登记时间")),
                        ("updated_at", models.DateTimeField(verbose_name="更新时间")),
                        (
                            "created_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="登记人",
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
                            "mediators",
                            models.ManyToManyField(
                                blank=True,
                                related_name="mediated_cases",
                                to="people.person",
                                verbose_name="调解员",
                            ),
                        ),
                        (
                            "order",
                            models.OneToOneField(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="mediation_case",
                                to="workorders.workorder",
                                verbose_name="来源工单",
                            ),
                        ),
                        (
                            "committee",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="cases",
                                to="mediation.committee",
                                verbose_name="调解委员会",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "调解案件",
                        "verbose_name_plural": "调解案件",
                        "ordering": ["-received_on", "-pk"],
                        "permissions": [("view_party_identity", "可查看当事人身份信息")],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("amount__isnull", True), ("amount__gte", 0), _connector="OR"
                                ),
                                name="case_amount_positive",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("followup_days__gte", 1), ("followup_days__lte", 365)
                                ),
                                name="case_followup_days_range",
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="CaseStep",
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
                        ("action", models.CharField(max_length=20, verbose_name="操作")),
                        (
                            "from_state",
                            models.CharField(blank=True, max_length=20, verbose_name="原状态"),
                        ),
                        (
                            "to_state",
                            models.CharField(blank=True, max_length=20, verbose_name="新状态"),
                        ),
                        (
                            "actor_name",
                            models.CharField(blank=True, max_length=60, verbose_name="操作人姓名"),
                        ),
                        ("note", models.TextField(blank=True, verbose_name="说明")),
                        ("at", models.DateTimeField(db_index=True, verbose_name="时间")),
                        (
                            "actor",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="操作人",
                            ),
                        ),
                        (
                            "case",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="steps",
                                to="mediation.case",
                                verbose_name="案件",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "案件流转记录",
                        "verbose_name_plural": "案件流转记录",
                        "ordering": ["case", "at", "pk"],
                    },
                ),
                migrations.CreateModel(
                    name="Committee",
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
                        (
                            "phone",
                            models.CharField(blank=True, max_length=20, verbose_name="联系电话"),
                        ),
                        (
                            "address",
                            models.CharField(blank=True, max_length=200, verbose_name="办公地点"),
                        ),
                        (
                            "established",
                            models.DateField(blank=True, null=True, verbose_name="成立日期"),
                        ),
                        ("active", models.BooleanField(default=True, verbose_name="在用")),
                        (
                            "director",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="directed_committees",
                                to="people.person",
                                verbose_name="主任",
                            ),
                        ),
                        (
                            "unit",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="committees",
                                to="territory.region",
                                verbose_name="所属单位",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "调解委员会",
                        "verbose_name_plural": "调解委员会",
                        "ordering": ["unit__code", "name"],
                        "constraints": [
                            models.UniqueConstraint(fields=("unit", "name"), name="uniq_committee")
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="FollowUp",
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
                        ("due_on", models.DateField(db_index=True, verbose_name="回访期限")),
                        (
                            "done_on",
                            models.DateField(blank=True, null=True, verbose_name="回访日期"),
                        ),
                        (
                            "performed",
                            models.BooleanField(blank=True, null=True, verbose_name="协议已履行"),
                        ),
                        ("findings", models.TextField(blank=True, verbose_name="回访情况")),
                        (
                            "case",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="followups",
                                to="mediation.case",
                                verbose_name="案件",
                            ),
                        ),
                        (
                            "visitor",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="回访人",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "回访",
                        "verbose_name_plural": "回访",
                        "ordering": ["case", "due_on", "pk"],
                    },
                ),
                migrations.CreateModel(
                    name="Party",
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
                                choices=[
                                    ("applicant", "申请人"),
                                    ("respondent", "被申请人"),
                                    ("third", "第三人"),
                                ],
                                max_length=12,
                                verbose_name="身份",
                            ),
                        ),
                        ("name", models.CharField(max_length=80, verbose_name="姓名/名称")),
                        (
                            "phone",
                            models.CharField(blank=True, max_length=20, verbose_name="联系电话"),
                        ),
                        (
                            "id_number",
                            models.CharField(
                                blank=True,
                                max_length=18,
                                verbose_name="身份证号码/统一社会信用代码",
                            ),
                        ),
                        (
                            "address",
                            models.CharField(blank=True, max_length=200, verbose_name="住址"),
                        ),
                        (
                            "case",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="parties",
                                to="mediation.case",
                                verbose_name="案件",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "当事人",
                        "verbose_name_plural": "当事人",
                        "ordering": ["case", "role", "pk"],
                    },
                ),
                migrations.CreateModel(
                    name="Session",
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
                        ("date", models.DateField(verbose_name="调解日期")),
                        ("place", models.CharField(max_length=120, verbose_name="调解地点")),
                        ("notes", models.TextField(verbose_name="调解经过")),
                        ("recorded_at", models.DateTimeField(verbose_name="记录时间")),
                        (
                            "case",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="sessions",
                                to="mediation.case",
                                verbose_name="案件",
                            ),
                        ),
                        (
                            "mediators",
                            models.ManyToManyField(
                                related_name="+", to="people.person", verbose_name="调解员"
                            ),
                        ),
                        (
                            "recorded_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="记录人",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "调解记录",
                        "verbose_name_plural": "调解记录",
                        "ordering": ["case", "date", "pk"],
                    },
                ),
                migrations.CreateModel(
                    name="Training",
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
                        ("topic", models.CharField(max_length=120, verbose_name="培训主题")),
                        ("date", models.DateField(verbose_name="培训日期")),
                        ("place", models.CharField(max_length=120, verbose_name="培训地点")),
                        (
                            "hours",
                            models.DecimalField(
                                decimal_places=1, default=4, max_digits=4, verbose_name="学时"
                            ),
                        ),
                        ("notes", models.TextField(blank=True, verbose_name="备注")),
                        (
                            "organiser",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="territory.region",
                                verbose_name="组织单位",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "调解员培训",
                        "verbose_name_plural": "调解员培训",
                        "ordering": ["-date", "pk"],
                    },
                ),
                migrations.CreateModel(
                    name="Attendance",
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
                            "person",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="trainings",
                                to="people.person",
                                verbose_name="调解员",
                            ),
                        ),
                        (
                            "training",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="attendance",
                                to="mediation.training",
                                verbose_name="培训",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "培训签到",
                        "verbose_name_plural": "培训签到",
                        "ordering": ["training", "person__name"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("training", "person"), name="uniq_attendance"
                            )
                        ],
                    },
                ),
            ],
        ),
    ]
