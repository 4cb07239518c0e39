"""Emergency: its migrations squashed. Its tables as the models now stand, created together
(`CreateModels`, gridgov/core/migration_ops.py), then the seed data of the replaced migrations
(their steps that only change existing rows do nothing on an empty database and are left out). A
database that has applied the replaced migrations skips this one.
"""

import django.db.models.deletion
import gridgov.core.migration_ops
from django.conf import settings
from django.db import migrations, models


# From 0003_default_measures: The default measures, modelled on China's heavy-pollution weather
# emergency plans (重污染天气应急预案): what each level asks of each front. Editable afterwards in the
# admin. A measure applies at its level and every higher level; measures of one `group` replace
# each other as the level rises (e.g. C 级企业: 橙色限产 30% → 红色停产).

Y, O, R = 1, 2, 3

MEASURES = [
    (
        Y,
        "construction_site",
        "加强洒水抑尘，施工现场每日洒水不少于 4 次",
        "Step up dust suppression: water the site at least 4 times a day",
        "",
        "",
        "",
        False,
        2,
    ),
    (
        Y,
        "construction_site",
        "禁止露天切割、喷涂和焊接作业",
        "No open-air cutting, spray painting or welding",
        "",
        "",
        "",
        False,
        2,
    ),
    (
        Y,
        "road_section",
        "增加道路机扫、洒水频次",
        "More mechanical sweeping and watering of roads",
        "",
        "",
        "road_cleaning",
        False,
        2,
    ),
    (
        Y,
        "enterprise",
        "D 级企业限产 30%",
        "Grade-D enterprises cut production by 30%",
        "D",
        "",
        "grade_d",
        False,
        2,
    ),
    (Y, "restaurant", "禁止露天烧烤", "No open-air barbecue", "", "", "", False, 2),
    (
        Y,
        "burning_spot",
        "禁止露天焚烧祭品、垃圾和落叶",
        "No open burning of offerings, rubbish or leaves",
        "",
        "",
        "",
        False,
        2,
    ),
    (
        Y,
        "fireworks_point",
        "全域禁止燃放烟花爆竹",
        "No fireworks anywhere in the district",
        "",
        "",
        "",
        False,
        2,
    ),
    (Y, "farmland", "秸秆禁烧，每日巡查", "No straw burning; daily patrol", "", "", "", False, 1),
    (
        Y,
        "vehicle",
        "高排放车辆加强路检路查",
        "More roadside checks of high-emission vehicles",
        "",
        "",
        "",
        False,
        2,
    ),
    (
        O,
        "construction_site",
        "停止土石方作业和拆除作业",
        "Stop earthwork and demolition",
        "",
        "earthwork,demolition",
        "",
        True,
        1,
    ),
    (
        O,
        "construction_site",
        "渣土、物料全部覆盖，每日巡查",
        "Cover all spoil and materials; daily inspection",
        "",
        "",
        "",
        False,
        1,
    ),
    (
        O,
        "road_section",
        "道路机扫、洒水频次增加一倍，每日巡查",
        "Double road sweeping and watering; daily inspection",
        "",
        "",
        "road_cleaning",
        False,
        1,
    ),
    (
        O,
        "enterprise",
        "C 级企业限产 30%",
        "Grade-C enterprises cut production by 30%",
        "C",
        "",
        "grade_c",
        False,
        1,
    ),
    (
        O,
        "enterprise",
        "D 级企业停产",
        "Grade-D enterprises stop production",
        "D",
        "",
        "grade_d",
        True,
        1,
    ),
    (O, "vehicle", "渣土车禁止上路", "Muck trucks off the roads", "", "muck_truck", "", True, 1),
    (
        O,
        "restaurant",
        "油烟净化设施全时运行，每日巡查",
        "Fume purifiers run at all times; daily inspection",
        "",
        "",
        "",
        False,
        1,
    ),
    (
        O,
        "burning_spot",
        "每日巡查，发现焚烧立即制止",
        "Daily patrol; any burning stopped at once",
        "",
        "",
        "",
        False,
        1,
    ),
    (
        O,
        "fireworks_point",
        "烟花爆竹销售点暂停销售",
        "Fireworks sales points suspend sales",
        "",
        "sales_point",
        "",
        True,
        1,
    ),
    (
        O,
        "farmland",
        "秸秆禁烧 24 小时巡查",
        "Straw-burning watch around the clock",
        "",
        "",
        "",
        False,
        1,
    ),
    (
        R,
        "construction_site",
        "所有工地停止室外作业",
        "All sites stop outdoor work",
        "",
        "",
        "",
        True,
        1,
    ),
    (
        R,
        "road_section",
        "道路每日洒水不少于 8 次",
        "Water roads at least 8 times a day",
        "",
        "",
        "road_cleaning",
        False,
        1,
    ),
    (
        R,
        "enterprise",
        "C 级企业停产",
        "Grade-C enterprises stop production",
        "C",
        "",
        "grade_c",
        True,
        1,
    ),
    (
        R,
        "enterprise",
        "B 级企业限产 30%",
        "Grade-B enterprises cut production by 30%",
        "B",
        "",
        "grade_b",
        False,
        1,
    ),
    (
        R,
        "vehicle",
        "重型柴油货车禁止上路（保障民生的除外）",
        "Heavy diesel trucks off the roads (essential supplies excepted)",
        "",
        "heavy_truck",
        "",
        True,
        1,
    ),
    (
        R,
        "vehicle",
        "非道路移动机械停止使用",
        "Non-road mobile machinery stops",
        "",
        "non_road_machinery",
        "",
        True,
        1,
    ),
]


