"""The default measures, modelled on China's heavy-pollution weather emergency plans
(重污染天气应急预案): what each level asks of each front. Editable afterwards in the admin.

A measure applies at its level and every higher level; measures of one `group` replace each
other as the level rises (e.g. C 级企业: 橙色限产 30% → 红色停产)."""

from django.db import migrations

Y, O, R = 1, 2, 3
# level, category, text, English, grades, kinds, group, suspend, inspection interval (days)
MEASURES = [
    (Y, "construction_site", "加强洒水抑尘，施工现场每日洒水不少于 4 次",
     "Step up dust suppression: water the site at least 4 times a day", "", "", "", False, 2),
    (Y, "construction_site", "禁止露天切割、喷涂和焊接作业",
     "No open-air cutting, spray painting or welding", "", "", "", False, 2),
    (Y, "road_section", "增加道路机扫、洒水频次",
     "More mechanical sweeping and watering of roads", "", "", "road_cleaning", False, 2),
    (Y, "enterprise", "D 级企业限产 30%",
     "Grade-D enterprises cut production by 30%", "D", "", "grade_d", False, 2),
    (Y, "restaurant", "禁止露天烧烤", "No open-air barbecue", "", "", "", False, 2),
    (Y, "burning_spot", "禁止露天焚烧祭品、垃圾和落叶",
     "No open burning of offerings, rubbish or leaves", "", "", "", False, 2),
    (Y, "fireworks_point", "全域禁止燃放烟花爆竹",
     "No fireworks anywhere in the district", "", "", "", False, 2),
    (Y, "farmland", "秸秆禁烧，每日巡查", "No straw burning; daily patrol", "", "", "", False, 1),
    (Y, "vehicle", "高排放车辆加强路检路查",
     "More roadside checks of high-emission vehicles", "", "", "", False, 2),
    (O, "construction_site", "停止土石方作业和拆除作业",
     "Stop earthwork and demolition", "", "earthwork,demolition", "", True, 1),
    (O, "construction_site", "渣土、物料全部覆盖，每日巡查",
     "Cover all spoil and materials; daily inspection", "", "", "", False, 1),
    (O, "road_section", "道路机扫、洒水频次增加一倍，每日巡查",
     "Double road sweeping and watering; daily inspection", "", "", "road_cleaning", False, 1),
    (O, "enterprise", "C 级企业限产 30%",
     "Grade-C enterprises cut production by 30%", "C", "", "grade_c", False, 1),
    (O, "enterprise", "D 级企业停产", "Grade-D enterprises stop production",
     "D", "", "grade_d", True, 1),
    (O, "vehicle", "渣土车禁止上路", "Muck trucks off the roads", "", "muck_truck", "", True, 1),
    (O, "restaurant", "油烟净化设施全时运行，每日巡查",
     "Fume purifiers run at all times; daily inspection", "", "", "", False, 1),
    (O, "burning_spot", "每日巡查，发现焚烧立即制止",
     "Daily patrol; any burning stopped at once", "", "", "", False, 1),
    (O, "fireworks_point", "烟花爆竹销售点暂停销售",
     "Fireworks sales points suspend sales", "", "sales_point", "", True, 1),
    (O, "farmland", "秸秆禁烧 24 小时巡查", "Straw-burning watch around the clock",
     "", "", "", False, 1),
    (R, "construction_site", "所有工地停止室外作业", "All sites stop outdoor work",
     "", "", "", True, 1),
    (R, "road_section", "道路每日洒水不少于 8 次",
     "Water roads at least 8 times a day", "", "", "road_cleaning", False, 1),
    (R, "enterprise", "C 级企业停产", "Grade-C enterprises stop production",
     "C", "", "grade_c", True, 1),
    (R, "enterprise", "B 级企业限产 30%", "Grade-B enterprises cut production by 30%",
     "B", "", "grade_b", False, 1),
    (R, "vehicle", "重型柴油货车禁止上路（保障民生的除外）",
     "Heavy diesel trucks off the roads (essential supplies excepted)",
     "", "heavy_truck", "", True, 1),
    (R, "vehicle", "非道路移动机械停止使用", "Non-road mobile machinery stops",
     "", "non_road_machinery", "", True, 1),
]


def seed(apps, schema_editor):
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
    dependencies = [("emergency", "0002_affected_sources")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
