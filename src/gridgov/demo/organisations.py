"""The demo's 新兴领域党建: 124 new economic and 4 new social organisations spread over the
district's grids, with two years of history (most registered two years ago, the rest opened
since; party organisations set up along the way, one dissolved; two moved, two closed), the
demo's 51 party-building instructors (their `party_instructor` posts) covering all 128 — a few
rotated — with visits every two to four months (a dozen lapsed, so the uncovered list is not
empty), three joint meetings per street, and 60 new-employment volunteers (couriers, riders,
drivers) of whom a quarter report from their phones.

Organisations, party organisations, moves, closures, assignments, meetings and volunteers go
through `gridgov.organisations.services`; the visits (no history of their own) are bulk rows.
Dates are relative to `today`. Deterministic for a given `random.Random`; skipped when the
organisations are already there."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction

from gridgov.organisations import instructing, joint_meetings, lifecycle, services, volunteering
from gridgov.organisations.models import Organisation, Visit
from gridgov.people.models import Person, Post
from gridgov.territory.models import Level, Region

ECONOMIC = 124
STEMS = (
    "华创", "鑫源", "恒信", "博远", "中瑞", "嘉禾", "新锐", "天成", "瑞祥", "金桥", "宏达", "立信",
    "同创", "云帆", "卓越", "汇丰", "德润", "安泰", "启航", "锦程", "凯达", "明阳", "润通", "众合",
)  # fmt: skip
INDUSTRIES = (  # industry, name suffix, staff range
    ("软件和信息技术服务", "科技有限公司", (8, 120)),
    ("电子商务", "电子商务有限公司", (5, 60)),
    ("快递物流", "快递服务有限公司", (15, 200)),
    ("餐饮服务", "餐饮管理有限公司", (6, 80)),
    ("商贸零售", "商贸有限公司", (3, 40)),
    ("文化创意", "文化传媒有限公司", (4, 50)),
    ("物业服务", "物业服务有限公司", (20, 300)),
    ("教育培训", "教育咨询有限公司", (5, 70)),
    ("健康养老", "健康管理有限公司", (10, 150)),
    ("建筑装饰", "建筑装饰工程有限公司", (10, 180)),
    ("网约车服务", "汽车服务有限公司", (5, 90)),
)
SOCIAL = (  # name, form, credit prefix
    ("区快递物流行业协会", "association", "51"),
    ("区个体劳动者协会", "association", "51"),
    ("区慈善助学基金会", "foundation", "53"),
    ("阳光社会工作服务中心", "service", "52"),
)
TOPICS = (
    "两新组织党建工作季度联席会",
    "新就业群体关心关爱工作推进会",
    "“红色驿站”共建共享联席会",
    "党建指导员工作交流会",
)
GROUPS = ("courier", "rider", "driver")
VOLUNTEERS = 60
REPORTERS = 15
REPORT_CATEGORIES = ("road_dust", "sanitation", "street_vending", "damaged_facility",
                     "restaurant_fumes", "fire_hazard")  # fmt: skip


def _credit(rng: random.Random, prefix: str, taken: set[str]) -> str:
    while True:
        body = prefix + "410802" + "".join(rng.choice(services.CREDIT_CHARS[:10]) for _ in range(2))
        first = body + "".join(rng.choice(services.CREDIT_CHARS) for _ in range(17 - len(body)))
        code = first + services.credit_check_char(first)
        if code not in taken:
            taken.add(code)
            return code


def _street_of(grid: Region, streets: dict[str, Region]) -> Region | None:
    for path, street in streets.items():
        if grid.path.startswith(path):
            return street
    return None


def _days(rng: random.Random, low: int, high: int) -> dt.timedelta:
    return dt.timedelta(days=rng.randint(low, high))


def seed_organisations(rng: random.Random, today: dt.date, command_user: User) -> int:
    """Write the demo's organisations and everything around them; the number made."""
    if Organisation.objects.exists():
        return 0
    streets = {
        s.path: s for s in Region.objects.active().defer("geometry").filter(level=Level.STREET)
    }
    grids = list(
        Region.objects.active().defer("geometry").filter(level=Level.GRID).order_by("code")
    )
    if not grids or not streets:
        return 0
    posts = list(
        instructing.instructor_posts(today)
        .select_related("person", "region")
        .defer("region__geometry")
        .order_by("pk")
    )
    by_street: dict[int, list[Post]] = defaultdict(list)
    for p in posts:
        for path, street in streets.items():
            if path.startswith(p.region.path) or p.region.path.startswith(path):
                by_street[street.pk].append(p)
    with transaction.atomic():
        # Each organisation goes to a grid of an instructor's area, the instructors in turn,
        # so every instructor has two or three organisations.
        homes = [posts[i % len(posts)] for i in range(ECONOMIC + len(SOCIAL))] if posts else []
        orgs = _organisations(rng, today, command_user, grids, homes)
        _coverage(rng, today, command_user, orgs, streets, by_street, homes)
        orgs = list(Organisation.objects.order_by("pk"))  # moved and closed since
        _meetings(rng, today, command_user, orgs, streets, by_street)
        _volunteers(rng, today, command_user, grids, orgs)
    return len(orgs)


