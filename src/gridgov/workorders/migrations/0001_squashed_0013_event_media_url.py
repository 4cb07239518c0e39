"""Workorders: its migrations squashed. Its tables as the models now stand, created together
(`CreateModels`, gridgov/core/migration_ops.py), then the seed data of the replaced migrations
(their steps that only change existing rows do nothing on an empty database and are left out). A
database that has applied the replaced migrations skips this one.
"""

import django.db.models.deletion
import gridgov.core.migration_ops
from django.conf import settings
from django.db import migrations, models


# From 0002_seed_categories: Seed the two-level event taxonomy (the seed's fronts and common
# governance categories) and the default deadlines. Both are editable in the admin afterwards.

URGENT, HIGH, NORMAL = 1, 2, 3

TAXONOMY = [
    (
        "air_pollution",
        "大气污染",
        "Air pollution",
        "environment",
        [
            ("air_quality_alarm", "空气质量报警", "Air-quality alarm", URGENT, False),
            ("station_fault", "监测站点故障", "Monitoring station fault", HIGH, False),
            ("construction_dust", "工地扬尘", "Construction-site dust", HIGH, True),
            ("road_dust", "道路扬尘与保洁", "Road dust and cleaning", NORMAL, True),
            ("industrial_emission", "工业企业排放", "Industrial emissions", HIGH, True),
            ("restaurant_fumes", "餐饮油烟", "Restaurant cooking fumes", NORMAL, True),
            ("straw_burning", "秸秆焚烧", "Straw burning", URGENT, True),
            ("ritual_burning", "祭扫焚烧", "Burning at tomb-sweeping", URGENT, True),
            ("high_emission_vehicle", "高排放车辆", "High-emission vehicle", NORMAL, True),
            ("fireworks", "违规燃放烟花爆竹", "Fireworks", HIGH, True),
            ("open_burning", "露天焚烧垃圾", "Open burning of waste", HIGH, True),
        ],
    ),
    (
        "urban",
        "城市管理",
        "Urban management",
        "urban_management",
        [
            ("sanitation", "环境卫生", "Sanitation", NORMAL, True),
            ("illegal_construction", "违法建设", "Illegal construction", NORMAL, True),
            ("street_vending", "占道经营", "Street vending", NORMAL, True),
            ("damaged_facility", "市政设施损坏", "Damaged public facility", NORMAL, True),
        ],
    ),
    (
        "safety",
        "安全隐患",
        "Safety hazards",
        "safety",
        [
            ("safety_hazard", "安全生产隐患", "Work-safety hazard", HIGH, True),
            ("fire_hazard", "消防隐患", "Fire hazard", HIGH, True),
            ("gas_hazard", "燃气隐患", "Gas hazard", URGENT, True),
        ],
    ),
    (
        "governance",
        "社会治理",
        "Social governance",
        "governance",
        [
            ("neighbour_dispute", "邻里纠纷", "Neighbour dispute", NORMAL, True),
            ("labour_dispute", "劳资纠纷", "Labour dispute", NORMAL, True),
            ("public_order", "治安隐患", "Public-order concern", HIGH, True),
        ],
    ),
    (
        "livelihood",
        "民生服务",
        "Public services",
        "civil_affairs",
        [
            ("vulnerable_help", "困难群众帮扶", "Help for people in need", NORMAL, True),
            ("water_power", "水电气暖问题", "Water, power, gas or heating", NORMAL, True),
        ],
    ),
    (
        "emergency",
        "应急处置",
        "Emergencies",
        "emergency",
        [
            ("flood", "防汛险情", "Flood risk", URGENT, True),
            ("geological_hazard", "地质灾害隐患", "Geological hazard", URGENT, True),
        ],
    ),
]

DEFAULTS = {
    URGENT: (10, 15, 240, 120, False),
    HIGH: (30, 30, 480, 240, False),
    NORMAL: (120, 120, 1350, 450, True),  # 3 working days to handle, 1 to verify
}


