"""Inspections: its migrations squashed. Its tables as the models now stand, created together
(`CreateModels`, gridgov/core/migration_ops.py), then the seed data of the replaced migrations
(their steps that only change existing rows do nothing on an empty database and are left out). A
database that has applied the replaced migrations skips this one.
"""

import django.db.models.deletion
import gridgov.core.migration_ops
from django.conf import settings
from django.db import migrations, models


# From 0002_default_checklists: The default checklist of each category and the default inspection
# plans; both are edited in the admin afterwards (a seeded row is only created where it is
# missing, never overwritten).

CHECKLISTS = {
    "construction_site": [
        ("fencing", "工地周边围挡", "Site fenced all round", 3),
        ("covering", "物料堆放及裸土覆盖", "Stockpiles and bare soil covered", 1),
        ("wheel_washing", "出入车辆冲洗", "Vehicles washed at the gate", 1),
        ("hardened_roads", "施工现场地面硬化", "Site roads hardened", 7),
        ("wet_work", "土方及拆除湿法作业", "Earthwork and demolition kept wet", 1),
        ("sealed_trucks", "渣土车辆密闭运输", "Muck trucks sealed", 1),
        ("monitor_online", "扬尘在线监测及视频正常", "Dust monitor and video online", 3),
    ],
    "road_section": [
        ("swept", "路面清扫保洁到位", "Road swept and clean", 1),
        ("washed", "按规定洒水冲洗", "Road washed or sprayed as scheduled", 1),
        ("no_spill", "无渣土抛洒遗撒", "No spilt muck or debris", 1),
        ("verges_covered", "道路两侧裸土覆盖", "Bare soil along the road covered", 3),
    ],
    "enterprise": [
        ("treatment_running", "治污设施正常运行", "Pollution-control equipment running", 1),
        ("monitoring_normal", "在线监测数据正常传输", "Online monitoring reporting normally", 3),
        ("emergency_limits", "按应急要求限产停产", "Production limited as the warning requires", 1),
        ("unorganised_emissions", "无组织排放管控到位", "Fugitive emissions controlled", 3),
        ("records_kept", "环保台账记录完整", "Environmental records kept", 7),
    ],
    "restaurant": [
        ("purifier_running", "油烟净化器正常运行", "Fume purifier running", 3),
        (
            "cleaning_records",
            "净化设施定期清洗并有记录",
            "Purifier cleaned regularly, with records",
            7,
        ),
        ("no_open_grill", "无露天烧烤", "No open-air barbecue", 1),
        ("clean_fuel", "使用清洁能源", "Clean fuel used", 7),
    ],
    "farmland": [
        ("no_burning_marks", "无秸秆焚烧痕迹", "No traces of straw burning", 1),
        ("straw_removed", "秸秆综合利用或清运", "Straw used or carried away", 7),
        ("warning_signs", "禁烧宣传标识到位", "No-burning signs in place", 7),
    ],
    "burning_spot": [
        ("no_burning", "无焚烧祭祀用品痕迹", "No traces of burnt offerings", 1),
        ("signs_posted", "文明祭扫宣传到位", "Civilised-remembrance notices posted", 3),
        ("staffed", "重点时段有人值守", "Staffed at the key times", 1),
    ],
    "vehicle": [
        ("no_black_smoke", "无冒黑烟", "No black smoke", 1),
        ("emission_label", "环保标识及排放检验合格", "Emission label and inspection valid", 7),
        ("dpf_fitted", "尾气后处理装置正常", "Exhaust after-treatment working", 7),
        ("restricted_hours", "遵守限行规定", "Restrictions on hours and roads obeyed", 1),
    ],
    "fireworks_point": [
        ("licence_valid", "经营许可证在有效期内", "Sales licence valid", 3),
        ("stock_limits", "储存数量不超限", "Stock within limits", 1),
        ("no_setting_off", "禁放区内无燃放", "Nothing set off in the no-fireworks zone", 1),
        ("fire_safety", "消防器材配备齐全", "Fire-safety equipment in place", 3),
    ],
}

