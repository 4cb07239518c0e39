"""Forces: its migrations squashed. Its tables as the models now stand, created together
(`CreateModels`, gridgov/core/migration_ops.py), then the seed data of the replaced migrations
(their steps that only change existing rows do nothing on an empty database and are left out). A
database that has applied the replaced migrations skips this one.
"""

import django.db.models.deletion
import gridgov.core.migration_ops
from django.conf import settings
from django.db import migrations, models


# From 0002_default_kinds: The usual supply kinds of the autumn-winter campaign; offices add their
# own in the admin.

KINDS = [
    ("fog_cannon", "雾炮车", "台", True, "dust"),
    ("sprinkler", "洒水车", "辆", True, "dust"),
    ("sweeper", "清扫车", "辆", True, "dust"),
    ("dust_net", "防尘网", "m²", False, "dust"),
    ("suppressant", "抑尘剂", "吨", False, "dust"),
    ("drone", "无人机", "架", True, "burning"),
    ("extinguisher", "灭火器", "具", True, "burning"),
    ("emission_tester", "尾气检测仪", "台", True, "vehicles"),
]


def add_0002(apps, schema_editor):
    SupplyKind = apps.get_model("forces", "SupplyKind")
    for code, name, unit, whole, front in KINDS:
        SupplyKind.objects.get_or_create(
            code=code, defaults={"name": name, "unit": unit, "whole": whole, "front": front}
        )


