"""The demo's village rules and customs: for every community its rules (1–3 versions, each
adopted by a representatives' meeting), a council for weddings and funerals with 5–9 members
(the community's secretary as 会长 where there is one), limits from the current rules (婚事 ≤
20 桌 …), and ~150 registrations over the past six months of which ~8% exceed the limits —
flagged, with their work orders, most of them followed up. Everything goes through
`gridgov.customs.services`; dates are relative to `today`. Deterministic for a given
`random.Random`; idempotent (what exists is kept; registrations only into an empty table)."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from gridgov.customs import ceremonies, council_limits
from gridgov.customs.models import (
    AdoptionMeeting,
    Council,
    CouncilMember,
    Limit,
    Registration,
    RulesVersion,
)
from gridgov.demo.names import NameMaker
from gridgov.people.models import Person, Post
from gridgov.territory.models import Level, Region

REGISTRATIONS = 150
OVER_SHARE = 0.08
HANDLED_SHARE = 0.8
ARTICLES = [
    "第一条 坚持党的领导，拥护党的路线方针政策，遵守国家法律法规。",
    "第二条 婚事新办，提倡不要彩礼或低彩礼，反对借婚姻索取财物。",
    "第三条 丧事简办，提倡文明祭扫，不搭灵棚、不雇乐队、不燃放烟花爆竹。",
    "第四条 红白事须提前向村（居）红白理事会报备，接受理事会指导。",
    "第五条 孝老爱亲，赡养老人，关爱未成年人。",
    "第六条 邻里和睦，互谅互让，矛盾纠纷先行调解。",
    "第七条 爱护环境，垃圾分类投放，不乱堆乱放、不焚烧秸秆。",
    "第八条 移风易俗，不大操大办、不攀比浪费，倡导节俭办事。",
]
AMENDMENTS = [
    "第九条 其他喜事（升学、乔迁、寿宴）从简，不宴请本人直系亲属以外的人员。",
    "第十条 对遵守本公约的家庭，年终评选“文明家庭”“好婆婆”“好媳妇”。",
    "第十一条 违反本公约的，由红白理事会劝导，列入村（居）务公开。",
]
ROLES = ["vice", "director", "director", "member", "member", "member", "member", "member"]
OUTCOMES = [
    "经劝导，主家同意压减桌数",
    "经劝导，主家取消流水席",
    "已劝导，主家签订简办承诺书",
    "经劝导，改为集中办理、缩短天数",
    "劝导后主家表示下次按标准办理",
]
# kind → (max tables, max guests, max cost, max days, max per table)
LIMITS = {
    "wedding": (20, 200, Decimal("60000"), 2, Decimal("1200")),
    "funeral": (15, 150, Decimal("30000"), 3, Decimal("800")),
    "other": (10, 100, Decimal("15000"), 1, Decimal("800")),
}
KIND_WEIGHTS = {"wedding": 0.45, "funeral": 0.4, "other": 0.15}


def _moment(day: dt.date, hour: int = 9) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def _rules_text(rng: random.Random, version: int) -> str:
    lines = list(ARTICLES)
    if version >= 2:
        lines[1] = "第二条 婚事新办，彩礼不超过三万元，婚宴不超过二十桌。"
        lines.append(AMENDMENTS[0])
    if version >= 3:
        lines[2] = "第三条 丧事简办，治丧一般不超过三天，倡导火化后集中举办告别仪式。"
        lines.extend(AMENDMENTS[1:])
    return "\n".join(lines)


def _rules(
    rng: random.Random, today: dt.date, user: User, village: Region
) -> list[tuple[AdoptionMeeting, RulesVersion]]:
    """1–3 versions, a year or more apart, each adopted by a representatives' meeting; the
    last one at least ~11 months before `today`, so its limits cover the registrations."""
    count = rng.choice([1, 2, 2, 3])
    first = today - dt.timedelta(days=365 * count + rng.randint(30, 200))
    out = []
    for number in range(1, count + 1):
        adopted = first + dt.timedelta(days=365 * (number - 1) + rng.randint(0, 60))
        entitled = rng.randint(30, 60)
        present = rng.randint(entitled * 4 // 5, entitled)
        meeting = AdoptionMeeting(
            community=village, date=adopted - dt.timedelta(days=rng.randint(0, 3)),
            kind=rng.choice(["villager_reps", "resident_reps"]), attendance=present,
            entitled=entitled, votes_for=present - rng.randint(0, 3),
        )  # fmt: skip
        title = f"{village.name}村规民约"
        if number > 1:
            title += f"（第{number - 1}次修订）"
        rules = RulesVersion(
            community=village, number=number, title=title[:100], adopted=adopted,
            text=_rules_text(rng, number), created_by=user, created_at=_moment(adopted),
        )  # fmt: skip
        out.append((meeting, rules))
    return out


def _members(
    rng: random.Random, council: Council, current: list[CouncilMember], names: NameMaker,
    secretary: Person | None,
) -> list[CouncilMember]:  # fmt: skip
    """The members a council lacks to reach 5–9: a 会长 (the community's secretary where there
    is one) and 副会长, 理事, 成员."""
    wanted = rng.randint(5, 9) - len(current)
    if wanted <= 0:
        return []
    start = council.established
    members = []
    if not any(m.role == "president" for m in current):
        members.append(CouncilMember(
            council=council, person=secretary, role="president", start_date=start,
            name=secretary.name if secretary else names.person(),
        ))  # fmt: skip
        wanted -= 1
    members.extend(
        CouncilMember(council=council, name=names.person(), role=role, start_date=start)
        for role in ROLES[:wanted]
    )
    return members


def _limits(rng: random.Random, village: Region, rules: RulesVersion) -> list[Limit]:
    """The first limits of a village (none before them), from its rules in force."""
    now = _moment(rules.adopted)
    return [
        Limit(
            community=village, kind=kind, source="rules", rules=rules,
            effective_from=rules.adopted, created_at=now,
            max_tables=tables - rng.choice([0, 0, 2]), max_guests=guests, max_cost=cost,
            max_days=days, max_table_cost=per_table,
        )
        for kind, (tables, guests, cost, days, per_table) in LIMITS.items()
    ]  # fmt: skip


def _setup(rng: random.Random, today: dt.date, user: User, villages: list[Region]) -> None:
    """Rules, councils and limits where a village lacks them, written in bulk (the demo's own
    values: numbered from 1, limits with nothing before them)."""
    names = NameMaker(rng.randint(0, 10**6))
    ids = [v.pk for v in villages]
    with_rules = set(
        RulesVersion.objects.filter(community_id__in=ids).values_list("community_id", flat=True)
    )
    pairs = [p for v in villages if v.pk not in with_rules for p in _rules(rng, today, user, v)]
    AdoptionMeeting.objects.bulk_create([m for m, _r in pairs], batch_size=500)
    for m, r in pairs:
        r.meeting = m
    RulesVersion.objects.bulk_create([r for _m, r in pairs], batch_size=500)
    councils = {c.community_id: c for c in Council.objects.filter(community_id__in=ids)}
    new = [
        Council(community=v, name=f"{v.name}红白理事会", established=today - dt.timedelta(days=900))
        for v in villages
        if v.pk not in councils
    ]
    Council.objects.bulk_create(new, batch_size=500)
    councils.update({c.community_id: c for c in new})
    current: dict[int, list[CouncilMember]] = {}
    for cm in CouncilMember.objects.current(today).filter(council__in=list(councils.values())):
        current.setdefault(cm.council_id, []).append(cm)
    secretaries: dict[int, Person] = {}
    for post in (
        Post.objects.current()
        .filter(region_id__in=ids, post_type__code="secretary")
        .select_related("person")
        .order_by("-pk")
    ):
        secretaries[post.region_id] = post.person
    CouncilMember.objects.bulk_create(
        [
            m
            for v in villages
            for m in _members(rng, councils[v.pk], current.get(councils[v.pk].pk, []), names,
                              secretaries.get(v.pk))
        ],
        batch_size=500,
    )  # fmt: skip
    with_limits = set(
        Limit.objects.filter(community_id__in=ids).values_list("community_id", flat=True)
    )
    latest: dict[int, RulesVersion] = {}
    for r in RulesVersion.objects.filter(community_id__in=ids, adopted__lte=today).order_by(
        "number"
    ):
        latest[r.community_id] = r
    Limit.objects.bulk_create(
        [x for v in villages if v.pk not in with_limits and v.pk in latest
         for x in _limits(rng, v, latest[v.pk])],
        batch_size=500,
    )  # fmt: skip


def _scale(rng: random.Random, limit: Limit | None, over: bool) -> tuple[int, int, Decimal, int]:
    cap_tables = (limit.max_tables if limit else None) or 15
    per_table = (limit.max_table_cost if limit else None) or Decimal(800)
    cap_days = (limit.max_days if limit else None) or 2
    tables = rng.randint(max(3, cap_tables - 10), cap_tables)
    cost = (Decimal(rng.randint(50, 100)) / 100 * per_table * tables).quantize(Decimal(100))
    days = rng.randint(1, cap_days)
    if over:
        how = rng.choice(["tables", "tables", "cost", "days"])
        if how == "tables":
            tables = cap_tables + rng.randint(2, 10)
        elif how == "cost":
            cost = (per_table * tables * Decimal("1.3")).quantize(Decimal(100))
        else:
            days = cap_days + 1
    guests = tables * 10 - rng.randint(0, 8)
    if limit and limit.max_guests and not over:
        guests = min(guests, limit.max_guests)
    if limit and limit.max_cost and not over:
        cost = min(cost, limit.max_cost)
    return tables, guests, cost, days


def _registrations(rng: random.Random, today: dt.date, user: User, grids: list[Region]) -> int:
    names = NameMaker(rng.randint(0, 10**6))
    made = 0
    kinds, weights = list(KIND_WEIGHTS), list(KIND_WEIGHTS.values())
    limits: dict[tuple[int, str], Limit | None] = {}
    for i in range(REGISTRATIONS):
        grid = rng.choice(grids)
        if i < 3:  # a few in the demo worker's own grid: the first by code (generator.py)
            grid = grids[0]
        kind = rng.choices(kinds, weights)[0]
        day = today - dt.timedelta(days=rng.randint(1, 180))
        key = (grid.parent_id or 0, kind)
        if key not in limits:  # one standard per kind over the demo's six months
            limits[key] = council_limits.limit_on(key[0], kind, day)
        limit = limits[key]
        tables, guests, cost, days = _scale(rng, limit, rng.random() < OVER_SHARE)
        reported = max(day - dt.timedelta(days=rng.randint(1, 10)), today - dt.timedelta(days=200))
        phone = f"13{rng.randint(0, 9)}{rng.randint(0, 99999999):08d}"
        reg = ceremonies.register(
            user,
            ceremonies.RegistrationInput(
                grid_id=grid.pk, kind=kind, date=day, family_head=names.person(),
                family_phone=phone, tables=tables, guests=guests, cost=cost, days=days,
            ),
            now=_moment(reported, rng.randint(8, 17)),
        )  # fmt: skip
        made += 1
        if reg.flagged and rng.random() < HANDLED_SHARE:
            advised = min(reported + dt.timedelta(days=rng.randint(1, 3)), today)
            ceremonies.record_follow_up(user, reg.pk, advised, rng.choice(OUTCOMES), names.person())
    return made


def seed_customs(rng: random.Random, today: dt.date, command_user: User) -> int:
    """Rules, councils and limits for every community; the registrations. Answers how many
    registrations were made (0 when the demo already had them)."""
    villages = list(
        Region.objects.active().filter(level=Level.COMMUNITY).defer("geometry").order_by("code")
    )
    with transaction.atomic():
        _setup(rng, today, command_user, villages)
    if Registration.objects.exists():
        return 0
    grids = list(
        Region.objects.active()
        .filter(level=Level.GRID, parent__level=Level.COMMUNITY)
        .defer("geometry")
        .order_by("code")
    )
    if not grids:
        return 0
    with transaction.atomic():
        return _registrations(rng, today, command_user, grids)