def _organisations(
    rng: random.Random,
    today: dt.date,
    user: User,
    grids: list[Region],
    homes: list[Post],
) -> list[Organisation]:
    under: dict[str, list[Region]] = {}

    def grid_for(i: int) -> Region:
        if not homes:
            return rng.choice(grids)
        path = homes[i].region.path
        if path not in under:
            under[path] = [g for g in grids if g.path.startswith(path)] or grids
        return rng.choice(under[path])

    taken: set[str] = set()
    names: set[str] = set()
    start = today - dt.timedelta(days=730)
    made: list[Organisation] = []
    specs: list[lifecycle.OrgInput] = []
    for i in range(ECONOMIC):
        industry, suffix, (low, high) = INDUSTRIES[i % len(INDUSTRIES)]
        stem = rng.choice(STEMS)
        name = f"{stem}{suffix}"
        n = 2
        while name in names:
            name, n = f"{stem}{'一二三四五六七八九'[n % 9]}{suffix}", n + 1
        names.add(name)
        staff = rng.randint(low, high)
        # Most entered the database when it was built, two years ago; the rest opened since.
        opened = start + (_days(rng, 0, 20) if i % 5 else _days(rng, 60, 700))
        grid = grid_for(i)
        specs.append(
            lifecycle.OrgInput(
                name=name, kind="economic", credit_code=_credit(rng, "91", taken),
                opened=min(opened, today - dt.timedelta(days=3)), grid_id=grid.pk,
                industry=industry, staff=staff,
                party_members=rng.randint(0, max(1, staff // 12)),
                address=f"{grid.name}{rng.randint(1, 199)}号",
                lat=grid.centroid_lat, lon=grid.centroid_lon,
                contact=rng.choice(("王", "李", "张", "刘", "陈")) + "经理",
                contact_phone=f"1{rng.choice('3589')}{rng.randint(0, 999999999):09d}",
            )
        )  # fmt: skip
    for k, (name, form, prefix) in enumerate(SOCIAL):
        grid = grid_for(ECONOMIC + k)
        specs.append(
            lifecycle.OrgInput(
                name=name, kind="social", social_form=form, credit_code=_credit(rng, prefix, taken),
                opened=start + _days(rng, 0, 30), grid_id=grid.pk, industry="社会组织",
                staff=rng.randint(3, 20), address=f"{grid.name}{rng.randint(1, 99)}号",
            )
        )  # fmt: skip
    for spec in specs:
        made.append(lifecycle.create_organisation(user, spec))
    return made


def _coverage(
    rng: random.Random,
    today: dt.date,
    user: User,
    orgs: list[Organisation],
    streets: dict[str, Region],
    by_street: dict[int, list[Post]],
    homes: list[Post],
) -> None:
    """Party organisations, instructors and their visits, moves and closures."""
    visits: list[Visit] = []
    lapsed = set(rng.sample(range(len(orgs)), 12))
    closing = rng.sample([i for i in range(len(orgs)) if i not in lapsed], 4)
    closed, moved = set(closing[:2]), set(closing[2:])
    for i, org in enumerate(orgs):
        # 组织覆盖: about half, a good share of them set up during the two years.
        roll = rng.random()
        if roll < 0.55:
            form = "single" if roll < 0.38 else "joint"
            day = org.opened + (_days(rng, 0, 10) if rng.random() < 0.6 else _days(rng, 30, 400))
            day = min(day, today - dt.timedelta(days=5))
            lifecycle.set_party_org(user, org.pk, form, day, "组建党组织")
            lost = day + _days(rng, 60, 120)
            if i == 7 and lost < today:  # one organisation's members left: coverage lost
                lifecycle.set_party_org(user, org.pk, "none", lost, "联合党支部调整，该组织退出")
        if not homes:
            continue
        post = homes[i]
        street = _street_of(org.grid, streets)
        candidates = by_street.get(street.pk, []) if street else []
        if not org.grid.path.startswith(post.region.path):  # an area without grids
            if not candidates:
                continue
            post = candidates[i % len(candidates)]
        first = max(org.opened, post.start_date) + _days(rng, 3, 40)
        first = min(first, today - dt.timedelta(days=2))
        periods = [(post.person_id, first)]
        instructing.assign_instructor(user, org.pk, post.person_id, first)
        if i % 19 == 5 and len(candidates) > 1:  # 轮岗: another instructor takes over
            other = candidates[(candidates.index(post) + 1) % len(candidates)]
            later = max(first + _days(rng, 90, 300), other.start_date + dt.timedelta(days=1))
            if later < today - dt.timedelta(days=10) and other.person_id != post.person_id:
                instructing.assign_instructor(user, org.pk, other.person_id, later)
                periods.append((other.person_id, later))
        # 走访 every two to four months; lapsed ones stopped seven to twelve months ago.
        stop = today - (_days(rng, 215, 360) if i in lapsed else _days(rng, 0, 20))
        day = first + _days(rng, 5, 30)
        while day <= stop:
            person = [p for p, since in periods if since <= day][-1]
            visits.append(Visit(organisation=org, instructor_id=person, date=day,
                                notes=rng.choice(VISIT_NOTES)))  # fmt: skip
            day += _days(rng, 60, 120)
    Visit.objects.bulk_create(visits, batch_size=500)
    for i in sorted(moved):
        org = orgs[i]
        street = _street_of(org.grid, streets)
        same = [g for g in Region.objects.active().defer("geometry").filter(level=Level.GRID,
                                                          path__startswith=street.path)
                if g.pk != org.grid_id] if street else []  # fmt: skip
        if same:
            day = today - _days(rng, 30, 90)
            lifecycle.move_organisation(user, org.pk, day, rng.choice(same).pk,
                                       note="经营场所搬迁")  # fmt: skip
    for i in sorted(closed):
        org = Organisation.objects.get(pk=orgs[i].pk)
        day = min(today, max(today - _days(rng, 8, 25), lifecycle.last_change(org)))
        lifecycle.close_organisation(user, org.pk, day, "注销登记")


VISIT_NOTES = (
    "了解企业生产经营和党员发展情况，宣讲党的政策。",
    "指导开展主题党日活动，收集员工诉求。",
    "走访新就业群体，协调解决就餐、休息难题。",
    "督促落实“三会一课”，帮助完善党建工作制度。",
    "对接社区资源，共建“红色驿站”。",
)


def _meetings(
    rng: random.Random,
    today: dt.date,
    user: User,
    orgs: list[Organisation],
    streets: dict[str, Region],
    by_street: dict[int, list[Post]],
) -> None:
    officials = defaultdict(list)
    for p in Post.objects.current(today).filter(post_type__code="street_official"):
        officials[p.region_id].append(p.person_id)
    for path, street in sorted(streets.items()):
        mine = [o for o in orgs if o.region_path.startswith(path) and o.closed is None]
        for k in range(3):
            day = today - dt.timedelta(days=20 + 90 * k) - _days(rng, 0, 10)
            there = [o.pk for o in mine if o.opened <= day]
            people = [p.person_id for p in by_street.get(street.pk, [])] + officials[street.pk]
            joint_meetings.create_meeting(
                user, day, street.pk, TOPICS[(k + len(path)) % len(TOPICS)],
                "通报两新组织党建覆盖情况；研究新就业群体服务阵地建设；部署下季度走访计划。",
                rng.sample(there, min(len(there), rng.randint(3, 6))), people[:6],
            )  # fmt: skip


def _volunteers(
    rng: random.Random, today: dt.date, user: User, grids: list[Region], orgs: list[Organisation]
) -> None:
    from gridgov.people.roles import sync_groups_many
    from gridgov.workorders.models import Category, Source
    from gridgov.workorders.services import EventInput, create_event

    open_orgs = [o for o in orgs if o.closed is None]
    employers = {
        "courier": [o for o in open_orgs if o.industry == "快递物流"],
        "rider": [o for o in open_orgs if o.industry in ("餐饮服务", "电子商务")],
        "driver": [o for o in open_orgs if o.industry == "网约车服务"],
    }
    phones = set(Person.objects.values_list("phone", flat=True))
    made = []
    surnames, given = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何林", "伟强磊军洋勇杰涛明超辉鹏华飞浩宇"
    for i in range(VOLUNTEERS):
        group = GROUPS[i % 3]
        phone = ""
        while not phone or phone in phones:
            phone = f"17{rng.randint(0, 999999999):09d}"
        phones.add(phone)
        name = rng.choice(surnames) + rng.choice(given) + rng.choice(("", rng.choice(given)))
        employer = employers[group]
        made.append(
            volunteering.register_volunteer(
                user,
                volunteering.VolunteerInput(
                    name=name, phone=phone, group=group,
                    registered=today - _days(rng, 5, 400), grid_id=rng.choice(grids).pk,
                    employer_id=rng.choice(employer).pk if employer and rng.random() < 0.7
                    else None,
                ),
            )
        )  # fmt: skip
    # A quarter have an account (the demo password) and report from the phone.
    users = get_user_model()
    template = users.objects.filter(username="worker").values_list("password", flat=True).first()
    accounts = []
    for n, v in enumerate(made[:REPORTERS]):
        account = users.objects.create(username=f"volunteer{n + 1:02d}", password=template or "!")
        Person.objects.filter(pk=v.person_id).update(user=account)
        accounts.append(account)
    sync_groups_many(accounts)
    categories = list(Category.objects.filter(code__in=REPORT_CATEGORIES, active=True))
    if not categories:
        return
    from django.utils import timezone

    end_of_day = dt.datetime.combine(today, dt.time(23, 59), tzinfo=timezone.get_current_timezone())
    now = min(timezone.now(), end_of_day)
    for n, account in enumerate(accounts):
        v = made[n]
        for k in range(1 + n % 3):
            category = rng.choice(categories)
            create_event(
                EventInput(
                    source=Source.PATROL, category=category,
                    title=f"{v.get_group_display()}随手拍：{category.name}",
                    description=f"{v.get_group_display()}送单途中发现{category.name}问题。",
                    lat=v.grid.centroid_lat or 0.0, lon=v.grid.centroid_lon or 0.0,
                    region=v.grid,
                ),
                account,
                now=now - dt.timedelta(days=rng.randint(1, 25), minutes=rng.randint(0, 600) + k),
            )  # fmt: skip