PLANS = {
    "construction_site": (7, 1),
    "road_section": (7, 1),
    "enterprise": (14, 1),
    "restaurant": (30, 3),
    "farmland": (7, 1),
    "burning_spot": (30, 3),
    "vehicle": (30, 7),
    "fireworks_point": (30, 3),
}


def seed_0002(apps, schema_editor):
    ChecklistItem = apps.get_model("inspections", "ChecklistItem")
    InspectionPlan = apps.get_model("inspections", "InspectionPlan")
    for category, items in CHECKLISTS.items():
        for order, (code, text, text_en, days) in enumerate(items, start=1):
            ChecklistItem.objects.get_or_create(
                category=category,
                code=code,
                defaults={
                    "text": text,
                    "text_en": text_en,
                    "rectify_days": days,
                    "sort_order": order * 10,
                },
            )
    for category, (interval, emergency) in PLANS.items():
        InspectionPlan.objects.get_or_create(
            category=category,
            defaults={"interval_days": interval, "emergency_interval_days": emergency},
        )


class Migration(migrations.Migration):
    replaces = [("inspections", "0001_initial"), ("inspections", "0002_default_checklists")]

    initial = True

    dependencies = [
        ("people", "0006_data_reviewer_post"),
        ("sources", "0001_initial"),
        ("workorders", "0008_transition_protect"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        gridgov.core.migration_ops.CreateModels(
            operations=[
                migrations.CreateModel(
                    name="InspectionPlan",
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
                            "category",
                            models.CharField(
                                choices=[
                                    ("construction_site", "建筑工地"),
                                    ("road_section", "道路保洁路段"),
                                    ("enterprise", "工业企业"),
                                    ("restaurant", "餐饮油烟单位"),
                                    ("farmland", "秸秆禁烧农田"),
                                    ("burning_spot", "祭扫焚烧点位"),
                                    ("vehicle", "高排放车辆与非道路机械"),
                                    ("fireworks_point", "烟花爆竹销售点与禁放区"),
                                ],
                                max_length=20,
                                unique=True,
                                verbose_name="污染源类别",
                            ),
                        ),
                        (
                            "interval_days",
                            models.PositiveSmallIntegerField(verbose_name="巡查周期(天)"),
                        ),
                        (
                            "emergency_interval_days",
                            models.PositiveSmallIntegerField(
                                default=1, verbose_name="应急期间巡查周期(天)"
                            ),
                        ),
                        ("active", models.BooleanField(default=True, verbose_name="启用")),
                    ],
                    options={
                        "verbose_name": "巡查计划",
                        "verbose_name_plural": "巡查计划",
                        "ordering": ["category"],
                    },
                ),
                migrations.CreateModel(
                    name="ChecklistItem",
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
                            "category",
                            models.CharField(
                                choices=[
                                    ("construction_site", "建筑工地"),
                                    ("road_section", "道路保洁路段"),
                                    ("enterprise", "工业企业"),
                                    ("restaurant", "餐饮油烟单位"),
                                    ("farmland", "秸秆禁烧农田"),
                                    ("burning_spot", "祭扫焚烧点位"),
                                    ("vehicle", "高排放车辆与非道路机械"),
                                    ("fireworks_point", "烟花爆竹销售点与禁放区"),
                                ],
                                db_index=True,
                                max_length=20,
                                verbose_name="污染源类别",
                            ),
                        ),
                        ("code", models.SlugField(max_length=40, verbose_name="代码")),
                        ("text", models.CharField(max_length=200, verbose_name="检查内容")),
                        (
                            "text_en",
                            models.CharField(blank=True, max_length=200, verbose_name="英文内容"),
                        ),
                        (
                            "rectify_days",
                            models.PositiveSmallIntegerField(
                                default=3, verbose_name="整改期限(天)"
                            ),
                        ),
                        ("active", models.BooleanField(default=True, verbose_name="启用")),
                        (
                            "sort_order",
                            models.PositiveSmallIntegerField(default=0, verbose_name="排序"),
                        ),
                    ],
                    options={
                        "verbose_name": "检查项",
                        "verbose_name_plural": "检查项",
                        "ordering": ["category", "sort_order", "code"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("category", "code"), name="uniq_checklist_item"
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="Inspection",
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
                        ("at", models.DateTimeField(db_index=True, verbose_name="检查时间")),
                        ("lat", models.FloatField(verbose_name="检查位置纬度")),
                        ("lon", models.FloatField(verbose_name="检查位置经度")),
                        (
                            "accuracy_m",
                            models.FloatField(blank=True, null=True, verbose_name="定位精度(米)"),
                        ),
                        ("distance_m", models.FloatField(verbose_name="距污染源(米)")),
                        ("far", models.BooleanField(default=False, verbose_name="位置存疑")),
                        (
                            "result",
                            models.CharField(
                                choices=[("passed", "合格"), ("failed", "不合格")],
                                max_length=8,
                                verbose_name="结论",
                            ),
                        ),
                        ("note", models.TextField(blank=True, verbose_name="检查情况")),
                        ("region_path", models.CharField(db_index=True, max_length=255)),
                        (
                            "submission_key",
                            models.CharField(blank=True, max_length=40, null=True, unique=True),
                        ),
                        ("created_at", models.DateTimeField()),
                        (
                            "inspector",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="inspections",
                                to="people.person",
                                verbose_name="检查人",
                            ),
                        ),
                        (
                            "source",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="inspections",
                                to="sources.pollutionsource",
                                verbose_name="污染源",
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "rectification",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="reinspections",
                                to="inspections.rectification",
                                verbose_name="复查的整改",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "检查记录",
                        "verbose_name_plural": "检查记录",
                        "ordering": ["-at", "-id"],
                        "indexes": [
                            models.Index(fields=["source", "at"], name="inspection_source_at")
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="InspectionPhoto",
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
                        ("content_type", models.CharField(max_length=40)),
                        ("width", models.PositiveIntegerField()),
                        ("height", models.PositiveIntegerField()),
                        ("size", models.PositiveIntegerField()),
                        ("original_name", models.CharField(blank=True, max_length=200)),
                        ("taken_at", models.DateTimeField(blank=True, null=True)),
                        ("lat", models.FloatField(blank=True, null=True)),
                        ("lon", models.FloatField(blank=True, null=True)),
                        (
                            "inspection",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="photos",
                                to="inspections.inspection",
                            ),
                        ),
                    ],
                ),
                migrations.CreateModel(
                    name="Rectification",
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
                        ("due_date", models.DateField(verbose_name="整改期限")),
                        (
                            "state",
                            models.CharField(
                                choices=[("open", "整改中"), ("closed", "已整改")],
                                db_index=True,
                                default="open",
                                max_length=8,
                                verbose_name="状态",
                            ),
                        ),
                        (
                            "closed_at",
                            models.DateTimeField(
                                blank=True, null=True, verbose_name="整改完成时间"
                            ),
                        ),
                        ("region_path", models.CharField(db_index=True, max_length=255)),
                        ("created_at", models.DateTimeField()),
                        (
                            "failed_items",
                            models.ManyToManyField(
                                related_name="+",
                                to="inspections.checklistitem",
                                verbose_name="不合格项",
                            ),
                        ),
                        (
                            "inspection",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="rectification_made",
                                to="inspections.inspection",
                                verbose_name="检查记录",
                            ),
                        ),
                        (
                            "order",
                            models.OneToOneField(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="rectification",
                                to="workorders.workorder",
                                verbose_name="整改工单",
                            ),
                        ),
                        (
                            "source",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="rectifications",
                                to="sources.pollutionsource",
                                verbose_name="污染源",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "整改",
                        "verbose_name_plural": "整改",
                        "ordering": ["-created_at"],
                    },
                ),
                migrations.CreateModel(
                    name="InspectionItem",
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
                        ("passed", models.BooleanField(verbose_name="合格")),
                        ("note", models.CharField(blank=True, max_length=200, verbose_name="说明")),
                        (
                            "inspection",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="items",
                                to="inspections.inspection",
                            ),
                        ),
                        (
                            "item",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                to="inspections.checklistitem",
                                verbose_name="检查项",
                            ),
                        ),
                    ],
                    options={
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("inspection", "item"), name="uniq_inspection_item"
                            )
                        ],
                    },
                ),
            ],
        ),
        migrations.RunPython(seed_0002, migrations.RunPython.noop),
    ]