def seed_0002(apps, schema_editor):
    Category = apps.get_model("workorders", "Category")
    DeadlinePolicy = apps.get_model("workorders", "DeadlinePolicy")
    WorkLine = apps.get_model("territory", "WorkLine")
    lines = {w.code: w for w in WorkLine.objects.all()}
    order = 0
    for code, name, name_en, line, children in TAXONOMY:
        order += 1
        parent, _ = Category.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "line": lines.get(line),
                "sort_order": order,
            },
        )
        for c_code, c_name, c_en, priority, public in children:
            order += 1
            Category.objects.update_or_create(
                code=c_code,
                defaults={
                    "name": c_name,
                    "name_en": c_en,
                    "parent": parent,
                    "line": lines.get(line),
                    "default_priority": priority,
                    "public": public,
                    "sort_order": order,
                },
            )
    for priority, (d, s, h, v, working) in DEFAULTS.items():
        DeadlinePolicy.objects.update_or_create(
            category=None,
            priority=priority,
            defaults={
                "dispatch_minutes": d,
                "sign_minutes": s,
                "handle_minutes": h,
                "verify_minutes": v,
                "working_time": working,
            },
        )
    # Disputes take longer to mediate: 7 working days.
    dispute = Category.objects.get(code="neighbour_dispute")
    DeadlinePolicy.objects.update_or_create(
        category=dispute,
        priority=NORMAL,
        defaults={
            "dispatch_minutes": 120,
            "sign_minutes": 120,
            "handle_minutes": 3150,
            "verify_minutes": 450,
            "working_time": True,
        },
    )


# From 0010_rectification_category: The work-order category of rectifications (整改) that failed
# inspections open, under 大气污染. Internal (not offered to the public); editable in the admin
# afterwards.


def seed_0010(apps, schema_editor):
    Category = apps.get_model("workorders", "Category")
    WorkLine = apps.get_model("territory", "WorkLine")
    parent = Category.objects.filter(code="air_pollution").first()
    if parent is None:  # the taxonomy was removed by hand: nothing to hang it on
        return
    Category.objects.update_or_create(
        code="rectification",
        defaults={
            "name": "污染源整改",
            "name_en": "Pollution-source rectification",
            "parent": parent,
            "line": WorkLine.objects.filter(code="environment").first(),
            "default_priority": 3,
            "public": False,
            "sort_order": 12,
        },
    )