class Migration(migrations.Migration):
    replaces = [("forces", "0001_initial"), ("forces", "0002_default_kinds")]

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
                    name="SupplyKind",
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
                        ("code", models.SlugField(max_length=40, unique=True, verbose_name="代码")),
                        ("name", models.CharField(max_length=40, verbose_name="名称")),
                        ("unit", models.CharField(max_length=10, verbose_name="计量单位")),
                        (
                            "whole",
                            models.BooleanField(
                                default=True, help_text="车辆、设备按台计", verbose_name="整数计量"
                            ),
                        ),
                        (
                            "front",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("general", "综合协调"),
                                    ("dust", "扬尘治理"),
                                    ("burning", "散煤/秸秆禁烧"),
                                    ("vehicles", "机动车"),
                                    ("industry", "工业源"),
                                    ("cooking", "餐饮油烟"),
                                    ("fireworks", "烟花爆竹禁放"),
                                ],
                                max_length=20,
                                verbose_name="战线",
                            ),
                        ),
                        ("active", models.BooleanField(default=True, verbose_name="启用")),
                    ],
                    options={
                        "verbose_name": "物资种类",
                        "verbose_name_plural": "物资种类",
                        "ordering": ["code"],
                    },
                ),
                migrations.CreateModel(
                    name="Depot",
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
                            "place",
                            models.CharField(blank=True, max_length=200, verbose_name="地点"),
                        ),
                        ("lat", models.FloatField(blank=True, null=True, verbose_name="纬度")),
                        ("lon", models.FloatField(blank=True, null=True, verbose_name="经度")),
                        ("active", models.BooleanField(default=True, verbose_name="启用")),
                        (
                            "owner",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="depots",
                                to="territory.region",
                                verbose_name="所属单位",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "物资存放点",
                        "verbose_name_plural": "物资存放点",
                        "ordering": ["owner__code", "name"],
                    },
                ),
                migrations.CreateModel(
                    name="Allocation",
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
                            "quantity",
                            models.DecimalField(
                                decimal_places=2, max_digits=12, verbose_name="数量"
                            ),
                        ),
                        ("date", models.DateField(verbose_name="调拨日期")),
                        ("purpose", models.CharField(max_length=200, verbose_name="用途")),
                        ("created_at", models.DateTimeField(verbose_name="登记时间")),
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
                                verbose_name="接收单位",
                            ),
                        ),
                        (
                            "depot",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                to="forces.depot",
                                verbose_name="调出存放点",
                            ),
                        ),
                        (
                            "kind",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                to="forces.supplykind",
                                verbose_name="物资",
                            ),
                        ),
                        (
                            "request",
                            models.OneToOneField(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="allocation",
                                to="forces.supplyrequest",
                                verbose_name="物资申请",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "物资调拨",
                        "verbose_name_plural": "物资调拨",
                        "ordering": ["-date", "-pk"],
                    },
                ),
                migrations.CreateModel(
                    name="Handover",
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
                        ("given_by", models.CharField(max_length=50, verbose_name="交付人")),
                        ("received_by", models.CharField(max_length=50, verbose_name="接收人")),
                        ("at", models.DateTimeField(verbose_name="交接时间")),
                        (
                            "quantity",
                            models.DecimalField(
                                decimal_places=2, max_digits=12, verbose_name="交接数量"
                            ),
                        ),
                        ("note", models.CharField(blank=True, max_length=200, verbose_name="备注")),
                        (
                            "allocation",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="handover",
                                to="forces.allocation",
                                verbose_name="调拨",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "物资交接",
                        "verbose_name_plural": "物资交接",
                        "ordering": ["-at", "-pk"],
                    },
                ),
                migrations.CreateModel(
                    name="SupplyRequest",
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
                            "quantity",
                            models.DecimalField(
                                decimal_places=2, max_digits=12, verbose_name="申请数量"
                            ),
                        ),
                        ("reason", models.TextField(verbose_name="申请理由")),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("requested", "申请"),
                                    ("approved", "批准"),
                                    ("rejected", "驳回"),
                                    ("handed_over", "已交接"),
                                ],
                                default="requested",
                                max_length=20,
                                verbose_name="状态",
                            ),
                        ),
                        (
                            "approved_quantity",
                            models.DecimalField(
                                blank=True,
                                decimal_places=2,
                                max_digits=12,
                                null=True,
                                verbose_name="批准数量",
                            ),
                        ),
                        ("requested_at", models.DateTimeField(verbose_name="申请时间")),
                        (
                            "depot",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                to="forces.depot",
                                verbose_name="调出存放点",
                            ),
                        ),
                        (
                            "kind",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                to="forces.supplykind",
                                verbose_name="物资",
                            ),
                        ),
                        (
                            "requested_by",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="申请人",
                            ),
                        ),
                        (
                            "unit",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="territory.region",
                                verbose_name="申请单位",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "物资申请",
                        "verbose_name_plural": "物资申请",
                        "ordering": ["-requested_at", "-pk"],
                        "permissions": [("handle_supplyrequest", "可审批物资申请、调拨和交接")],
                        "indexes": [
                            models.Index(
                                fields=["status", "depot"], name="forces_supp_status_c08ede_idx"
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="RequestStep",
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
                                    ("requested", "申请"),
                                    ("approved", "批准"),
                                    ("rejected", "驳回"),
                                    ("handed_over", "已交接"),
                                ],
                                max_length=20,
                                verbose_name="原状态",
                            ),
                        ),
                        (
                            "to_status",
                            models.CharField(
                                choices=[
                                    ("requested", "申请"),
                                    ("approved", "批准"),
                                    ("rejected", "驳回"),
                                    ("handed_over", "已交接"),
                                ],
                                max_length=20,
                                verbose_name="新状态",
                            ),
                        ),
                        (
                            "actor_name",
                            models.CharField(blank=True, max_length=50, verbose_name="操作人"),
                        ),
                        ("at", models.DateTimeField(verbose_name="时间")),
                        ("note", models.CharField(blank=True, max_length=500, verbose_name="说明")),
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
                            "request",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="steps",
                                to="forces.supplyrequest",
                                verbose_name="申请",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "申请流转记录",
                        "verbose_name_plural": "申请流转记录",
                        "ordering": ["at", "pk"],
                    },
                ),
                migrations.CreateModel(
                    name="TaskForce",
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
                            "kind",
                            models.CharField(
                                choices=[
                                    ("task_force", "专班"),
                                    ("campaign_office", "攻坚办"),
                                    ("working_group", "工作组"),
                                    ("headquarters", "指挥部"),
                                ],
                                max_length=20,
                                verbose_name="类型",
                            ),
                        ),
                        (
                            "front",
                            models.CharField(
                                choices=[
                                    ("general", "综合协调"),
                                    ("dust", "扬尘治理"),
                                    ("burning", "散煤/秸秆禁烧"),
                                    ("vehicles", "机动车"),
                                    ("industry", "工业源"),
                                    ("cooking", "餐饮油烟"),
                                    ("fireworks", "烟花爆竹禁放"),
                                ],
                                max_length=20,
                                verbose_name="战线",
                            ),
                        ),
                        ("duties", models.TextField(blank=True, verbose_name="职责")),
                        ("established", models.DateField(verbose_name="成立日期")),
                        (
                            "dissolved",
                            models.DateField(blank=True, null=True, verbose_name="撤销日期"),
                        ),
                        (
                            "leader",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="led_forces",
                                to="people.person",
                                verbose_name="负责人",
                            ),
                        ),
                        (
                            "owner",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="task_forces",
                                to="territory.region",
                                verbose_name="牵头单位",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "专班",
                        "verbose_name_plural": "专班",
                        "ordering": ["owner__code", "kind", "name"],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("dissolved__isnull", True),
                                    ("dissolved__gte", models.F("established")),
                                    _connector="OR",
                                ),
                                name="force_dissolved_after_established",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="Membership",
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
                                    ("leader", "组长"),
                                    ("deputy", "副组长"),
                                    ("member", "成员"),
                                    ("liaison", "联络员"),
                                ],
                                default="member",
                                max_length=20,
                                verbose_name="专班职务",
                            ),
                        ),
                        ("seconded", models.BooleanField(default=False, verbose_name="借调/下沉")),
                        ("start_date", models.DateField(verbose_name="开始日期")),
                        (
                            "end_date",
                            models.DateField(blank=True, null=True, verbose_name="结束日期"),
                        ),
                        (
                            "notes",
                            models.CharField(blank=True, max_length=200, verbose_name="备注"),
                        ),
                        (
                            "home_unit",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="territory.region",
                                verbose_name="原单位",
                            ),
                        ),
                        (
                            "person",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="force_memberships",
                                to="people.person",
                                verbose_name="人员",
                            ),
                        ),
                        (
                            "posted_to",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="seconded_staff",
                                to="territory.region",
                                verbose_name="派驻街道/镇",
                            ),
                        ),
                        (
                            "force",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="members",
                                to="forces.taskforce",
                                verbose_name="专班",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "专班成员",
                        "verbose_name_plural": "专班成员",
                        "ordering": ["force", "role", "start_date", "pk"],
                        "indexes": [
                            models.Index(
                                fields=["posted_to", "end_date"],
                                name="forces_memb_posted__892443_idx",
                            )
                        ],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("end_date__isnull", True),
                                    ("end_date__gte", models.F("start_date")),
                                    _connector="OR",
                                ),
                                name="membership_end_after_start",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("seconded", False),
                                    ("posted_to__isnull", False),
                                    _connector="OR",
                                ),
                                name="seconded_has_posting",
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="DutyShift",
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
                        ("date", models.DateField(verbose_name="日期")),
                        (
                            "shift",
                            models.CharField(
                                choices=[("day", "白班"), ("night", "夜班"), ("full", "全天")],
                                max_length=10,
                                verbose_name="班次",
                            ),
                        ),
                        ("leader", models.BooleanField(default=False, verbose_name="带班领导")),
                        (
                            "person",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                to="people.person",
                                verbose_name="值班人员",
                            ),
                        ),
                        (
                            "force",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="duties_rota",
                                to="forces.taskforce",
                                verbose_name="专班",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "值班安排",
                        "verbose_name_plural": "值班安排",
                        "ordering": ["date", "shift", "-leader", "pk"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("force", "date", "shift", "person"), name="uniq_duty_shift"
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="SupplyMovement",
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
                            "quantity",
                            models.DecimalField(
                                decimal_places=2, max_digits=12, verbose_name="变动数量"
                            ),
                        ),
                        (
                            "reason",
                            models.CharField(
                                choices=[
                                    ("stock_in", "入库"),
                                    ("allocation", "调拨出库"),
                                    ("return", "归还入库"),
                                    ("adjust", "盘点调整"),
                                ],
                                max_length=20,
                                verbose_name="类别",
                            ),
                        ),
                        ("at", models.DateTimeField(verbose_name="时间")),
                        (
                            "actor_name",
                            models.CharField(blank=True, max_length=50, verbose_name="操作人"),
                        ),
                        ("note", models.CharField(blank=True, max_length=200, verbose_name="说明")),
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
                            "allocation",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="movements",
                                to="forces.allocation",
                            ),
                        ),
                        (
                            "depot",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="movements",
                                to="forces.depot",
                                verbose_name="存放点",
                            ),
                        ),
                        (
                            "kind",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                to="forces.supplykind",
                                verbose_name="物资",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "物资台账",
                        "verbose_name_plural": "物资台账",
                        "ordering": ["at", "pk"],
                        "indexes": [
                            models.Index(
                                fields=["depot", "kind"], name="forces_supp_depot_i_f46d27_idx"
                            )
                        ],
                    },
                ),
            ],
        ),
        migrations.RunPython(add_0002, migrations.RunPython.noop),
    ]
