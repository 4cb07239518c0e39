"""Enforcement: its migrations squashed. Its tables as the models now stand, created together
(`CreateModels`, gridgov/core/migration_ops.py), then the seed data of the replaced migrations
(their steps that only change existing rows do nothing on an empty database and are left out). A
database that has applied the replaced migrations skips this one.
"""

import django.db.models.deletion
import gridgov.core.migration_ops
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models


# From 0002_seed_bases_and_deadlines: Seed the legal bases (editable afterwards in the admin) and
# the case deadlines. Articles of 《中华人民共和国大气污染防治法》 as revised in 2018, with the fine each allows.
# Where the law sets no fixed range (a multiple of the goods' value, or "依法予以处罚" by another law),
# the range is left empty and the text says so.

LAW = "中华人民共和国大气污染防治法"

FIREWORKS = "烟花爆竹安全管理条例"

BASES = [
    (
        LAW,
        "第九十九条",
        "未依法取得排污许可证排放大气污染物，超过排放标准或者重点大气污染物排放总量控制指标排放，"
        "或者通过逃避监管的方式排放大气污染物的：责令改正或者限制生产、停产整治，并处十万元以上"
        "一百万元以下的罚款；情节严重的，报经有批准权的人民政府批准，责令停业、关闭。",
        "org",
        100_000,
        1_000_000,
    ),
    (
        LAW,
        "第一百条",
        "侵占、损毁或者擅自移动、改变监测设施或者自动监测设备，未按照规定监测并保存原始监测记录，"
        "未按照规定安装、使用自动监测设备或者联网，重点排污单位不公开或者不如实公开自动监测数据，"
        "或者未按照规定设置排放口的：责令改正，处二万元以上二十万元以下的罚款；拒不改正的，责令停产整治。",
        "org",
        20_000,
        200_000,
    ),
    (
        LAW,
        "第一百零一条",
        "生产、进口、销售或者使用国家综合性产业政策目录中禁止的设备和产品，采用禁止的工艺，或者将淘汰的"
        "设备和产品转让给他人使用的：责令改正，没收违法所得，并处货值金额一倍以上三倍以下的罚款"
        "（按货值计算，无固定金额范围）。",
        "",
        None,
        None,
    ),
    (
        LAW,
        "第一百零八条",
        "含挥发性有机物废气的生产和服务活动未在密闭空间或者设备中进行、未按照规定安装使用污染防治设施，"
        "或者钢铁、建材、有色金属、石油、化工、制药、矿产开采等企业未采取集中收集处理、密闭、围挡、遮盖、"
        "清扫、洒水等措施控制粉尘和气态污染物排放的：责令改正，处二万元以上二十万元以下的罚款；"
        "拒不改正的，责令停产整治。",
        "org",
        20_000,
        200_000,
    ),
    (
        LAW,
        "第一百一十四条第一款",
        "使用排放不合格的非道路移动机械，或者在用重型柴油车、非道路移动机械未按照规定加装、更换污染控制"
        "装置的：责令改正，处五千元的罚款。",
        "",
        5_000,
        5_000,
    ),
    (
        LAW,
        "第一百一十五条",
        "施工工地未设置硬质围挡，或者未采取覆盖、分段作业、择时施工、洒水抑尘、冲洗地面和车辆等有效防尘"
        "降尘措施，建筑土方、工程渣土、建筑垃圾未及时清运或者未采用密闭式防尘网遮盖，建设单位未对裸露地面"
        "进行覆盖的：责令改正，处一万元以上十万元以下的罚款；拒不改正的，责令停工整治。",
        "org",
        10_000,
        100_000,
    ),
    (
        LAW,
        "第一百一十六条",
        "运输煤炭、垃圾、渣土、砂石、土方、灰浆等散装、流体物料的车辆，未采取密闭或者其他措施防止物料遗撒"
        "的：责令改正，处二千元以上二万元以下的罚款；拒不改正的，车辆不得上道路行驶。",
        "",
        2_000,
        20_000,
    ),
    (
        LAW,
        "第一百一十七条",
        "未密闭煤炭、煤矸石、煤渣、煤灰、水泥、石灰、石膏、砂土等易产生扬尘的物料，或者未对不能密闭的易产生"
        "扬尘的物料设置不低于堆放物高度的严密围挡并采取有效覆盖措施等的：责令改正，处一万元以上十万元以下的"
        "罚款；拒不改正的，责令停工整治或者停业整治。",
        "org",
        10_000,
        100_000,
    ),
    (
        LAW,
        "第一百一十八条第一款",
        "排放油烟的餐饮服务业经营者未安装油烟净化设施、不正常使用油烟净化设施或者未采取其他油烟净化措施，"
        "超过排放标准排放油烟的：责令改正，处五千元以上五万元以下的罚款；拒不改正的，责令停业整治。",
        "",
        5_000,
        50_000,
    ),
    (
        LAW,
        "第一百一十八条第三款",
        "在当地人民政府禁止的时段和区域内露天烧烤食品或者为露天烧烤食品提供场地的：责令改正，没收烧烤工具"
        "和违法所得，并处五百元以上二万元以下的罚款。",
        "",
        500,
        20_000,
    ),
    (
        LAW,
        "第一百一十九条第一款",
        "在人口集中地区对树木、花草喷洒剧毒、高毒农药，或者露天焚烧秸秆、落叶等产生烟尘污染的物质的："
        "责令改正，并可以处五百元以上二千元以下的罚款。",
        "",
        500,
        2_000,
    ),
    (
        LAW,
        "第一百一十九条第二款（单位）",
        "在人口集中地区和其他依法需要特殊保护的区域内，焚烧沥青、油毡、橡胶、塑料、皮革、垃圾以及其他产生"
        "有毒有害烟尘和恶臭气体的物质的：责令改正，对单位处一万元以上十万元以下的罚款。",
        "org",
        10_000,
        100_000,
    ),
    (
        LAW,
        "第一百一十九条第二款（个人）",
        "在人口集中地区和其他依法需要特殊保护的区域内，焚烧沥青、油毡、橡胶、塑料、皮革、垃圾以及其他产生"
        "有毒有害烟尘和恶臭气体的物质的：责令改正，对个人处五百元以上二千元以下的罚款。",
        "person",
        500,
        2_000,
    ),
    (
        LAW,
        "第一百一十九条第三款",
        "在城市人民政府禁止的时段和区域内燃放烟花爆竹的：依法予以处罚（本法未定金额，"
        "见《烟花爆竹安全管理条例》第四十二条）。",
        "",
        None,
        None,
    ),
    (
        FIREWORKS,
        "第四十二条第二款",
        "在禁止燃放烟花爆竹的时间、地点燃放烟花爆竹，或者以危害公共安全和人身、财产安全的方式燃放烟花爆竹"
        "的：由公安部门责令停止燃放，处100元以上500元以下的罚款。",
        "person",
        100,
        500,
    ),
]