class Migration(migrations.Migration):
    replaces = [
        ("workorders", "0001_initial"),
        ("workorders", "0002_seed_categories"),
        ("workorders", "0003_commands"),
        ("workorders", "0004_submission_key"),
        ("workorders", "0005_next_escalation"),
        ("workorders", "0006_command_attachments"),
        ("workorders", "0007_event_public_contact_email"),
        ("workorders", "0008_transition_protect"),
        ("workorders", "0009_alarm_event_pollution_source"),
        ("workorders", "0010_rectification_category"),
        ("workorders", "0011_alter_notification_kind"),
        ("workorders", "0012_overdue_is_read_from_time"),
        ("workorders", "0013_event_media_url"),
    ]

    initial = True

    dependencies = [
        ("air", "0005_month_revision"),
        ("people", "0003_post_line"),
        ("sources", "0001_initial"),
        ("territory", "0002_seed_work_lines"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        gridgov.core.migration_ops.CreateModels(
            operations=[
                migrations.CreateModel(
                    name="Category",
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
                        ("name", models.CharField(max_length=60, verbose_name="名称")),
                        (
                            "name_en",
                            models.CharField(blank=True, max_length=80, verbose_name="英文名称"),
                        ),
                        (
                            "default_priority",
                            models.PositiveSmallIntegerField(
                                choices=[(1, "特急"), (2, "紧急"), (3, "一般")],
                                default=3,
                                verbose_name="默认紧急程度",
                            ),
                        ),
                        ("public", models.BooleanField(default=True, verbose_name="群众可选")),
                        ("active", models.BooleanField(default=True, verbose_name="启用")),
                        (
                            "sort_order",
                            models.PositiveSmallIntegerField(default=0, verbose_name="排序"),
                        ),
                        (
                            "line",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                to="territory.workline",
                                verbose_name="责任条线",
                            ),
                        ),
                        (
                            "parent",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="children",
                                to="workorders.category",
                                verbose_name="上级类别",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "事件类别",
                        "verbose_name_plural": "事件类别",
                        "ordering": ["sort_order", "code"],
                    },
                ),
                migrations.CreateModel(
                    name="Command",
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
                        "ordering": ["-created_at"],
                        "permissions": [("issue_command", "可下达指令")],
                    },
                ),
                migrations.CreateModel(
                    name="CommandAttachment",
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
                                to="workorders.command",
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
                        "ordering": ["created_at", "pk"],
                    },
                ),
                migrations.CreateModel(
                    name="Event",
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
                            "reference",
                            models.CharField(max_length=20, unique=True, verbose_name="编号"),
                        ),
                        (
                            "source",
                            models.CharField(
                                choices=[
                                    ("patrol", "网格员巡查"),
                                    ("air_alarm", "空气监测报警"),
                                    ("citizen", "群众上报"),
                                    ("hotline", "12345热线"),
                                    ("command", "指挥中心指令"),
                                    ("inspection", "检查发现"),
                                ],
                                max_length=16,
                                verbose_name="来源",
                            ),
                        ),
                        ("title", models.CharField(max_length=120, verbose_name="标题")),
                        ("description", models.TextField(blank=True, verbose_name="描述")),
                        ("lat", models.FloatField(verbose_name="纬度")),
                        ("lon", models.FloatField(verbose_name="经度")),
                        (
                            "address",
                            models.CharField(blank=True, max_length=200, verbose_name="地址"),
                        ),
                        ("region_path", models.CharField(db_index=True, max_length=255)),
                        (
                            "contact_name",
                            models.CharField(blank=True, max_length=50, verbose_name="联系人"),
                        ),
                        (
                            "contact_phone",
                            models.CharField(blank=True, max_length=20, verbose_name="联系电话"),
                        ),
                        (
                            "contact_email",
                            models.EmailField(blank=True, max_length=254, verbose_name="电子邮箱"),
                        ),
                        (
                            "media_url",
                            models.URLField(blank=True, max_length=500, verbose_name="媒体链接"),
                        ),
                        (
                            "submission_key",
                            models.CharField(blank=True, max_length=40, null=True, unique=True),
                        ),
                        (
                            "public",
                            models.BooleanField(
                                default=False,
                                help_text="在公开查询和 Open311 中展示（群众上报的事件始终公开）",
                                verbose_name="公开",
                            ),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(db_index=True, verbose_name="上报时间"),
                        ),
                        (
                            "alarm",
                            models.OneToOneField(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="event",
                                to="air.alarm",
                                verbose_name="空气报警",
                            ),
                        ),
                        (
                            "category",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                to="workorders.category",
                                verbose_name="类别",
                            ),
                        ),
                        (
                            "merged_into",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="merged",
                                to="workorders.event",
                                verbose_name="合并至",
                            ),
                        ),
                        (
                            "pollution_source",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="events",
                                to="sources.pollutionsource",
                                verbose_name="认定污染源",
                            ),
                        ),
                        (
                            "region",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="events",
                                to="territory.region",
                                verbose_name="所属网格",
                            ),
                        ),
                        (
                            "reported_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="上报账号",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "事件",
                        "verbose_name_plural": "事件",
                        "ordering": ["-created_at"],
                        "indexes": [
                            models.Index(
                                fields=["category", "created_at"],
                                name="workorders__categor_75064c_idx",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="WorkOrder",
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
                            "state",
                            models.CharField(
                                choices=[
                                    ("reported", "待受理"),
                                    ("accepted", "已立案"),
                                    ("dispatched", "已派遣"),
                                    ("signed", "已签收"),
                                    ("in_progress", "处置中"),
                                    ("handled", "已处置"),
                                    ("verified", "已核查"),
                                    ("closed", "已结案"),
                                    ("returned", "已退回"),
                                    ("voided", "已作废"),
                                ],
                                db_index=True,
                                default="reported",
                                max_length=16,
                                verbose_name="状态",
                            ),
                        ),
                        (
                            "priority",
                            models.PositiveSmallIntegerField(
                                choices=[(1, "特急"), (2, "紧急"), (3, "一般")],
                                verbose_name="紧急程度",
                            ),
                        ),
                        (
                            "assignee_post",
                            models.CharField(blank=True, max_length=40, verbose_name="承办岗位"),
                        ),
                        (
                            "step",
                            models.CharField(blank=True, max_length=12, verbose_name="当前环节"),
                        ),
                        ("step_seq", models.PositiveIntegerField(default=0)),
                        ("step_started_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "warn_at",
                            models.DateTimeField(
                                blank=True, db_index=True, null=True, verbose_name="预警时间"
                            ),
                        ),
                        (
                            "due_at",
                            models.DateTimeField(
                                blank=True, db_index=True, null=True, verbose_name="时限"
                            ),
                        ),
                        ("warned_seq", models.PositiveIntegerField(default=0)),
                        (
                            "escalation_level",
                            models.PositiveSmallIntegerField(default=0, verbose_name="升级层级"),
                        ),
                        (
                            "next_escalation_at",
                            models.DateTimeField(blank=True, db_index=True, null=True),
                        ),
                        (
                            "overdue_noticed",
                            models.BooleanField(default=False, verbose_name="已发超期通知"),
                        ),
                        ("ever_overdue", models.BooleanField(default=False, verbose_name="曾超期")),
                        (
                            "returned_count",
                            models.PositiveSmallIntegerField(default=0, verbose_name="退回次数"),
                        ),
                        (
                            "dispatched_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="派遣时间"),
                        ),
                        (
                            "signed_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="签收时间"),
                        ),
                        (
                            "handled_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="处置时间"),
                        ),
                        (
                            "closed_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="结案时间"),
                        ),
                        ("sign_late", models.BooleanField(default=False)),
                        ("handle_late", models.BooleanField(default=False)),
                        (
                            "extended_until",
                            models.DateTimeField(blank=True, null=True, verbose_name="延期至"),
                        ),
                        ("version", models.PositiveIntegerField(default=0)),
                        (
                            "created_at",
                            models.DateTimeField(db_index=True, verbose_name="创建时间"),
                        ),
                        ("updated_at", models.DateTimeField(verbose_name="更新时间")),
                        (
                            "assignee",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="orders",
                                to="people.person",
                                verbose_name="承办人",
                            ),
                        ),
                        (
                            "event",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="order",
                                to="workorders.event",
                                verbose_name="事件",
                            ),
                        ),
                        (
                            "handled_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="people.person",
                                verbose_name="处置人",
                            ),
                        ),
                        (
                            "sent_by_unit",
                            models.ForeignKey(
                                blank=True,
                                help_text="退回时回到此单位",
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="territory.region",
                                verbose_name="派遣单位",
                            ),
                        ),
                        (
                            "unit",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="territory.region",
                                verbose_name="承办单位",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "工单",
                        "verbose_name_plural": "工单",
                        "ordering": ["-created_at"],
                        "permissions": [
                            ("dispatch_workorder", "可受理、派遣、结案工单"),
                            ("verify_workorder", "可核查工单"),
                            ("supervise_workorder", "可督办、审批延期"),
                        ],
                        "indexes": [
                            models.Index(
                                fields=["assignee", "state"], name="workorders__assigne_d71cd3_idx"
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="Transition",
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
                        ("action", models.CharField(max_length=24, verbose_name="动作")),
                        (
                            "from_state",
                            models.CharField(blank=True, max_length=16, verbose_name="原状态"),
                        ),
                        (
                            "to_state",
                            models.CharField(blank=True, max_length=16, verbose_name="新状态"),
                        ),
                        (
                            "actor_name",
                            models.CharField(blank=True, max_length=60, verbose_name="操作人姓名"),
                        ),
                        ("note", models.TextField(blank=True, verbose_name="说明")),
                        ("lat", models.FloatField(blank=True, null=True)),
                        ("lon", models.FloatField(blank=True, null=True)),
                        ("at", models.DateTimeField(db_index=True, verbose_name="时间")),
                        (
                            "actor",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="操作人",
                            ),
                        ),
                        (
                            "assignee",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                to="people.person",
                                verbose_name="承办人",
                            ),
                        ),
                        (
                            "order",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="transitions",
                                to="workorders.workorder",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "流转记录",
                        "verbose_name_plural": "流转记录",
                        "ordering": ["at", "pk"],
                    },
                ),
                migrations.CreateModel(
                    name="Supervision",
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
                        ("note", models.TextField(verbose_name="督办意见")),
                        ("due_at", models.DateTimeField(verbose_name="督办时限")),
                        ("created_at", models.DateTimeField()),
                        ("overdue_notified", models.BooleanField(default=False)),
                        (
                            "by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "order",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="supervisions",
                                to="workorders.workorder",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "督办",
                        "verbose_name_plural": "督办",
                        "ordering": ["-created_at"],
                    },
                ),
                migrations.CreateModel(
                    name="Notification",
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
                                ],
                                max_length=16,
                                verbose_name="类型",
                            ),
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
                                related_name="notifications",
                                to="workorders.workorder",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "消息",
                        "verbose_name_plural": "消息",
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
                migrations.CreateModel(
                    name="Extension",
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
                        ("until", models.DateTimeField(verbose_name="申请延期至")),
                        ("reason", models.TextField(verbose_name="理由")),
                        ("approved", models.BooleanField(null=True)),
                        ("created_at", models.DateTimeField()),
                        ("decided_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "decided_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "requested_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "order",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="extensions",
                                to="workorders.workorder",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "延期申请",
                        "verbose_name_plural": "延期申请",
                        "ordering": ["-created_at"],
                        "constraints": [
                            models.UniqueConstraint(
                                condition=models.Q(("approved__isnull", True)),
                                fields=("order",),
                                name="one_pending_extension",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="Escalation",
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
                        ("step", models.CharField(max_length=12)),
                        ("step_seq", models.PositiveIntegerField()),
                        ("level", models.PositiveSmallIntegerField(verbose_name="升级层级")),
                        ("at", models.DateTimeField(verbose_name="时间")),
                        (
                            "region",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                to="territory.region",
                                verbose_name="升级至",
                            ),
                        ),
                        (
                            "order",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="escalations",
                                to="workorders.workorder",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "超期升级",
                        "verbose_name_plural": "超期升级",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("order", "step_seq", "level"),
                                name="uniq_escalation_step_level",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="Attachment",
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
                            "stage",
                            models.CharField(default="report", max_length=12, verbose_name="阶段"),
                        ),
                        ("file", models.CharField(max_length=200)),
                        ("content_type", models.CharField(max_length=40)),
                        ("width", models.PositiveIntegerField()),
                        ("height", models.PositiveIntegerField()),
                        ("size", models.PositiveIntegerField()),
                        ("original_name", models.CharField(blank=True, max_length=200)),
                        (
                            "taken_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="拍摄时间"),
                        ),
                        ("lat", models.FloatField(blank=True, null=True, verbose_name="拍摄纬度")),
                        ("lon", models.FloatField(blank=True, null=True, verbose_name="拍摄经度")),
                        ("created_at", models.DateTimeField()),
                        (
                            "uploaded_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "transition",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="attachments",
                                to="workorders.transition",
                            ),
                        ),
                        (
                            "order",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="attachments",
                                to="workorders.workorder",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "附件",
                        "verbose_name_plural": "附件",
                        "ordering": ["created_at", "pk"],
                    },
                ),
                migrations.CreateModel(
                    name="CommandRecipient",
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
                                to="workorders.command",
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
                        "ordering": ["region__code", "person__name"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("command", "person"), name="uniq_command_person"
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="DeadlinePolicy",
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
                            "priority",
                            models.PositiveSmallIntegerField(
                                choices=[(1, "特急"), (2, "紧急"), (3, "一般")],
                                verbose_name="紧急程度",
                            ),
                        ),
                        (
                            "dispatch_minutes",
                            models.PositiveIntegerField(verbose_name="派遣时限(分钟)"),
                        ),
                        (
                            "sign_minutes",
                            models.PositiveIntegerField(verbose_name="签收时限(分钟)"),
                        ),
                        (
                            "handle_minutes",
                            models.PositiveIntegerField(verbose_name="处置时限(分钟)"),
                        ),
                        (
                            "verify_minutes",
                            models.PositiveIntegerField(verbose_name="核查时限(分钟)"),
                        ),
                        (
                            "working_time",
                            models.BooleanField(default=False, verbose_name="按工作时间计"),
                        ),
                        (
                            "warn_percent",
                            models.PositiveSmallIntegerField(
                                default=80,
                                help_text="时限用去此比例时黄色预警",
                                verbose_name="预警点(%)",
                            ),
                        ),
                        (
                            "category",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                to="workorders.category",
                                verbose_name="类别",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "处置时限",
                        "verbose_name_plural": "处置时限",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("category", "priority"),
                                name="uniq_deadline_category_priority",
                            ),
                            models.UniqueConstraint(
                                condition=models.Q(("category__isnull", True)),
                                fields=("priority",),
                                name="uniq_default_deadline_priority",
                            ),
                        ],
                    },
                ),
            ],
        ),
        migrations.RunPython(seed_0002, migrations.RunPython.noop),
        migrations.RunPython(seed_0010, migrations.RunPython.noop),
    ]