def seed_0003(apps, schema_editor):
    Measure = apps.get_model("emergency", "Measure")
    if Measure.objects.exists():
        return
    Measure.objects.bulk_create(
        [
            Measure(
                level=level,
                category=category,
                text=text,
                text_en=text_en,
                grades=grades,
                kinds=kinds,
                group=group,
                suspend=suspend,
                inspection_interval_days=interval,
            )
            for level, category, text, text_en, grades, kinds, group, suspend, interval in MEASURES
        ]
    )


class Migration(migrations.Migration):
    replaces = [
        ("emergency", "0001_initial"),
        ("emergency", "0002_affected_sources"),
        ("emergency", "0003_default_measures"),
    ]

    initial = True

    dependencies = [
        ("sources", "0001_initial"),
        ("territory", "0002_seed_work_lines"),
        ("workorders", "0008_transition_protect"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        gridgov.core.migration_ops.CreateModels(
            operations=[
                migrations.CreateModel(
                    name="Measure",
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
                            "level",
                            models.PositiveSmallIntegerField(
                                choices=[(1, "黄色预警"), (2, "橙色预警"), (3, "红色预警")],
                                verbose_name="起始级别",
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
                                verbose_name="污染源类别",
                            ),
                        ),
                        ("text", models.CharField(max_length=200, verbose_name="措施内容")),
                        (
                            "text_en",
                            models.CharField(blank=True, max_length=200, verbose_name="英文内容"),
                        ),
                        (
                            "grades",
                            models.CharField(
                                blank=True,
                                help_text="如 CD；空为全部",
                                max_length=4,
                                verbose_name="适用绩效等级",
                            ),
                        ),
                        (
                            "kinds",
                            models.CharField(
                                blank=True,
                                help_text="车辆类型、点位类型或工地阶段，逗号分隔；空为全部",
                                max_length=120,
                                verbose_name="适用类型",
                            ),
                        ),
                        (
                            "group",
                            models.SlugField(
                                blank=True,
                                help_text="同组措施在较高级别时只执行最高一级",
                                max_length=40,
                                verbose_name="措施组",
                            ),
                        ),
                        ("suspend", models.BooleanField(default=False, verbose_name="停工停产")),
                        (
                            "inspection_interval_days",
                            models.PositiveSmallIntegerField(
                                default=1, verbose_name="巡查周期(天)"
                            ),
                        ),
                        ("active", models.BooleanField(default=True, verbose_name="启用")),
                    ],
                    options={
                        "verbose_name": "应急措施",
                        "verbose_name_plural": "应急措施",
                        "ordering": ["level", "category", "pk"],
                    },
                ),
                migrations.CreateModel(
                    name="Warning",
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
                            "level",
                            models.PositiveSmallIntegerField(
                                choices=[(1, "黄色预警"), (2, "橙色预警"), (3, "红色预警")],
                                verbose_name="预警级别",
                            ),
                        ),
                        ("starts_at", models.DateTimeField(db_index=True, verbose_name="开始时间")),
                        ("ends_at", models.DateTimeField(db_index=True, verbose_name="结束时间")),
                        ("reason", models.TextField(blank=True, verbose_name="启动理由")),
                        ("declared_at", models.DateTimeField(verbose_name="发布时间")),
                        (
                            "ended_early_at",
                            models.DateTimeField(
                                blank=True, null=True, verbose_name="提前解除时间"
                            ),
                        ),
                        ("end_reason", models.TextField(blank=True, verbose_name="解除理由")),
                        (
                            "commands",
                            models.ManyToManyField(
                                blank=True, related_name="+", to="workorders.command"
                            ),
                        ),
                        (
                            "declared_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="发布人",
                            ),
                        ),
                        (
                            "ended_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="解除人",
                            ),
                        ),
                        (
                            "superseded_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="emergency.warning",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "重污染天气预警",
                        "verbose_name_plural": "重污染天气预警",
                        "ordering": ["-starts_at"],
                    },
                ),
                migrations.CreateModel(
                    name="AffectedSource",
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
                                verbose_name="污染源类别",
                            ),
                        ),
                        ("region_path", models.CharField(db_index=True, max_length=255)),
                        ("suspend", models.BooleanField(default=False, verbose_name="停工停产")),
                        (
                            "interval_days",
                            models.PositiveSmallIntegerField(verbose_name="巡查周期(天)"),
                        ),
                        (
                            "community",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="territory.region",
                                verbose_name="社区/村",
                            ),
                        ),
                        (
                            "source",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="sources.pollutionsource",
                                verbose_name="污染源",
                            ),
                        ),
                        (
                            "street",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="territory.region",
                                verbose_name="街道/镇",
                            ),
                        ),
                        (
                            "measures",
                            models.ManyToManyField(related_name="+", to="emergency.measure"),
                        ),
                        (
                            "warning",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="affected",
                                to="emergency.warning",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "涉及污染源",
                        "verbose_name_plural": "涉及污染源",
                        "ordering": ["warning", "category", "source"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("warning", "source"), name="uniq_warning_source"
                            )
                        ],
                    },
                ),
            ],
        ),
        migrations.RunPython(seed_0003, migrations.RunPython.noop),
    ]