DEADLINES = [
    ("investigation", 7, False, False, "本地办案规范：立案后及时调查取证（可调整）"),
    ("notice", 30, False, False, "本地办案规范：调查终结后告知（可调整）"),
    ("decision", 90, True, False, "《行政处罚法》第六十条：自立案之日起九十日内作出决定"),
    (
        "execution",
        7,
        False,
        True,
        "《行政处罚法》第六十一条：七日内送达决定书（第八十五条：工作日）",
    ),
    (
        "closed",
        30,
        False,
        False,
        "本地办案规范（可调整）；罚款自收到决定书之日起十五日内缴纳（《行政处罚法》第六十七条）",
    ),
]


def seed_0002(apps, schema_editor):
    LegalBasis = apps.get_model("enforcement", "LegalBasis")
    for i, (law, article, text, kind, low, high) in enumerate(BASES):
        LegalBasis.objects.update_or_create(
            law=law,
            article=article,
            defaults={
                "text": text,
                "party_kind": kind,
                "penalty_min": None if low is None else Decimal(low),
                "penalty_max": None if high is None else Decimal(high),
                "sort_order": (i + 1) * 10,
            },
        )
    CaseDeadline = apps.get_model("enforcement", "CaseDeadline")
    for step, days, from_filing, working, basis in DEADLINES:
        CaseDeadline.objects.update_or_create(
            step=step,
            defaults={
                "days": days,
                "from_filing": from_filing,
                "working_days": working,
                "basis": basis,
            },
        )


