"""The demo's task forces and supplies: the campaign office (攻坚办) and five task forces with
members from the demo's officials, a dozen staff seconded from the quieter streets to the
streets with the most work orders, a week of duty roster around `today`; supply kinds (from
the migration), a district store and two street stores, stock, allocations and requests in
every state. Everything goes through `gridgov.forces.services`, so the ledger adds up.
Deterministic for a given `random.Random`; quiet; idempotent (skipped when already there)."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from gridgov.demo.generator import DISTRICT_CODE
from gridgov.forces import depot_stock, force_members, services, supply_requests
from gridgov.forces.force_members import MemberInput
from gridgov.forces.models import Depot, DutyShift, SupplyKind, TaskForce
from gridgov.people.models import Post
from gridgov.territory.models import Level, Region
from gridgov.workorders.models import Event

OFFICE = "大气污染防治攻坚办"
FORCES = [  # name, kind, front, duties
    (OFFICE, "campaign_office", "general",
     "统筹全区秋冬季大气污染防治攻坚；每日调度、通报排名；督办重点问题；协调专班和物资。"),
    ("扬尘治理专班", "task_force", "dust",
     "工地“六个百分之百”、道路保洁、裸土苫盖；夜间巡查；雾炮车、洒水车调度。"),
    ("散煤与秸秆禁烧专班", "task_force", "burning",
     "散煤复烧排查；秸秆、落叶、寒衣节祭扫焚烧巡控；无人机巡飞。"),
    ("机动车尾气治理专班", "task_force", "vehicles",
     "重型柴油车、渣土车路检路查；高排放车辆限行。"),
    ("工业源监管专班", "task_force", "industry",
     "重点企业全链条监管；应急减排清单落实；在线监测异常核查。"),
]  # fmt: skip
STOCK = {  # kind code → (district store, each street store)
    "fog_cannon": (12, 3), "sprinkler": (6, 2), "sweeper": (8, 2), "dust_net": (60000, 8000),
    "suppressant": (30, 4), "drone": (6, 1), "extinguisher": (300, 60), "emission_tester": (4, 0),
}  # fmt: skip
SHIFTS = ("day", "night")


@dataclass
class ForcesResult:
    forces: int = 0
    members: int = 0
    seconded: int = 0
    duties: int = 0
    requests: int = 0
    allocations: int = 0


def _busiest_streets(streets: list[Region]) -> list[Region]:
    counts = {s.pk: Event.objects.filter(region_path__startswith=s.path).count() for s in streets}
    return sorted(streets, key=lambda s: (-counts[s.pk], s.code))


def _holders(post: str, regions: list[Region], on: dt.date) -> list[Any]:
    """(person, region) of the current holders of `post` in `regions`, in a stable order."""
    posts = (
        Post.objects.current(on)
        .filter(post_type__code=post, region__in=regions)
        .select_related("person", "region")
        .order_by("region__code", "person__phone")
    )
    return [(p.person, p.region) for p in posts]


def seed_forces(rng: random.Random, today: dt.date, command_user: User) -> ForcesResult:
    result = ForcesResult()
    if TaskForce.objects.filter(name=OFFICE).exists():
        return result
    district = Region.objects.get(code=DISTRICT_CODE)
    streets = list(Region.objects.active().filter(level=Level.STREET).order_by("code"))
    busy = _busiest_streets(streets)
    top = busy[:3]
    # the demo's street login works in 文苑街道: make sure it has staff, a store and requests
    login = Post.objects.current(today).filter(person__user__username="street").first()
    if login is not None and login.region not in top:
        top[-1] = login.region
    start = today - dt.timedelta(days=rng.randint(40, 60))
    with transaction.atomic():
        forces = _forces(rng, district, top, start, command_user, result)
        _roster(rng, forces, today, command_user, result)
        _supplies(rng, district, top, today, command_user, result)
    result.forces = len(forces)
    return result


def _forces(
    rng: random.Random,
    district: Region,
    top: list[Region],
    start: dt.date,
    user: User,
    result: ForcesResult,
) -> list[TaskForce]:
    commanders = _holders("command_office", [district], start) or _holders(
        "district_command_office", [district], start
    )
    streets = list(Region.objects.active().filter(level=Level.STREET).order_by("code"))
    officials = _holders("street_official", streets, start)
    secretaries = _holders("secretary", list(Region.objects.filter(level=Level.COMMUNITY)), start)
    forces: list[TaskForce] = []
    for i, (name, kind, front, duties) in enumerate(FORCES):
        leader = commanders[i % len(commanders)][0] if commanders else None
        forces.append(
            TaskForce.objects.create(
                name=name,
                kind=kind,
                owner=district,
                front=front,
                duties=duties,
                leader=leader,
                established=start,
            )
        )
    forces.append(
        TaskForce.objects.create(
            name=f"{top[0].name}扬尘管控工作组",
            kind="working_group",
            owner=top[0],
            front="dust",
            duties="辖区工地、道路扬尘日常巡查与整改跟踪。",
            established=start,
        )
    )

    def join(force: TaskForce, person: Any, home: Region, role: str = "member", **kw: Any) -> None:
        force_members.add_member(
            user, force.pk, MemberInput(person.pk, home.pk, start, role=role, **kw)
        )
        result.members += 1

    for i, force in enumerate(forces[:-1]):
        if commanders:
            person, home = commanders[i % len(commanders)]
            join(force, person, home, "leader")
        for person, home in rng.sample(officials, min(3, len(officials))):
            join(force, person, home, rng.choice(("deputy", "member", "liaison")))
    top_officials = [(p, r) for p, r in officials if r == top[0]]
    for j, (person, home) in enumerate(top_officials):
        join(forces[-1], person, home, "leader" if j == 0 else "member")
    # a dozen seconded from the quieter streets' communities to the busiest streets (the dust
    # and burning forces first); one secondment already over, as history
    top_paths = tuple(s.path for s in top)
    pool = [(p, r) for p, r in secretaries if not r.path.startswith(top_paths)]
    chosen = rng.sample(pool, min(12, len(pool)))
    for k, (person, home) in enumerate(chosen):
        force = forces[1 + (k % 4)] if k % 3 else forces[0]
        posted = top[k % len(top)]
        end = start + dt.timedelta(days=20) if k == len(chosen) - 1 else None
        if any(m.person_id == person.pk for m in force.members.all()):
            continue
        join(force, person, home, seconded=True, posted_to_id=posted.pk, end_date=end)
        result.seconded += 1
    return forces


def _roster(
    rng: random.Random, forces: list[TaskForce], today: dt.date, user: User, result: ForcesResult
) -> None:
    """A week around today, two shifts a day, rotating through each force's current members
    (written in bulk: every person on it is a member that day, as `set_duty` requires)."""
    rows = []
    for force in forces:
        for offset in range(-3, 4):
            day = today + dt.timedelta(days=offset)
            staff = [m.person_id for m in force_members.members(force, day)]
            for n, shift in enumerate(SHIFTS if staff else ()):
                person = staff[(offset * 2 + n + len(staff) * 7) % len(staff)]
                rows.append(DutyShift(force=force, date=day, shift=shift, person_id=person,
                                      leader=n == 0))  # fmt: skip
    DutyShift.objects.bulk_create(rows)
    result.duties = len(rows)


def _supplies(
    rng: random.Random, district: Region, top: list[Region], today: dt.date, user: User,
    result: ForcesResult,
) -> None:  # fmt: skip
    tz = timezone.get_current_timezone()

    def at(days_ago: int, hour: int = 9) -> dt.datetime:
        return dt.datetime.combine(today - dt.timedelta(days=days_ago), dt.time(hour), tzinfo=tz)

    kinds = {k.code: k for k in SupplyKind.objects.filter(code__in=STOCK)}
    point = district_point(district)
    store = Depot.objects.create(
        name="区大气攻坚应急物资储备库", owner=district, place="区城管局车辆停放场",
        lat=point[0], lon=point[1],
    )  # fmt: skip
    street_stores = [
        Depot.objects.create(name=f"{s.name}物资点", owner=s, place=f"{s.name}办事处院内")
        for s in (top[0], top[-1])
    ]
    for code, (main, each) in STOCK.items():
        depot_stock.receive(user, store.pk, kinds[code].pk, main, "年度采购入库", now=at(45))
        for depot in street_stores:
            if each:
                depot_stock.receive(user, depot.pk, kinds[code].pk, each, "街道自购", now=at(44))
    # decisions of the command office: fog cannons and nets to the busiest streets
    for i, street in enumerate(top):
        for code, qty in (("fog_cannon", 2), ("dust_net", 5000 + 1000 * i), ("suppressant", 2)):
            depot_stock.allocate(
                user, store.pk, kinds[code].pk, street.pk, qty, "秋冬季攻坚调度会决定",
                date=today - dt.timedelta(days=30 - i), given_by="库管员",
                received_by=f"{street.name}城管科", now=at(30 - i, 10),
            )  # fmt: skip
            result.allocations += 1
    # requests from streets and communities, in every state
    User = get_user_model()
    street_user = User.objects.filter(username="street").first() or user
    asks: list[tuple[Region, str, float, str, str, int]] = [
        (top[0], "sprinkler", 1, "夜间道路洒水降尘", "handed_over", 12),
        (top[1], "sweeper", 1, "主干道机扫保洁", "handed_over", 10),
        (top[2], "drone", 1, "秸秆禁烧巡飞", "handed_over", 8),
        (top[0], "fog_cannon", 2, "拆迁工地降尘", "approved", 3),
        (top[1], "dust_net", 3000, "裸土苫盖", "approved", 2),
        (top[2], "emission_tester", 2, "渣土车路检", "rejected", 5),
        (top[0], "suppressant", 1.5, "道路抑尘", "requested", 1),
        (top[1], "extinguisher", 40, "寒衣节祭扫点值守", "requested", 1),
        (top[2], "fog_cannon", 1, "工地土方作业", "requested", 0),
    ]
    # The street account files them (for its own street where the listed one is not its): the
    # command office decides, and nobody decides on a request they filed themselves.
    own = services.request_units(street_user).filter(level=Level.STREET).first()
    for street, code, amount, reason, state, days_ago in asks:
        mine = services.request_units(street_user).filter(pk=street.pk).exists()
        requester, unit = street_user, street if mine else own
        if unit is None or street_user == user:  # no street account: filed, left undecided
            requester, unit, state = user, street, "requested"
        req = supply_requests.request_supplies(requester, kinds[code].pk, unit.pk, amount, reason,
                                        now=at(days_ago, 8))  # fmt: skip
        result.requests += 1
        if state == "rejected":
            supply_requests.reject(user, req.pk, "库存不足，请向市级申请调配", now=at(days_ago, 15))
        elif state in ("approved", "handed_over"):
            supply_requests.approve(user, req.pk, store.pk, note="同意", now=at(days_ago, 11))
        if state == "handed_over":
            supply_requests.hand_over(user, req.pk, received_by=f"{unit.name}城管科",
                               given_by="库管员", now=at(days_ago, 16))  # fmt: skip
            result.allocations += 1


def district_point(district: Region) -> tuple[float, float]:
    """A point inside the district (lat, lon), for the district store's marker."""
    from shapely.geometry import shape

    c = shape(district.geometry).representative_point()
    return (round(c.y, 5), round(c.x, 5))
