"""The demo's people's mediation (as the seed says: 175 mediators trained in 4 sessions, 87
disputes mediated this year, 化解率 100%): a committee for every street and community, the four
district trainings with every current mediator attending one, 87 cases mediated this year and
all resolved by agreement (their follow-ups mostly done, a few still due), and a handful of
recent cases still open — received, in mediation, two handed over from work orders of dispute
categories — so the flow is visible. Dates are relative to `today`. The year's history is
written in bulk (it is history: the same rows the services write); the open cases go through
`gridgov.mediation.services`. Deterministic for a given `random.Random`; skipped when there."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from gridgov.core.actor import actor_name
from gridgov.demo.names import NameMaker
from gridgov.mediation import casework, services
from gridgov.mediation.models import (
    Attendance,
    Case,
    CaseSource,
    CaseStep,
    Committee,
    FollowUp,
    Kind,
    Outcome,
    Party,
    Session,
    State,
    Training,
)
from gridgov.people.models import Post
from gridgov.territory.models import Level, Region

MEDIATED = 87
TRAININGS = [  # days before today, topic, place
    (300, "人民调解员岗前培训：《人民调解法》与调解程序", "区司法局三楼会议室"),
    (210, "婚姻家庭、邻里纠纷调解实务", "区委党校报告厅"),
    (120, "劳资纠纷与土地承包纠纷调解技巧", "区委党校报告厅"),
    (45, "调解协议书制作与司法确认衔接", "区人民法院诉讼服务中心"),
]
DISPUTES: dict[str, list[tuple[str, str]]] = {  # kind → (title, terms)
    Kind.NEIGHBOUR: [
        ("楼上漏水致楼下墙面受损", "漏水方修复管道并赔偿楼下维修费用。"),
        ("装修噪音扰民纠纷", "装修方限定施工时间为工作日8:00-12:00、14:00-18:00。"),
        ("宅基地界墙纠纷", "双方按原界址重砌界墙，费用各半承担。"),
        ("楼道堆放杂物纠纷", "三日内清理楼道杂物，今后不再堆放。"),
    ],
    Kind.FAMILY: [
        ("赡养老人费用分担纠纷", "子女三人每月各支付赡养费500元，轮流照料。"),
        ("离婚后子女探视纠纷", "每月第一、三周周末探视，提前一日告知。"),
    ],
    Kind.LABOUR: [
        ("农民工工资拖欠纠纷", "用工方于协议签订后十日内一次性支付拖欠工资。"),
        ("工伤赔偿争议", "用人单位一次性支付医疗费及误工费。"),
    ],
    Kind.LAND: [("土地承包经营权流转纠纷", "按原合同继续履行，补付上年度流转费。")],
    Kind.PROPERTY: [("物业费与服务质量纠纷", "物业公司整改电梯维保，业主补缴物业费。")],
    Kind.DAMAGES: [("电动车碰撞损害赔偿", "责任方一次性赔偿医疗费、误工费。")],
    Kind.CONSUMER: [("预付卡退费纠纷", "商家退还剩余预付金额。")],
}
AMOUNTS: dict[str, tuple[int, int]] = {
    Kind.NEIGHBOUR: (500, 8000),
    Kind.FAMILY: (0, 20000),
    Kind.LABOUR: (3000, 60000),
    Kind.LAND: (2000, 30000),
    Kind.PROPERTY: (800, 6000),
    Kind.DAMAGES: (1000, 20000),
    Kind.CONSUMER: (300, 5000),
}
KIND_WEIGHTS = [
    (Kind.NEIGHBOUR, 38),
    (Kind.FAMILY, 18),
    (Kind.LABOUR, 12),
    (Kind.LAND, 8),
    (Kind.PROPERTY, 10),
    (Kind.DAMAGES, 9),
    (Kind.CONSUMER, 5),
]


def _phone(rng: random.Random) -> str:
    return rng.choice(["137", "138", "139", "150", "151", "186"]) + f"{rng.randrange(10**8):08d}"


def _committees(today: dt.date) -> dict[int, Committee]:
    units = Region.objects.active().filter(level__in=[Level.STREET, Level.COMMUNITY])
    have = set(Committee.objects.values_list("unit_id", flat=True))
    Committee.objects.bulk_create(
        [
            Committee(
                name=f"{u.name}人民调解委员会",
                unit=u,
                address=f"{u.name}党群服务中心调解室",
                established=today.replace(year=today.year - 5, day=1),
            )
            for u in units.defer("geometry").order_by("code")
            if u.pk not in have
        ]
    )
    return {c.unit_id: c for c in Committee.objects.all()}


def _trainings(today: dt.date, district: Region, mediators: list[int]) -> list[Training]:
    made = []
    for days, topic, place in TRAININGS:
        made.append(
            Training.objects.create(
                topic=topic,
                date=today - dt.timedelta(days=days),
                place=place,
                organiser=district,
                hours=Decimal("4.0"),
            )
        )
    # Every current mediator attends one of the four sessions.
    Attendance.objects.bulk_create(
        [Attendance(training=made[i % len(made)], person_id=p) for i, p in enumerate(mediators)]
    )
    return made


def _mediators_by_unit(today: dt.date) -> tuple[dict[int, list[int]], list[int]]:
    by_unit: dict[int, list[int]] = {}
    everyone: list[int] = []
    posts = Post.objects.current(today).filter(post_type__code=services.MEDIATOR_POST)
    for person_id, region_id in posts.values_list("person_id", "region_id").order_by("pk"):
        by_unit.setdefault(region_id, []).append(person_id)
        if person_id not in everyone:
            everyone.append(person_id)
    return by_unit, everyone


def _grid_point(grid: Region) -> tuple[float, float]:
    from shapely.geometry import shape

    point = shape(grid.geometry).representative_point()
    return point.y, point.x


def seed_mediation(rng: random.Random, today: dt.date, command_user: User) -> int:
    """Answers the number of cases made (0 when the demo already has them)."""
    if Case.objects.exists():
        return 0
    district = Region.objects.filter(level=Level.DISTRICT).order_by("pk").first()
    grids = list(
        Region.objects.active().grids().only("pk", "path", "parent_id", "name").order_by("code")
    )
    if district is None or not grids:
        return 0
    names = NameMaker(rng.randrange(10**6))
    with transaction.atomic():
        committees = _committees(today)
        by_unit, mediators = _mediators_by_unit(today)
        _trainings(today, district, mediators)
        made = _history(rng, today, grids, committees, by_unit, mediators, names, command_user)
    made += _open_cases(rng, today, grids, by_unit, mediators, names, command_user)
    return made


def _pick_kind(rng: random.Random) -> str:
    kinds, weights = zip(*KIND_WEIGHTS, strict=True)
    return str(rng.choices(kinds, weights)[0])


def _committee_of(grid: Region, committees: dict[int, Committee]) -> Committee | None:
    ids = [int(x) for x in grid.path.strip("/").split("/")]
    for region_id in reversed(ids):
        if region_id in committees:
            return committees[region_id]
    return None


def _team(
    rng: random.Random, grid: Region, by_unit: dict[int, list[int]], mediators: list[int]
) -> list[int]:
    local = by_unit.get(grid.parent_id or 0) or mediators
    return rng.sample(local, min(len(local), rng.choice((1, 2, 2)))) if local else []


def _history(
    rng: random.Random,
    today: dt.date,
    grids: list[Region],
    committees: dict[int, Committee],
    by_unit: dict[int, list[int]],
    mediators: list[int],
    names: NameMaker,
    user: User,
) -> int:
    """The 87 mediated cases, all resolved by agreement."""
    now = timezone.now()
    # This year's cases; early in a year, the last four months' (so the follow-ups are still
    # mostly done on the 1st of January).
    first = min(today.replace(month=1, day=1), today - dt.timedelta(days=120))
    span = (today - first).days
    actor = actor_name(user, system=True)
    rows: list[tuple[Case, list[int], dt.date, dt.date]] = []
    for i in range(MEDIATED):
        grid = rng.choice(grids)
        if i >= MEDIATED - 3 and i % 2 == 0:  # two recent cases in the demo worker's own grid
            grid = grids[0]  # the first grid by code: the leader's and worker's (generator.py)
        committee = _committee_of(grid, committees)
        if committee is None:
            continue
        kind = _pick_kind(rng)
        title, terms = rng.choice(DISPUTES[kind])
        outcome_on = first + dt.timedelta(days=round(span * (i + 0.5) / MEDIATED))
        received_on = outcome_on - dt.timedelta(days=rng.randrange(0, 12))
        signed_on = min(outcome_on + dt.timedelta(days=rng.randrange(0, 2)), today)
        low, high = AMOUNTS[kind]
        case = Case(
            number=f"TJ{received_on.year}{i + 1:05d}",
            kind=kind,
            title=title,
            facts=f"{title}，当事人双方协商未果，申请人民调解。",
            amount=Decimal(rng.randrange(low, high + 1, 100)) if high else None,
            grid=grid,
            region_path=grid.path,
            source=rng.choice(
                [CaseSource.WALK_IN] * 5
                + [CaseSource.GRID] * 3
                + [CaseSource.COURT, CaseSource.PETITION]
            ),
            committee=committee,
            state=State.SUCCEEDED,
            received_on=received_on,
            outcome=Outcome.AGREEMENT,
            outcome_on=outcome_on,
            terms=terms,
            perform_by=outcome_on + dt.timedelta(days=rng.choice((7, 15, 30))),
            signed_on=signed_on,
            followup_days=30,
            created_by=user,
            created_at=now,
            updated_at=now,
        )
        if case.source in (CaseSource.COURT, CaseSource.PETITION):
            office = "区人民法院" if case.source == CaseSource.COURT else "区信访局"
            case.referral = f"{office}委托（{received_on.year}）{i + 1}号"
        rows.append((case, _team(rng, grid, by_unit, mediators), received_on, outcome_on))
    Case.objects.bulk_create([r[0] for r in rows])
    numbers = {c.number: c for c in Case.objects.filter(number__in=[r[0].number for r in rows])}
    parties, sessions, visits, steps, links = [], [], [], [], []
    for case_row, team, received_on, outcome_on in rows:
        case = numbers[case_row.number]
        for role in ("applicant", "respondent"):
            parties.append(
                Party(
                    case=case,
                    role=role,
                    name=names.person(),
                    phone=_phone(rng),
                    address=f"{case.grid.name}",
                )
            )
        sessions.append(
            Session(
                case=case,
                date=outcome_on,
                place=case.committee.address or "调解室",
                notes="听取双方陈述，释法明理，促成双方达成一致。",
                recorded_by=user,
                recorded_at=now,
            )
        )
        links += [Case.mediators.through(case_id=case.pk, person_id=p) for p in team]
        assert case.signed_on is not None
        due = case.signed_on + dt.timedelta(days=case.followup_days)
        done = due < today  # every visit due by now was made; the latest are still due
        visit = FollowUp(case=case, due_on=due)
        if done:
            visit.done_on = due - dt.timedelta(days=rng.randrange(0, 10))
            visit.findings = "当事人已按协议履行，关系缓和，无反复。"
            visit.performed = True
            visit.visitor = user
            case.state = (
                State.ARCHIVED
                if visit.done_on < today - dt.timedelta(days=30)
                else (State.FOLLOWED_UP)
            )
        visits.append(visit)
        at = dt.datetime.combine(received_on, dt.time(9, 0), tzinfo=dt.UTC)
        flow = [("create", "", State.RECEIVED, received_on),
                ("session", State.RECEIVED, State.MEDIATING, outcome_on),
                ("outcome", State.MEDIATING, State.SUCCEEDED, outcome_on),
                ("sign", State.SUCCEEDED, "", case.signed_on)]  # fmt: skip
        if done and visit.done_on:
            flow.append(("followup", State.SUCCEEDED, State.FOLLOWED_UP, visit.done_on))
            if case.state == State.ARCHIVED:
                flow.append(("archive", State.FOLLOWED_UP, State.ARCHIVED, visit.done_on))
        for n, (action, before, after, on) in enumerate(flow):
            at = dt.datetime.combine(on, dt.time(9 + n, 0), tzinfo=dt.UTC)
            steps.append(CaseStep(case=case, action=action, from_state=before, to_state=after,
                                  actor=user, actor_name=actor, at=at))  # fmt: skip
    Party.objects.bulk_create(parties)
    made_sessions = Session.objects.bulk_create(sessions)
    Session.mediators.through.objects.bulk_create(
        [
            Session.mediators.through(session_id=s.pk, person_id=link.person_id)
            for s in made_sessions
            for link in links
            if link.case_id == s.case_id
        ]
    )
    Case.mediators.through.objects.bulk_create(links)
    FollowUp.objects.bulk_create(visits)
    CaseStep.objects.bulk_create(steps)
    for state in (State.FOLLOWED_UP, State.ARCHIVED):
        done_cases = [number for number, c in numbers.items() if c.state == state]
        Case.objects.filter(number__in=done_cases).update(state=state)
    return len(rows)


def _noon(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12, 0)))


def _open_cases(
    rng: random.Random,
    today: dt.date,
    grids: list[Region],
    by_unit: dict[int, list[int]],
    mediators: list[int],
    names: NameMaker,
    user: User,
) -> int:
    """Recent cases still in the flow (received, in mediation), through the services."""
    made = 0
    plans = [("received", 0), ("received", 2), ("received", 4), ("mediating", 5),
             ("mediating", 8), ("mediating", 11)]  # fmt: skip
    now = _noon(today)
    for state, days_ago in plans:
        grid = rng.choice(grids)
        kind = _pick_kind(rng)
        title, _terms = rng.choice(DISPUTES[kind])
        received = today - dt.timedelta(days=days_ago)
        data = services.CaseInput(
            kind=kind,
            title=title,
            facts=f"{title}，双方各执一词，申请调解。",
            grid_id=grid.pk,
            received_on=received,
            parties=[
                services.PartyInput("applicant", names.person(), _phone(rng)),
                services.PartyInput("respondent", names.person(), _phone(rng)),
            ],
        )
        try:
            case = casework.create_case(user, data, now=now)
        except services.MediationError:
            continue  # a grid without a committee above it
        made += 1
        team = _team(rng, grid, by_unit, mediators)
        if state == "received" or not team:
            continue
        casework.add_session(user, case.pk, date=received, place="调解室", mediator_ids=team,
                             notes="首次调解，双方分歧较大，约定再次调解。", now=now)  # fmt: skip
    made += _from_orders(rng, today, grids, user)
    return made


def _from_orders(rng: random.Random, today: dt.date, grids: list[Region], user: User) -> int:
    """Two recent orders of dispute categories handed over to mediation (made when the demo
    has none open)."""
    from gridgov.workorders.models import Category, Source, WorkOrder
    from gridgov.workorders.services import EventInput, WorkflowError, create_event

    orders = list(
        WorkOrder.objects.filter(
            event__category__code__in=list(services.ORDER_KINDS),
            mediation_case__isnull=True,
            event__region__level=Level.GRID,
        )
        .select_related("event__category", "event__region")
        .defer("event__region__geometry")
        .order_by("-created_at")[:2]
    )
    for code in ("neighbour_dispute", "labour_dispute")[len(orders) :]:
        grid = Region.objects.get(pk=rng.choice(grids).pk)
        lat, lon = _grid_point(grid)
        try:
            orders.append(
                create_event(
                    EventInput(
                        source=Source.HOTLINE,
                        category=Category.objects.get(code=code),
                        title="12345来电：邻里矛盾"
                        if code == "neighbour_dispute"
                        else "12345来电：欠薪",
                        description="来电人反映纠纷，请求调解。",
                        lat=lat,
                        lon=lon,
                        region=grid,
                        contact_name=NameMaker(rng.randrange(10**6)).person(),
                        contact_phone=_phone(rng),
                    ),
                    user,
                    now=_noon(today),
                )
            )
        except (WorkflowError, Category.DoesNotExist):
            continue
    made = 0
    for order in orders:
        try:
            casework.case_from_order(user, order, now=_noon(today))
        except services.MediationError:
            continue
        made += 1
    return made