class Migration(migrations.Migration):
    replaces = [("enforcement", "0001_initial"), ("enforcement", "0002_seed_bases_and_deadlines")]

    initial = True

    dependencies = [
        ("inspections", "0001_initial"),
        ("sources", "0001_initial"),
        ("territory", "0002_seed_work_lines"),
        ("workorders", "0008_transition_protect"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        gridgov.core.migration_ops.CreateModels(
            operations=[
                migrations.CreateModel(
                    name="CaseDeadline",
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
                            "step",
                            models.CharField(
                                choices=[
                                    ("filed", "立案"),
                                    ("investigation", "调查取证"),
                                    ("notice", "告知"),
                                    ("decision", "决定"),
                                    ("execution", "执行"),
                                    ("closed", "结案"),
                                    ("withdrawn", "撤销"),
                                ],
                                max_length=16,
                                unique=True,
                                verbose_name="环节",
                            ),
                        ),
                        ("days", models.PositiveSmallIntegerField(verbose_name="期限(天)")),
                        (
                            "from_filing",
                            models.BooleanField(default=False, verbose_name="自立案起算"),
                        ),
                        (
                            "working_days",
                            models.BooleanField(default=False, verbose_name="按工作日计"),
                        ),
                        (
                            "basis",
                            models.CharField(blank=True, max_length=200, verbose_name="依据"),
                        ),
                    ],
                    options={
                        "verbose_name": "办案时限",
                        "verbose_name_plural": "办案时限",
                        "ordering": ["pk"],
                    },
                ),
                migrations.CreateModel(
                    name="LegalBasis",
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
                        ("law", models.CharField(max_length=60, verbose_name="法律法规")),
                        ("article", models.CharField(max_length=40, verbose_name="条款")),
                        ("text", models.TextField(verbose_name="条文要点")),
                        (
                            "party_kind",
                            models.CharField(
                                blank=True,
                                choices=[("org", "单位"), ("person", "个人")],
                                max_length=8,
                                verbose_name="适用当事人",
                            ),
                        ),
                        (
                            "penalty_min",
                            models.DecimalField(
                                blank=True,
                                decimal_places=2,
                                max_digits=12,
                                null=True,
                                verbose_name="罚款下限(元)",
                            ),
                        ),
                        (
                            "penalty_max",
                            models.DecimalField(
                                blank=True,
                                decimal_places=2,
                                max_digits=12,
                                null=True,
                                verbose_name="罚款上限(元)",
                            ),
                        ),
                        ("active", models.BooleanField(default=True, verbose_name="启用")),
                        (
                            "sort_order",
                            models.PositiveSmallIntegerField(default=0, verbose_name="排序"),
                        ),
                    ],
                    options={
                        "verbose_name": "法律依据",
                        "verbose_name_plural": "法律依据",
                        "ordering": ["sort_order", "pk"],
                    },
                ),
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
                            "reference",
                            models.CharField(max_length=20, unique=True, verbose_name="案号"),
                        ),
                        ("title", models.CharField(max_length=120, verbose_name="案由")),
                        (
                            "party_kind",
                            models.CharField(
                                choices=[("org", "单位"), ("person", "个人")],
                                max_length=8,
                                verbose_name="当事人类型",
                            ),
                        ),
                        ("party_name", models.CharField(max_length=100, verbose_name="当事人名称")),
                        (
                            "party_code",
                            models.CharField(blank=True, max_length=18, verbose_name="证照号码"),
                        ),
                        (
                            "party_phone",
                            models.CharField(blank=True, max_length=20, verbose_name="联系电话"),
                        ),
                        (
                            "origin",
                            models.CharField(
                                choices=[
                                    ("inspection", "巡查检查"),
                                    ("order", "工单"),
                                    ("manual", "直接立案"),
                                ],
                                max_length=12,
                                verbose_name="案件来源",
                            ),
                        ),
                        ("region_path", models.CharField(db_index=True, max_length=255)),
                        (
                            "step",
                            models.CharField(
                                choices=[
                                    ("filed", "立案"),
                                    ("investigation", "调查取证"),
                                    ("notice", "告知"),
                                    ("decision", "决定"),
                                    ("execution", "执行"),
                                    ("closed", "结案"),
                                    ("withdrawn", "撤销"),
                                ],
                                db_index=True,
                                default="filed",
                                max_length=16,
                                verbose_name="环节",
                            ),
                        ),
                        ("step_at", models.DateTimeField(verbose_name="进入环节时间")),
                        (
                            "due_date",
                            models.DateField(
                                blank=True, db_index=True, null=True, verbose_name="本环节期限"
                            ),
                        ),
                        ("facts", models.TextField(blank=True, verbose_name="违法事实")),
                        (
                            "penalty_amount",
                            models.DecimalField(
                                blank=True,
                                decimal_places=2,
                                max_digits=12,
                                null=True,
                                verbose_name="罚款金额(元)",
                            ),
                        ),
                        (
                            "amount_reason",
                            models.CharField(blank=True, max_length=500, verbose_name="裁量说明"),
                        ),
                        ("decision", models.TextField(blank=True, verbose_name="处罚决定")),
                        (
                            "decided_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="决定时间"),
                        ),
                        (
                            "rectification_required",
                            models.BooleanField(default=False, verbose_name="责令整改"),
                        ),
                        (
                            "rectified_at",
                            models.DateTimeField(
                                blank=True, null=True, verbose_name="整改完成时间"
                            ),
                        ),
                        ("filed_at", models.DateTimeField(db_index=True, verbose_name="立案时间")),
                        (
                            "closed_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="结案时间"),
                        ),
                        (
                            "late_steps",
                            models.PositiveSmallIntegerField(default=0, verbose_name="超期环节数"),
                        ),
                        ("version", models.PositiveIntegerField(default=0)),
                        ("updated_at", models.DateTimeField()),
                        (
                            "created_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "inspection",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="cases",
                                to="inspections.inspection",
                                verbose_name="检查记录",
                            ),
                        ),
                        (
                            "order",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="cases",
                                to="workorders.workorder",
                                verbose_name="工单",
                            ),
                        ),
                        (
                            "rectification",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="cases",
                                to="inspections.rectification",
                                verbose_name="整改记录",
                            ),
                        ),
                        (
                            "region",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="territory.region",
                                verbose_name="所属网格",
                            ),
                        ),
                        (
                            "source",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="cases",
                                to="sources.pollutionsource",
                                verbose_name="污染源",
                            ),
                        ),
                        (
                            "legal_bases",
                            models.ManyToManyField(
                                blank=True,
                                related_name="cases",
                                to="enforcement.legalbasis",
                                verbose_name="法律依据",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "执法案件",
                        "verbose_name_plural": "执法案件",
                        "ordering": ["-filed_at", "-pk"],
                        "permissions": [
                            ("handle_case", "可办理执法案件"),
                            ("view_party_identity", "可查看当事人完整证件号码和电话"),
                            ("approve_publication", "可审核曝光"),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="CaseDocument",
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
                            "step",
                            models.CharField(
                                choices=[
                                    ("filed", "立案"),
                                    ("investigation", "调查取证"),
                                    ("notice", "告知"),
                                    ("decision", "决定"),
                                    ("execution", "执行"),
                                    ("closed", "结案"),
                                    ("withdrawn", "撤销"),
                                ],
                                max_length=16,
                                verbose_name="环节",
                            ),
                        ),
                        (
                            "title",
                            models.CharField(blank=True, max_length=100, verbose_name="标题"),
                        ),
                        ("file", models.CharField(max_length=200)),
                        ("original_name", models.CharField(max_length=200, verbose_name="文件名")),
                        ("content_type", models.CharField(max_length=100)),
                        ("size", models.PositiveIntegerField()),
                        ("created_at", models.DateTimeField()),
                        (
                            "case",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="documents",
                                to="enforcement.case",
                            ),
                        ),
                        (
                            "uploaded_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "案卷材料",
                        "verbose_name_plural": "案卷材料",
                        "ordering": ["created_at", "pk"],
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
                        (
                            "from_step",
                            models.CharField(blank=True, max_length=16, verbose_name="原环节"),
                        ),
                        ("to_step", models.CharField(max_length=16, verbose_name="新环节")),
                        (
                            "actor_name",
                            models.CharField(blank=True, max_length=60, verbose_name="办理人"),
                        ),
                        ("note", models.TextField(blank=True, verbose_name="说明")),
                        ("due_date", models.DateField(blank=True, null=True, verbose_name="期限")),
                        ("late", models.BooleanField(default=False, verbose_name="超期")),
                        ("at", models.DateTimeField(db_index=True, verbose_name="时间")),
                        (
                            "actor",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "case",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="steps",
                                to="enforcement.case",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "办案记录",
                        "verbose_name_plural": "办案记录",
                        "ordering": ["at", "pk"],
                    },
                ),
                migrations.CreateModel(
                    name="Publication",
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
                        ("title", models.CharField(max_length=120, verbose_name="曝光标题")),
                        ("summary", models.TextField(verbose_name="曝光内容")),
                        (
                            "proposed_by_name",
                            models.CharField(blank=True, max_length=60, verbose_name="提请人"),
                        ),
                        ("proposed_at", models.DateTimeField(verbose_name="提请时间")),
                        (
                            "approved_by_name",
                            models.CharField(blank=True, max_length=60, verbose_name="审核人"),
                        ),
                        (
                            "approved_at",
                            models.DateTimeField(
                                blank=True, db_index=True, null=True, verbose_name="发布时间"
                            ),
                        ),
                        (
                            "unpublished_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="撤下时间"),
                        ),
                        (
                            "unpublished_by_name",
                            models.CharField(blank=True, max_length=60, verbose_name="撤下人"),
                        ),
                        (
                            "unpublish_reason",
                            models.CharField(blank=True, max_length=500, verbose_name="撤下原因"),
                        ),
                        (
                            "approved_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "case",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="publications",
                                to="enforcement.case",
                            ),
                        ),
                        (
                            "proposed_by",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "unpublished_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "曝光",
                        "verbose_name_plural": "曝光",
                        "ordering": ["-approved_at", "-proposed_at", "-pk"],
                    },
                ),
                migrations.CreateModel(
                    name="PublicationPhoto",
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
                        ("width", models.PositiveIntegerField()),
                        ("height", models.PositiveIntegerField()),
                        (
                            "document",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="enforcement.casedocument",
                            ),
                        ),
                        (
                            "publication",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="photos",
                                to="enforcement.publication",
                            ),
                        ),
                    ],
                    options={
                        "ordering": ["pk"],
                    },
                ),
            ],
        ),
        migrations.RunPython(seed_0002, migrations.RunPython.noop),
    ]
