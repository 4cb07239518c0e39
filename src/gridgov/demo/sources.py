"""The demo district's pollution sources on all eight fronts, written through the registry's
own write path (`sources.services.create_source`), deterministic for a seed.

Construction sites and restaurants sit in the urban streets, enterprises mostly in the towns'
industrial grids, farmland in every village, burning spots by the villages' cemeteries and the
streets' crossroads, main roads cross the district, and the urban streets are one no-fireworks zone.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass

import shapely
from django.db import transaction
from django.utils import timezone
from shapely.geometry import box, shape

from gridgov.demo.names import SURNAMES
from gridgov.people.models import Post
from gridgov.sources import categories
from gridgov.sources.services import SourceError, SourceInput, create_source, point_geometry
from gridgov.territory.geometry import to_geojson
from gridgov.territory.locate import locate
from gridgov.territory.models import GridKind, Level, Region

STEPS = 8  # progress units: one per category

SITES = 60
ENTERPRISES = 40
RESTAURANTS = 200
VEHICLES = 300
SALES_POINTS = 14

SITE_STEMS = [
    "花园",
    "华府",
    "雅苑",
    "学府",
    "锦城",
    "御景",
    "天悦",
    "城市广场",
    "商业中心",
    "安置房",
]
BUILDERS = [
    "新乡市城投置业有限公司",
    "河南建业地产有限公司",
    "平原新区开发建设有限公司",
    "牧野房地产开发有限公司",
]
CONTRACTORS = ["中建七局第三建筑有限公司", "河南五建建设集团有限公司", "新乡市第一建筑工程有限公司"]
INDUSTRIES = [
    ("化学原料和化学制品制造业", "化工"),
    ("非金属矿物制品业", "建材"),
    ("金属制品业", "金属"),
    ("农副食品加工业", "食品"),
    ("橡胶和塑料制品业", "塑料"),
    ("印刷和记录媒介复制业", "包装印刷"),
    ("家具制造业", "家具"),
    ("汽车制造业", "汽车配件"),
]
GRADE_SHARES = [("A", 0.1), ("B", 0.3), ("C", 0.4), ("D", 0.2)]
DISHES = [
    "烩面馆",
    "烧烤店",
    "火锅店",
    "饺子馆",
    "小炒",
    "川菜馆",
    "面馆",
    "快餐店",
    "大排档",
    "酒家",
]
ROADS = [
    ("人民路", (-0.09, 0.005), (0.10, 0.01), "1"),
    ("平原大道", (-0.08, -0.04), (0.09, -0.035), "1"),
    ("建设路", (-0.05, -0.06), (-0.045, 0.06), "2"),
    ("文化路", (-0.02, -0.055), (-0.015, 0.055), "2"),
    ("科技大道", (0.02, -0.05), (0.025, 0.05), "2"),
    ("S309省道", (0.0, 0.045), (0.10, 0.04), "3"),
    ("乡道宁郭线", (0.03, -0.02), (0.08, -0.05), "4"),
    ("磨头大街", (0.06, -0.015), (0.09, 0.02), "3"),
]
CROPS = ["小麦", "玉米", "小麦/玉米轮作", "花生"]


@dataclass
class SourcesResult:
    counts: dict[str, int]
    refused: int = 0


def _noop(step: str, advance: int) -> None:
    pass


def _credit_code(rng: random.Random) -> str:
    body = (
        "91" + "410871" + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(9))
    )
    return body + categories.credit_code_check(body)


def _centre(grid: Region) -> tuple[float, float]:
    return float(grid.centroid_lat or 0.0), float(grid.centroid_lon or 0.0)


def _point_in(rng: random.Random, grid: Region, spread: float = 0.0015) -> tuple[float, float]:
    clat, clon = _centre(grid)
    for _ in range(8):
        lat = clat + rng.gauss(0, spread)
        lon = clon + rng.gauss(0, spread)
        where = locate(lat, lon)
        if where.inside and where.grid and where.grid.id == grid.pk:
            return round(lat, 6), round(lon, 6)
    return clat, clon


def generate(seed: int = 2026, progress: Callable[[str, int], None] = _noop) -> SourcesResult:
    rng = random.Random(seed + 23)
    now = timezone.now()
    regions = list(Region.objects.active().order_by("code"))
    by_id = {r.pk: r for r in regions}
    streets = [r for r in regions if r.level == Level.STREET]
    urban_streets = [s for s in streets if not s.name.endswith("镇")]
    towns = [s for s in streets if s.name.endswith("镇")]
    grids = [r for r in regions if r.level == Level.GRID]

    def street_of(grid: Region) -> Region:
        # The street/town above the grid, at whatever depth the tree starts (a city's too).
        return next(
            by_id[i] for i in grid.ancestor_ids() if i in by_id and by_id[i].level == Level.STREET
        )

    urban_grids = [
        g for g in grids if street_of(g) in urban_streets and g.kind != GridKind.DEDICATED
    ]
    town_grids = [g for g in grids if street_of(g) in towns and g.kind != GridKind.DEDICATED]
    industrial = [g for g in grids if g.kind == GridKind.DEDICATED] or town_grids
    town_ids = {t.pk for t in towns}
    villages = [r for r in regions if r.level == Level.COMMUNITY and r.parent_id in town_ids]
    counts: dict[str, int] = {}
    refused = 0

    def add(data: SourceInput, days_ago: int) -> None:
        nonlocal refused
        try:
            create_source(data, now=now - dt.timedelta(days=days_ago, hours=rng.randint(0, 20)))
        except SourceError:
            refused += 1  # a generated shape that falls outside every grid: left out
            return
        counts[data.category] = counts.get(data.category, 0) + 1

    with transaction.atomic():
        for i in range(SITES):
            grid = rng.choice(urban_grids if rng.random() < 0.8 else town_grids)
            lat, lon = _point_in(rng, grid)
            measures = [m for m in categories.DUST_MEASURES if rng.random() < 0.85]
            add(
                SourceInput(
                    category="construction_site",
                    name=f"{rng.choice(SURNAMES)}{rng.choice(SITE_STEMS)}{rng.choice('一二三四')}期项目",
                    address=f"{street_of(grid).name}{grid.name}",
                    geometry=point_geometry(lat, lon),
                    attributes={
                        "permit_number": f"4107712026{i + 1:04d}0101",
                        "builder": rng.choice(BUILDERS),
                        "contractor": rng.choice(CONTRACTORS),
                        "phase": rng.choice(
                            ["earthwork", "foundation", "structure", "structure", "decoration"]
                        ),
                        "area_m2": rng.randrange(3000, 120000, 500),
                        "dust_measures": measures,
                        "pm10_monitor": rng.random() < 0.7,
                        "video": rng.random() < 0.8,
                    },
                ),
                rng.randint(30, 400),
            )
        progress("construction sites", 1)

        outline = shapely.union_all([shape(g.geometry) for g in grids])
        cx, cy = outline.centroid.x, outline.centroid.y
        for name, (x0, y0), (x1, y1), cls in ROADS:
            line = shapely.LineString([(cx + x0, cy + y0), (cx + x1, cy + y1)])
            line = line.intersection(outline)
            if line.is_empty or line.geom_type not in ("LineString", "MultiLineString"):
                continue
            add(
                SourceInput(
                    category="road_section",
                    name=name,
                    geometry=to_geojson(line),
                    attributes={
                        "cleaning_class": cls,
                        "sweeping_schedule": "机扫 2 次/日，洗扫 1 次/日"
                        if cls in "12"
                        else "机扫 1 次/日",
                        "sweeps_per_day": 3 if cls in "12" else 1,
                        "length_km": round(line.length * 100, 1),
                        "responsible_unit": "区城市管理局环卫中心",
                    },
                ),
                500,
            )
        progress("roads", 1)

        for _ in range(ENTERPRISES):
            grid = rng.choice(industrial if rng.random() < 0.7 else town_grids)
            lat, lon = _point_in(rng, grid)
            industry, short = rng.choice(INDUSTRIES)
            grade = rng.choices([g for g, _ in GRADE_SHARES], [w for _, w in GRADE_SHARES])[0]
            add(
                SourceInput(
                    category="enterprise",
                    name=f"新乡市{rng.choice(SURNAMES)}{rng.choice('达鑫恒润兴')}{short}有限公司",
                    address=f"{street_of(grid).name}{grid.name}",
                    geometry=point_geometry(lat, lon),
                    attributes={
                        "credit_code": _credit_code(rng),
                        "industry": industry,
                        "discharge_permit": f"91410871{rng.randrange(10**9, 10**10)}001P",
                        "grade": grade,
                        "monitor_mns": [],
                    },
                ),
                rng.randint(200, 900),
            )
        progress("enterprises", 1)

        for _ in range(RESTAURANTS):
            grid = rng.choice(urban_grids)
            lat, lon = _point_in(rng, grid, 0.001)
            interval = rng.choice([30, 30, 60, 90])
            last = now.date() - dt.timedelta(days=rng.randint(1, interval + 40))
            add(
                SourceInput(
                    category="restaurant",
                    name=f"{rng.choice(SURNAMES)}记{rng.choice(DISHES)}",
                    address=f"{street_of(grid).name}{grid.name}临街商铺",
                    geometry=point_geometry(lat, lon),
                    attributes={
                        "seats": rng.randrange(12, 300, 4),
                        "fume_purifier": rng.random() < 0.9,
                        "purifier_model": rng.choice(["静电式 JD-4000", "复合式 FH-6000", ""]),
                        "cleaning_interval_days": interval,
                        "cleaning_dates": [last.isoformat()],
                    },
                ),
                rng.randint(60, 900),
            )
        progress("restaurants", 1)

        for village in villages:
            village_grids = [g for g in grids if g.parent_id == village.pk]
            if not village_grids:
                continue
            grid = rng.choice(village_grids)
            cell = shape(grid.geometry)
            clat, clon = _centre(grid)
            square = box(clon - 0.004, clat - 0.003, clon + 0.004, clat + 0.003)
            field_area = cell.intersection(square).buffer(-0.0003)
            if field_area.is_empty or field_area.geom_type not in ("Polygon", "MultiPolygon"):
                continue
            add(
                SourceInput(
                    category="farmland",
                    name=f"{village.name}秸秆禁烧责任田",
                    geometry=to_geojson(field_area.simplify(0.00005)),
                    attributes={
                        "area_mu": round(field_area.area * 111_000 * 92_000 / 666.7),
                        "crop": rng.choice(CROPS),
                        "village": village.name,
                    },
                ),
                700,
            )
        progress("farmland", 1)

        for village in villages[::2]:
            village_grids = [g for g in grids if g.parent_id == village.pk]
            if village_grids:
                lat, lon = _point_in(rng, rng.choice(village_grids), 0.002)
                add(
                    SourceInput(
                        category="burning_spot",
                        name=f"{village.name}公墓",
                        geometry=point_geometry(lat, lon),
                        attributes={
                            "kind": "cemetery",
                            "festivals": ["qingming", "hanyi", "zhongyuan"],
                        },
                    ),
                    700,
                )
        for street in urban_streets:
            for n in range(3):
                grid = rng.choice([g for g in urban_grids if street_of(g) == street])
                lat, lon = _point_in(rng, grid, 0.001)
                add(
                    SourceInput(
                        category="burning_spot",
                        name=f"{street.name}{grid.name}十字路口{n + 1}",
                        geometry=point_geometry(lat, lon),
                        attributes={
                            "kind": "crossroad",
                            "festivals": ["qingming", "hanyi", "zhongyuan", "chunjie"],
                            "patrol_note": "寒衣节、清明节前后 3 天每晚 18:00–22:00 巡查",
                        },
                    ),
                    700,
                )
        progress("burning spots", 1)

        provinces = "豫"
        for _i in range(VEHICLES):
            grid = rng.choice(urban_grids + town_grids)
            lat, lon = _point_in(rng, grid, 0.002)
            kind = rng.choices(
                ["heavy_truck", "muck_truck", "non_road_machinery", "bus"], [5, 3, 3, 1]
            )[0]
            if kind == "non_road_machinery":
                registration = f"豫G-F{rng.randrange(10000, 99999)}"
                stage = rng.choice(["II", "III", "III", "IV"])
            else:
                letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
                registration = f"{provinces}G{rng.choice(letters)}{rng.randrange(10000, 99999)}"
                stage = rng.choice(["III", "IV", "IV", "V", "VI"])
            add(
                SourceInput(
                    category="vehicle",
                    name={
                        "heavy_truck": "重型货车",
                        "muck_truck": "渣土运输车",
                        "non_road_machinery": rng.choice(["挖掘机", "装载机", "压路机", "叉车"]),
                        "bus": "柴油客车",
                    }[kind]
                    + f" {registration}",
                    geometry=point_geometry(lat, lon),
                    attributes={
                        "kind": kind,
                        "registration": registration,
                        "owner": f"新乡市{rng.choice(SURNAMES)}氏运输有限公司",
                        "emission_stage": stage,
                        "fuel": "diesel",
                    },
                ),
                rng.randint(30, 900),
            )
        progress("vehicles", 1)

        for i in range(SALES_POINTS):
            grid = rng.choice(town_grids)
            lat, lon = _point_in(rng, grid)
            add(
                SourceInput(
                    category="fireworks_point",
                    name=f"{street_of(grid).name}烟花爆竹临时销售点{i + 1}",
                    geometry=point_geometry(lat, lon),
                    attributes={
                        "kind": "sales_point",
                        "licence_number": f"（豫G）YH经许字〔2026〕{i + 1:03d}号",
                        "valid_from": f"{now.year}-12-20",
                        "valid_to": f"{now.year + 1}-02-15",
                    },
                ),
                30,
            )
        zone = shapely.union_all([shape(s.geometry) for s in urban_streets]).buffer(-0.001)
        add(
            SourceInput(
                category="fireworks_point",
                name="城区烟花爆竹禁放区",
                geometry=to_geojson(zone.simplify(0.0005)),
                attributes={"kind": "no_fireworks_zone"},
            ),
            800,
        )
        # The `worker` login's own grid: a site, two restaurants and a firm to inspect from
        # "near me" (the rest of the district is random).
        post = (
            Post.objects.current()
            .filter(person__user__username="worker", region__level=Level.GRID)
            .select_related("region")
            .first()
        )
        if post is not None:
            home = post.region
            for category, name, attributes in (
                ("construction_site", "民生花园三期项目", {"phase": "earthwork", "area_m2": 38000}),
                ("restaurant", "民生路烩面馆", {"seats": 80, "fume_purifier": True}),
                ("restaurant", "老街烧烤店", {"seats": 40, "fume_purifier": False}),
                (
                    "enterprise",
                    "新乡市民生包装印刷有限公司",
                    {"grade": "C", "industry": "印刷和记录媒介复制业"},
                ),
            ):
                lat, lon = _point_in(rng, home, 0.0008)
                add(
                    SourceInput(
                        category=category,
                        name=name,
                        address=f"{home.name}",
                        geometry=point_geometry(lat, lon),
                        attributes=attributes,
                    ),
                    rng.randint(60, 300),
                )
        progress("fireworks", 1)
    return SourcesResult(counts, refused)
