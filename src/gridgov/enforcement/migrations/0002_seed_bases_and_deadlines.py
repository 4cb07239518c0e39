"""Seed the legal bases (editable afterwards in the admin) and the case deadlines.

Articles of 《中华人民共和国大气污染防治法》 as revised in 2018, with the fine each allows. Where
the law sets no fixed range (a multiple of the goods' value, or "依法予以处罚" by another law),
the range is left empty and the text says so.
"""

from decimal import Decimal

from django.db import migrations

LAW = "中华人民共和国大气污染防治法"
FIREWORKS = "烟花爆竹安全管理条例"

# law, article, text, party kind ("" any), min, max
BASES = [
    (LAW, "第九十九条",
     "未依法取得排污许可证排放大气污染物，超过排放标准或者重点大气污染物排放总量控制指标排放，"
     "或者通过逃避监管的方式排放大气污染物的：责令改正或者限制生产、停产整治，并处十万元以上"
     "一百万元以下的罚款；情节严重的，报经有批准权的人民政府批准，责令停业、关闭。",
     "org", 100_000, 1_000_000),
    (LAW, "第一百条",
     "侵占、损毁或者擅自移动、改变监测设施或者自动监测设备，未按照规定监测并保存原始监测记录，"
     "未按照规定安装、使用自动监测设备或者联网，重点排污单位不公开或者不如实公开自动监测数据，"
     "或者未按照规定设置排放口的：责令改正，处二万元以上二十万元以下的罚款；拒不改正的，责令停产整治。",
     "org", 20_000, 200_000),
    (LAW, "第一百零一条",
     "生产、进口、销售或者使用国家综合性产业政策目录中禁止的设备和产品，采用禁止的工艺，或者将淘汰的"
     "设备和产品转让给他人使用的：责令改正，没收违法所得，并处货值金额一倍以上三倍以下的罚款"
     "（按货值计算，无固定金额范围）。",
     "", None, None),
    (LAW, "第一百零八条",
     "含挥发性有机物废气的生产和服务活动未在密闭空间或者设备中进行、未按照规定安装使用污染防治设施，"
     "或者钢铁、建材、有色金属、石油、化工、制药、矿产开采等企业未采取集中收集处理、密闭、围挡、遮盖、"
     "清扫、洒水等措施控制粉尘和气态污染物排放的：责令改正，处二万元以上二十万元以下的罚款；"
     "拒不改正的，责令停产整治。",
     "org", 20_000, 200_000),
    (LAW, "第一百一十四条第一款",
     "使用排放不合格的非道路移动机械，或者在用重型柴油车、非道路移动机械未按照规定加装、更换污染控制"
     "装置的：责令改正，处五千元的罚款。",
     "", 5_000, 5_000),
    (LAW, "第一百一十五条",
     "施工工地未设置硬质围挡，或者未采取覆盖、分段作业、择时施工、洒水抑尘、冲洗地面和车辆等有效防尘"
     "降尘措施，建筑土方、工程渣土、建筑垃圾未及时清运或者未采用密闭式防尘网遮盖，建设单位未对裸露地面"
     "进行覆盖的：责令改正，处一万元以上十万元以下的罚款；拒不改正的，责令停工整治。",
     "org", 10_000, 100_000),
    (LAW, "第一百一十六条",
     "运输煤炭、垃圾、渣土、砂石、土方、灰浆等散装、流体物料的车辆，未采取密闭或者其他措施防止物料遗撒"
     "的：责令改正，处二千元以上二万元以下的罚款；拒不改正的，车辆不得上道路行驶。",
     "", 2_000, 20_000),
    (LAW, "第一百一十七条",
     "未密闭煤炭、煤矸石、煤渣、煤灰、水泥、石灰、石膏、砂土等易产生扬尘的物料，或者未对不能密闭的易产生"
     "扬尘的物料设置不低于堆放物高度的严密围挡并采取有效覆盖措施等的：责令改正，处一万元以上十万元以下的"
     "罚款；拒不改正的，责令停工整治或者停业整治。",
     "org", 10_000, 100_000),
    (LAW, "第一百一十八条第一款",
     "排放油烟的餐饮服务业经营者未安装油烟净化设施、不正常使用油烟净化设施或者未采取其他油烟净化措施，"
     "超过排放标准排放油烟的：责令改正，处五千元以上五万元以下的罚款；拒不改正的，责令停业整治。",
     "", 5_000, 50_000),
    (LAW, "第一百一十八条第三款",
     "在当地人民政府禁止的时段和区域内露天烧烤食品或者为露天烧烤食品提供场地的：责令改正，没收烧烤工具"
     "和违法所得，并处五百元以上二万元以下的罚款。",
     "", 500, 20_000),
    (LAW, "第一百一十九条第一款",
     "在人口集中地区对树木、花草喷洒剧毒、高毒农药，或者露天焚烧秸秆、落叶等产生烟尘污染的物质的："
     "责令改正，并可以处五百元以上二千元以下的罚款。",
     "", 500, 2_000),
    (LAW, "第一百一十九条第二款（单位）",
     "在人口集中地区和其他依法需要特殊保护的区域内，焚烧沥青、油毡、橡胶、塑料、皮革、垃圾以及其他产生"
     "有毒有害烟尘和恶臭气体的物质的：责令改正，对单位处一万元以上十万元以下的罚款。",
     "org", 10_000, 100_000),
    (LAW, "第一百一十九条第二款（个人）",
     "在人口集中地区和其他依法需要特殊保护的区域内，焚烧沥青、油毡、橡胶、塑料、皮革、垃圾以及其他产生"
     "有毒有害烟尘和恶臭气体的物质的：责令改正，对个人处五百元以上二千元以下的罚款。",
     "person", 500, 2_000),
    (LAW, "第一百一十九条第三款",
     "在城市人民政府禁止的时段和区域内燃放烟花爆竹的：依法予以处罚（本法未定金额，"
     "见《烟花爆竹安全管理条例》第四十二条）。",
     "", None, None),
    (FIREWORKS, "第四十二条第二款",
     "在禁止燃放烟花爆竹的时间、地点燃放烟花爆竹，或者以危害公共安全和人身、财产安全的方式燃放烟花爆竹"
     "的：由公安部门责令停止燃放，处100元以上500元以下的罚款。",
     "person", 100, 500),
]  # fmt: skip

# step to reach, days, counted from filing, working days, basis
DEADLINES = [
    ("investigation", 7, False, False, "本地办案规范：立案后及时调查取证（可调整）"),
    ("notice", 30, False, False, "本地办案规范：调查终结后告知（可调整）"),
    ("decision", 90, True, False, "《行政处罚法》第六十条：自立案之日起九十日内作出决定"),
    ("execution", 7, False, True, "《行政处罚法》第六十一条：七日内送达决定书（第八十五条：工作日）"),
    ("closed", 30, False, False,
     "本地办案规范（可调整）；罚款自收到决定书之日起十五日内缴纳（《行政处罚法》第六十七条）"),
]  # fmt: skip


def seed(apps, schema_editor):
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
    dependencies = [("enforcement", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
