"""市: `gridgov demo --city` — the demo district as one of a city's ten districts and counties.

The city (焦作市, a 市 region) is the root; the demo district (高新区, built as `gridgov demo`
builds it) is one of its districts, and nine smaller districts and counties lie around it, each
with a few streets or towns, two communities or villages each, three grids each, their
officials and grid staff, two stations (a provincial control station and a micro-station) and
their hourly data since 1 January. Everything goes through the same write paths as the district
(territory plans, posts, station registry, ingestion, the horse race's cards). The `command`
login is the city's 城运中心 (it ranks the districts); `district` is 高新区's own office (it
ranks its streets).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np
import shapely
from shapely.geometry import box
from shapely.geometry.base import BaseGeometry

from gridgov.demo import geometry as demo_geo
from gridgov.demo.generator import DISTRICT_CODE, LINES_BY_KIND, _People
from gridgov.territory.geometry import parse_geometry, to_geojson
from gridgov.territory.models import GridKind, Level, Region
from gridgov.territory.services import RegionSpec, apply_plan

CITY_CODE = "410800"
CITY_NAME = "焦作市"
# code, name, a county (towns and villages) or a district (streets and communities)
OTHER_DISTRICTS = [
    ("410802", "解放区", False),
    ("410803", "中站区", False),
    ("410804", "马村区", False),
    ("410811", "山阳区", False),
    ("410821", "修武县", True),
    ("410822", "博爱县", True),
    ("410823", "武陟县", True),
    ("410825", "温县", True),
    ("410882", "沁阳市", True),
]
DISTRICTS = 1 + len(OTHER_DISTRICTS)
STREETS = 3  # streets or towns per other district
COMMUNITIES = 2  # communities or villages per street or town
GRIDS = 3  # grids per community or village
# How far the city reaches beyond the demo district's outline (degrees, each side).
MARGIN_LON, MARGIN_LAT = 0.30, 0.22
# progress steps: territory, people, stations, card
STEPS = 4

Progress = Callable[[str, int], None]


def _noop(step: str, advance: int) -> None:
    return None


def city_outline(seed: int) -> BaseGeometry:
    """The city: a box around the demo district's outline (the district's first draw of the
    seed, as generator.build_territory makes it)."""
    outline = demo_geo.district_outline(np.random.default_rng(seed))
    minx, miny, maxx, maxy = outline.bounds
    return box(minx - MARGIN_LON, miny - MARGIN_LAT, maxx + MARGIN_LON, maxy + MARGIN_LAT)


def build_city_root(seed: int = 2026) -> Region:
    """The city's region, the root the demo district is then built under."""
    spec = RegionSpec(CITY_CODE, CITY_NAME, Level.CITY, None, to_geojson(city_outline(seed)))
    apply_plan([spec], reason="demo city")
    return Region.objects.get(code=CITY_CODE)


@dataclass
class CityResult:
    districts: int = 0
    regions: int = 0
    grids: int = 0
    people: int = 0
    posts: int = 0
    stations: int = 0
    stored: int = 0
    district_codes: list[str] = field(default_factory=list)


def _specs(seed: int, count: int) -> tuple[list[RegionSpec], dict[str, list[str]]]:
    """The other districts' regions (the first `count` of OTHER_DISTRICTS), and per district
    the codes of its communities."""
    rng = np.random.default_rng(seed + 500)
    city = city_outline(seed)
    district = demo_geo.district_outline(np.random.default_rng(seed))
    rest = shapely.difference(city, district)
    cells = demo_geo.split(rng, rest, len(OTHER_DISTRICTS))
    specs: list[RegionSpec] = []
    communities: dict[str, list[str]] = {}
    for (code, name, county), cell in list(zip(OTHER_DISTRICTS, cells, strict=True))[:count]:
        specs.append(RegionSpec(code, name, Level.DISTRICT, CITY_CODE, to_geojson(cell)))
        communities[code] = []
        for s, street_cell in enumerate(demo_geo.split(rng, cell, STREETS), start=1):
            street_code = f"{code}{s:03d}"
            street_name = f"{name[:-1]}{'第' + '一二三四五'[s - 1]}{'镇' if county else '街道'}"
            specs.append(
                RegionSpec(street_code, street_name, Level.STREET, code, to_geojson(street_cell))
            )
            for c, comm_cell in enumerate(demo_geo.split(rng, street_cell, COMMUNITIES), start=1):
                comm_code = f"{street_code}{c:03d}"
                comm_name = f"{street_name}{'东西'[c - 1]}{'村' if county else '社区'}"
                specs.append(
                    RegionSpec(
                        comm_code, comm_name, Level.COMMUNITY, street_code, to_geojson(comm_cell)
                    )
                )
                communities[code].append(comm_code)
                kind = GridKind.RURAL if county else GridKind.URBAN
                for g, grid_cell in enumerate(demo_geo.split(rng, comm_cell, GRIDS), start=1):
                    specs.append(
                        RegionSpec(
                            f"{comm_code}{g:03d}",
                            f"{comm_name}第{g}网格",
                            Level.GRID,
                            comm_code,
                            to_geojson(grid_cell),
                            kind,
                            LINES_BY_KIND[kind],
                        )
                    )
    return specs, communities


