"""The default checklist of each category and the default inspection plans; both are edited in
the admin afterwards (a seeded row is only created where it is missing, never overwritten)."""

from django.db import migrations

# category → [(code, text, English, days to put it right)]
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
        ("cleaning_records", "净化设施定期清洗并有记录", "Purifier cleaned regularly, with records", 7),
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

# category → (days between inspections, days while a heavy-pollution warning is in force)
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


def seed(apps, schema_editor):
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
    dependencies = [("inspections", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
