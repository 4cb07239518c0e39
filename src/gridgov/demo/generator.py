"""Build the demo district on the seed's figures (MISSION.md §B.9–10).

819 grids (rural, urban-community and dedicated) in 4 streets and 3 towns; 612 grid leaders,
812 full-time and 1,637 part-time grid workers; officials and one demo login per role.
Deterministic for a given seed. Everything goes through the territory's own write path.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

from gridgov.demo import geometry as demo_geo
from gridgov.demo.names import COMMUNITY_STEMS, DEDICATED, VILLAGE_STEMS, NameMaker
from gridgov.people import identity
from gridgov.people.models import Person, Post, PostType
from gridgov.people.roles import sync_groups
from gridgov.territory.geometry import to_geojson
from gridgov.territory.models import GridKind, Level
from gridgov.territory.services import RegionSpec, apply_plan

GRIDS = 819
GRID_LEADERS = 612
FULL_TIME_WORKERS = 812
PART_TIME_WORKERS = 1637
DEDICATED_GRIDS = 36
MEDIATORS = 175
PARTY_INSTRUCTORS = 51
VOLUNTEERS = 300
DEMO_PASSWORD = "gridgov-demo"  # noqa: S105  (printed and documented: demo only)


@functools.cache
def demo_password_hash() -> str:
    """DEMO_PASSWORD hashed once: hashing is slow on purpose (~0.5 s), and every demo login
    has the same password."""
    return make_password(DEMO_PASSWORD)


DISTRICT_CODE = "410871"

# name, is_town, communities, seed offset from the centre (lon, lat): streets west, towns east.
UNITS = [
    ("文苑街道", False, 10, (-0.055, 0.012)),
    ("李万街道", False, 9, (-0.030, -0.030)),
    ("苏蔺街道", False, 8, (-0.020, 0.035)),
    ("中原路街道", False, 8, (-0.062, -0.025)),
    ("阳庙镇", True, 24, (0.045, 0.030)),
    ("宁郭镇", True, 22, (0.040, -0.032)),
    ("磨头镇", True, 20, (0.075, 0.000)),
]
LINES_BY_KIND = {
    GridKind.URBAN: [
        "party_building",
        "governance",
        "environment",
        "emergency",
        "urban_management",
    ],
    GridKind.RURAL: ["party_building", "governance", "environment", "emergency", "agriculture"],
    GridKind.DEDICATED: ["party_building", "governance", "environment", "emergency", "safety"],
}


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    where: str


@dataclass
class DemoResult:
    regions: int = 0
    grids: int = 0
    people: int = 0
    posts: int = 0
    accounts: list[DemoAccount] = field(default_factory=list)


Progress = Callable[[str, int], None]


def _noop(step: str, advance: int) -> None:
    return None


def allocate(total: int, weights: list[float], minimum: int = 1) -> list[int]:
    """Split `total` into integers proportional to weights (largest remainder), each ≥ minimum."""
    base = total - minimum * len(weights)
    share = [base * w / sum(weights) for w in weights]
    counts = [minimum + math.floor(s) for s in share]
    order = sorted(range(len(weights)), key=lambda i: share[i] - math.floor(share[i]), reverse=True)
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


@dataclass
class _Community:
    code: str
    name: str
    is_village: bool
    geom: object
    grid_codes: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)


def build_territory(
    seed: int, progress: Progress = _noop, parent_code: str | None = None
) -> tuple[list[RegionSpec], list[_Community]]:
    """The district's regions; `parent_code`: the city it lies in (`gridgov demo --city`)."""
    rng = np.random.default_rng(seed)
    names = np.random.default_rng(seed + 1)
    outline = demo_geo.district_outline(rng)
    specs = [RegionSpec(DISTRICT_CODE, "高新区", Level.DISTRICT, parent_code, to_geojson(outline))]
    unit_cells = demo_geo.split_weighted(rng, outline, [u[3] for u in UNITS])
    progress("streets", 1)
    communities: list[_Community] = []
    community_stems = list(names.permutation(COMMUNITY_STEMS))
    village_stems = list(names.permutation(VILLAGE_STEMS))
    for u, ((unit_name, is_town, n_comm, _), cell) in enumerate(
        zip(UNITS, unit_cells, strict=True)
    ):
        unit_code = f"{DISTRICT_CODE}{u + 1:03d}"
        specs.append(
            RegionSpec(unit_code, unit_name, Level.STREET, DISTRICT_CODE, to_geojson(cell))
        )
        for c, comm_geom in enumerate(demo_geo.split(rng, cell, n_comm)):
            stem = village_stems.pop() if is_town else community_stems.pop()
            name = f"{stem}村" if is_town else f"{stem}社区"
            code = f"{unit_code}{c + 1:03d}"
            communities.append(_Community(code, name, is_town, comm_geom))
            specs.append(RegionSpec(code, name, Level.COMMUNITY, unit_code, to_geojson(comm_geom)))
    progress("communities", 1)

    weights = [float(w) for w in rng.uniform(0.7, 1.3, len(communities))]
    # Urban communities are denser: about 1.6× the grids of a village.
    weights = [
        w * (1.0 if c.is_village else 1.6) for w, c in zip(weights, communities, strict=True)
    ]
    counts = allocate(GRIDS, weights, minimum=2)
    dedicated_at = set(rng.choice(len(communities), DEDICATED_GRIDS, replace=False).tolist())
    dedicated_names = list(names.permutation(DEDICATED))
    for i, (community, n) in enumerate(zip(communities, counts, strict=True)):
        cells = demo_geo.split(rng, community.geom, n)
        ordinary = 0
        for g, cell in enumerate(cells):
            code = f"{community.code}{g + 1:03d}"
            if i in dedicated_at and g == len(cells) - 1:
                kind = GridKind.DEDICATED
                place = dedicated_names.pop() if dedicated_names else f"{community.name}园区"
                name = f"{place}专属网格"
            else:
                kind = GridKind.RURAL if community.is_village else GridKind.URBAN
                ordinary += 1
                name = f"{community.name}第{ordinary}网格"
            community.grid_codes.append(code)
            community.kinds.append(kind)
            specs.append(
                RegionSpec(
                    code,
                    name,
                    Level.GRID,
                    community.code,
                    to_geojson(cell),
                    kind,
                    LINES_BY_KIND[kind],
                )
            )
        progress("grids", n)
    return specs, communities


