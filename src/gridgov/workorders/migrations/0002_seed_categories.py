"""Seed the two-level event taxonomy (the seed's fronts and common governance categories) and
the default deadlines. Both are editable in the admin afterwards."""

from django.db import migrations

URGENT, HIGH, NORMAL = 1, 2, 3

# (code, name, English, line, [(code, name, English, priority, public)])
TAXONOMY = [
    ("air_pollution", "大气污染", "Air pollution", "environment", [
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
    ]),
    ("urban", "城市管理", "Urban management", "urban_management", [
        ("sanitation", "环境卫生", "Sanitation", NORMAL, True),
        ("illegal_construction", "违法建设", "Illegal construction", NORMAL, True),
        ("street_vending", "占道经营", "Street vending", NORMAL, True),
        ("damaged_facility", "市政设施损坏", "Damaged public facility", NORMAL, True),
    ]),
    ("safety", "安全隐患", "Safety hazards", "safety", [
        ("safety_hazard", "安全生产隐患", "Work-safety hazard", HIGH, True),
        ("fire_hazard", "消防隐患", "Fire hazard", HIGH, True),
        ("gas_hazard", "燃气隐患", "Gas hazard", URGENT, True),
    ]),
    ("governance", "社会治理", "Social governance", "governance", [
        ("neighbour_dispute", "邻里纠纷", "Neighbour dispute", NORMAL, True),
        ("labour_dispute", "劳资纠纷", "Labour dispute", NORMAL, True),
        ("public_order", "治安隐患", "Public-order concern", HIGH, True),
    ]),
    ("livelihood", "民生服务", "Public services", "civil_affairs", [
        ("vulnerable_help", "困难群众帮扶", "Help for people in need", NORMAL, True),
        ("water_power", "水电气暖问题", "Water, power, gas or heating", NORMAL, True),
    ]),
    ("emergency", "应急处置", "Emergencies", "emergency", [
        ("flood", "防汛险情", "Flood risk", URGENT, True),
        ("geological_hazard", "地质灾害隐患", "Geological hazard", URGENT, True),
    ]),
]

# priority: dispatch, sign, handle, verify minutes; working time
DEFAULTS = {
    URGENT: (10, 15, 240, 120, False),
    HIGH: (30, 30, 480, 240, False),
    NORMAL: (120, 120, 1350, 450, True),  # 3 working days to handle, 1 to verify
}


def seed(apps, schema_editor):
    Category = apps.get_model("workorders", "Category")
    DeadlinePolicy = apps.get_model("workorders", "DeadlinePolicy")
    WorkLine = apps.get_model("territory", "WorkLine")
    lines = {w.code: w for w in WorkLine.objects.all()}
    order = 0
    for code, name, name_en, line, children in TAXONOMY:
        order += 1
        parent, _ = Category.objects.update_or_create(
            code=code,
            defaults={"name": name, "name_en": name_en, "line": lines.get(line), "sort_order": order},
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


class Migration(migrations.Migration):
    dependencies = [
        ("workorders", "0001_initial"),
        ("territory", "0002_seed_work_lines"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