def build_other_districts(
    seed: int = 2026, districts: int = DISTRICTS, progress: Progress = _noop
) -> CityResult:
    """The city's other districts and counties (`districts` in all, the demo district
    included), their officials, grid staff and stations. The city and the demo district must
    be stored (build_city_root, then generator.build_demo with the city's code)."""
    from gridgov.air.stations import StationSpec, save_station
    from gridgov.demo.racing import seed_district_card
    from gridgov.people.models import Person, Post, PostType

    count = max(0, min(districts, DISTRICTS) - 1)
    specs, communities = _specs(seed, count)
    apply_plan(specs, reason="demo city")
    progress("city districts", 1)
    regions = {r.code: r for r in Region.objects.filter(code__in=[s.code for s in specs])}
    types = {t.code: t for t in PostType.objects.all()}
    people = _People(seed + 1000)
    people.phones.update(Person.objects.values_list("phone", flat=True))
    posts: list[tuple[Person, str, str]] = []
    for spec in specs:
        if spec.level == Level.GRID:
            posts.append((people.new(), "grid_leader", spec.code))
            posts.append((people.new(), "grid_worker", spec.code))
        elif spec.level == Level.COMMUNITY:
            posts.append((people.new(), "secretary", spec.code))
        elif spec.level == Level.STREET:
            posts += [(people.new(), "street_official", spec.code) for _ in range(2)]
        else:
            posts += [(people.new(), "district_command_office", spec.code) for _ in range(2)]
    Person.objects.bulk_create(people.persons, batch_size=500)
    saved = {p.phone: p for p in Person.objects.filter(phone__in=[p.phone for p, _, _ in posts])}
    Post.objects.bulk_create(
        [
            Post(
                person=saved[p.phone],
                post_type=types[post],
                region=regions[code],
                start_date=people.start_date(),
            )
            for p, post, code in posts
        ],
        batch_size=1000,
    )
    progress("city people", 1)
    stations = 0
    for spec in specs:
        if spec.level != Level.DISTRICT:
            continue
        first = regions[communities[spec.code][0]]
        centre = parse_geometry(spec.code, regions[spec.code].geometry).representative_point()
        point = parse_geometry(first.code, first.geometry).representative_point()
        for station in (
            StationSpec(
                f"{spec.code}-SK1",
                f"{spec.name}省控站",
                "provincial",
                round(centre.y, 6),
                round(centre.x, 6),
                60,
            ),
            StationSpec(
                f"W{first.code}",
                f"{first.name}微站",
                "micro",
                round(point.y, 6),
                round(point.x, 6),
                1,
            ),
        ):
            save_station(station)
            stations += 1
    progress("city stations", 1)
    _targets([regions[s.code] for s in specs if s.level == Level.DISTRICT])
    seed_district_card()
    progress("city card", 1)
    return CityResult(
        districts=count + 1,
        regions=len(specs) + 1,
        grids=sum(1 for s in specs if s.level == Level.GRID),
        people=len(saved),
        posts=len(posts),
        stations=stations,
        district_codes=[DISTRICT_CODE, *(s.code for s in specs if s.level == Level.DISTRICT)],
    )


def _targets(districts: list[Region], today: dt.date | None = None) -> None:
    """The year's PM2.5 target of the city and of each of its other districts (the demo
    district has its own, demo/air.py)."""
    from gridgov.air.models import CST, Target

    today = today or dt.datetime.now(CST).date()
    start, end = dt.date(today.year, 1, 1), dt.date(today.year, 12, 31)
    city = Region.objects.get(code=CITY_CODE)
    rows = [Target(region=city, metric="pm25", start=start, end=end, value=42)]
    rows += [Target(region=d, metric="pm25", start=start, end=end, value=45) for d in districts]
    Target.objects.bulk_create(rows, ignore_conflicts=True)


def seed_readings(seed: int = 2026, today: dt.date | None = None, days: int | None = None) -> int:
    """Hourly means for the other districts' stations through the ingestion path, from
    1 January (or the last `days` days) to the last whole hour: a county is cleaner than a
    district, as the demo's towns are than its streets. The number of readings stored."""
    from gridgov.air.ingest import IngestResult, ingest, station_infos
    from gridgov.air.models import CST, Station
    from gridgov.demo.air import DemoStation, _batch, hourly_fields

    today = today or dt.datetime.now(CST).date()
    start = today - dt.timedelta(days=days - 1) if days else dt.date(today.year, 1, 1)
    codes = {code: county for code, _name, county in OTHER_DISTRICTS}
    rng = np.random.default_rng(seed + 501)
    stations = []
    for st in Station.objects.order_by("code"):
        # The city's own stations: "<district>-SK1" and "W<community code>" (the demo
        # district's stations carry its own code, which is not among these).
        district = next((c for c in codes if st.code.removeprefix("W").startswith(c)), None)
        if district is None:
            continue
        factor = (0.85 if codes[district] else 1.05) * float(rng.uniform(0.9, 1.1))
        stations.append(DemoStation(st.pk, st.code, st.lon, st.lat, factor, False))
    if not stations:
        return 0
    n_days = (today - start).days + 1
    fields = hourly_fields(rng, stations, start, n_days)
    t0 = int(dt.datetime.combine(start, dt.time(), CST).timestamp())
    now = dt.datetime.now(dt.UTC).timestamp()
    hour_ts = t0 + 3600 * np.arange(n_days * 24, dtype=np.int64)
    infos = {k: replace(v, interval=60) for k, v in station_infos([s.id for s in stations]).items()}
    ids = np.array([s.id for s in stations], dtype=np.int64)
    total = IngestResult()
    edges = [*range(0, len(hour_ts), 24 * 31), len(hour_ts)]
    for a, b in itertools.pairwise(edges):
        ts = hour_ts[a:b]
        keep = np.broadcast_to(ts + 3600 <= now, (len(stations), len(ts)))
        s_idx, t_idx = np.nonzero(keep)
        if len(s_idx):
            batch = _batch(ids[s_idx], ts[t_idx], fields[s_idx, a + t_idx])
            total.add(ingest(batch, infos, now=now, evaluate_alarms=False))
    return total.stored