class _People:
    """Creates persons with unique phones and valid ID numbers, deterministically."""

    def __init__(self, seed: int) -> None:
        self.names = NameMaker(seed)
        self.rng = np.random.default_rng(seed + 2)
        self.phones: set[str] = set()
        self.persons: list[Person] = []

    def new(self) -> Person:
        while True:
            phone = (
                "1"
                + str(self.rng.choice([3, 5, 7, 8, 9]))
                + "".join(str(d) for d in self.rng.integers(0, 10, 9))
            )
            if phone not in self.phones:
                self.phones.add(phone)
                break
        born = dt.date(1965, 1, 1) + dt.timedelta(days=int(self.rng.integers(0, 365 * 36)))
        first17 = f"{DISTRICT_CODE}{born:%Y%m%d}{int(self.rng.integers(0, 1000)):03d}"
        person = Person(
            name=self.names.person(),
            phone=phone,
            id_number=first17 + identity.id_check_digit(first17),
        )
        self.persons.append(person)
        return person

    def start_date(self) -> dt.date:
        return dt.date(2021, 1, 1) + dt.timedelta(days=int(self.rng.integers(0, 365 * 4)))


@transaction.atomic
def build_demo(
    seed: int = 2026, progress: Progress = _noop, city_code: str | None = None
) -> DemoResult:
    """Write the whole demo district in one transaction. With `city_code` (the city's region,
    already stored: demo/city.py), the district lies in that city: the command office
    (`command`) is the city's 城运中心 and the district's own office holds the district's
    指挥中心 post (the `district` login)."""
    specs, communities = build_territory(seed, progress, parent_code=city_code)
    apply_plan(specs, reason="demo district")
    progress("saved", 1)
    from gridgov.territory.models import Region

    regions = {r.code: r for r in Region.objects.all()}
    types = {t.code: t for t in PostType.objects.all()}
    people = _People(seed)
    posts: list[tuple[Person, str, str, dt.date, dt.date | None]] = []

    def hold(person: Person, post: str, code: str, end: dt.date | None = None) -> None:
        posts.append((person, post, code, people.start_date(), end))

    rng = np.random.default_rng(seed + 3)
    grid_codes = [code for c in communities for code in c.grid_codes]

    # Grid leaders: some lead two grids of the same community (612 people for 819 grids).
    extra = len(grid_codes) - GRID_LEADERS
    double = np.zeros(len(communities), dtype=int)
    capacity = [len(c.grid_codes) // 2 for c in communities]
    for i in rng.permutation(np.repeat(np.arange(len(communities)), capacity))[:extra]:
        double[i] += 1
    for c, community in enumerate(communities):
        leaders = [people.new() for _ in range(len(community.grid_codes) - double[c])]
        for g, code in enumerate(community.grid_codes):
            hold(leaders[g % len(leaders)], "grid_leader", code)

    # Full-time workers: every grid but a few dedicated ones staffed by their own unit.
    dedicated = [
        code
        for c in communities
        for code, k in zip(c.grid_codes, c.kinds, strict=True)
        if k == GridKind.DEDICATED
    ]
    without_full_time = set(dedicated[: len(grid_codes) - FULL_TIME_WORKERS])
    for code in grid_codes:
        if code not in without_full_time:
            hold(people.new(), "grid_worker", code)

    # Part-time workers: at least one per grid, two where the grid has no full-time worker.
    part_counts = {code: 1 for code in grid_codes}
    for code in without_full_time:
        part_counts[code] = 2
    remaining = PART_TIME_WORKERS - sum(part_counts.values())
    for i in rng.choice(len(grid_codes), remaining, replace=False):
        part_counts[grid_codes[int(i)]] += 1
    for code, n in part_counts.items():
        for _ in range(n):
            hold(people.new(), "grid_worker_part", code)
    progress("grid staff", 1)

    # Volunteers, former workers (history), secretaries, mediators, instructors, officials.
    for i in rng.choice(len(grid_codes), VOLUNTEERS, replace=False):
        hold(people.new(), "volunteer", grid_codes[int(i)])
    for i in rng.choice(len(grid_codes), 25, replace=False):
        hold(people.new(), "grid_worker_part", grid_codes[int(i)], end=dt.date(2025, 6, 30))
    for community in communities:
        hold(people.new(), "secretary", community.code)
    mediator_at = rng.choice(len(communities), MEDIATORS, replace=True)
    for i in mediator_at:
        hold(people.new(), "mediator", communities[int(i)].code)
    unit_codes = [f"{DISTRICT_CODE}{u + 1:03d}" for u in range(len(UNITS))]
    for i in range(PARTY_INSTRUCTORS):
        hold(people.new(), "party_instructor", unit_codes[i % len(unit_codes)])
    for code in unit_codes:
        for _ in range(2):
            hold(people.new(), "street_official", code)
    if city_code is None:
        for _ in range(3):
            hold(people.new(), "command_office", DISTRICT_CODE)
    else:
        for _ in range(3):
            hold(people.new(), "city_command_office", city_code)
        for _ in range(3):
            hold(people.new(), "district_command_office", DISTRICT_CODE)
    for _ in range(2):  # 数据审核员 of the district's air data
        hold(people.new(), "data_reviewer", DISTRICT_CODE)
    progress("officials", 1)

    Person.objects.bulk_create(people.persons, batch_size=500)
    saved = {p.phone: p for p in Person.objects.filter(phone__in=people.phones)}
    Post.objects.bulk_create(
        [
            Post(
                person=saved[p.phone],
                post_type=types[post],
                region=regions[code],
                start_date=start,
                end_date=end,
            )
            for p, post, code, start, end in posts
        ],
        batch_size=1000,
    )
    progress("people", 1)
    accounts = _demo_accounts(posts, saved, communities, city_code)
    progress("accounts", 1)
    return DemoResult(
        regions=len(specs),
        grids=len(grid_codes),
        people=len(saved),
        posts=len(posts),
        accounts=accounts,
    )


DEMO_ROLES = {
    "command": "指挥中心",
    "district": "区指挥中心",
    "street": "街道/镇干部",
    "community": "社区书记",
    "leader": "网格长",
    "worker": "专职网格员",
    "reviewer": "数据审核员",
    "enforcer": "执法队员",
    "admin": "系统管理员 (superuser)",
}


def existing_demo_accounts() -> list[DemoAccount]:
    """The demo logins still present in the database, with where each one's scope starts."""
    from gridgov.people.models import Post

    out = []
    for user in get_user_model().objects.filter(username__in=DEMO_ROLES).order_by("pk"):
        post = Post.objects.current().filter(person__user=user).select_related("region").first()
        where = "全部" if user.is_superuser else (post.region.name if post else "-")
        out.append(DemoAccount(user.username, DEMO_ROLES[user.username], where))
    return out


def _demo_accounts(
    posts: list[Any], saved: dict[str, Person], communities: list[Any], city_code: str | None
) -> list[DemoAccount]:
    """One login per role, all inside 文苑街道 so their scopes nest visibly (in a city, the
    command office is the city's and `district` is the district's office)."""
    wenyuan = communities[0]  # the first community of the first street, 文苑街道
    first_grid = wenyuan.grid_codes[0]

    def holder(post: str, code: str) -> Person:
        return next(
            saved[p.phone]
            for p, kind, c, _, end in posts
            if kind == post and c == code and end is None
        )

    if city_code is None:
        commands = [("command", "指挥中心", holder("command_office", DISTRICT_CODE), "高新区")]
    else:
        commands = [
            ("command", "指挥中心", holder("city_command_office", city_code), "全市"),
            ("district", "区指挥中心", holder("district_command_office", DISTRICT_CODE), "高新区"),
        ]
    chosen = [
        *commands,
        ("street", "街道/镇干部", holder("street_official", f"{DISTRICT_CODE}001"), "文苑街道"),
        ("community", "社区书记", holder("secretary", wenyuan.code), wenyuan.name),
        ("leader", "网格长", holder("grid_leader", first_grid), f"{wenyuan.name}第1网格"),
        ("worker", "专职网格员", holder("grid_worker", first_grid), f"{wenyuan.name}第1网格"),
        ("reviewer", "数据审核员", holder("data_reviewer", DISTRICT_CODE), "高新区"),
    ]
    User = get_user_model()
    out = []
    for username, role, person, where in chosen:
        user = User.objects.create_user(
            username,
            first_name=person.name,
            password=None,
            is_staff=username in {"command", "district", "street", "community"},
        )
        user.password = demo_password_hash()
        user.save(update_fields=["password"])
        person.user = user
        person.save(update_fields=["user"])
        sync_groups(user)
        out.append(DemoAccount(username, role, where))
    admin = User.objects.create_superuser("admin", password=None)
    admin.password = demo_password_hash()
    admin.save(update_fields=["password"])
    out.append(DemoAccount("admin", "系统管理员 (superuser)", "全部"))
    return out
