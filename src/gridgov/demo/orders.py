"""A month of work-order history for the demo district, made through the real services with a
simulated clock: every transition, deadline, warning and escalation is what the platform itself
would have recorded. Most orders close on time; some are late and escalate, some are returned or
fail verification, a few are voided; the last days' orders are still open in every state."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from gridgov.people.models import Person, Post
from gridgov.people.roles import sync_groups_many
from gridgov.territory.locate import locate
from gridgov.territory.models import Level, Region
from gridgov.workorders import lateness
from gridgov.workorders import sweep as sweeper
from gridgov.workorders.models import Category, Source, WorkOrder
from gridgov.workorders.services import EventInput, WorkflowError, advance, create_event
from gridgov.workorders.states import State

STEPS = 32  # progress units: one per simulated day, one for the accounts
ORDERS_PER_DAY = 12

# (source, share, categories)
SOURCES = [
    (Source.PATROL, 0.46, ["construction_dust", "road_dust", "sanitation", "restaurant_fumes",
                           "straw_burning", "safety_hazard", "illegal_construction",
                           "street_vending", "open_burning", "fire_hazard"]),
    (Source.CITIZEN, 0.16, ["sanitation", "restaurant_fumes", "construction_dust", "street_vending",
                            "neighbour_dispute", "damaged_facility", "fireworks"]),
    (Source.HOTLINE, 0.18, ["neighbour_dispute", "water_power", "sanitation", "labour_dispute",
                            "restaurant_fumes", "vulnerable_help", "damaged_facility"]),
    (Source.INSPECTION, 0.14, ["industrial_emission", "construction_dust", "fire_hazard",
                               "safety_hazard", "high_emission_vehicle", "gas_hazard"]),
    (Source.COMMAND, 0.06, ["construction_dust", "road_dust", "ritual_burning", "straw_burning"]),
]  # fmt: skip
NOTES = {
    "handle": ["已现场整改完毕", "已督促责任单位苫盖裸土并洒水降尘", "已协调双方达成一致",
               "已清理完毕", "已责令停止并拍照留存", "已联系相关部门修复"],
    "return": ["不属于本网格，请核实位置", "该事项属专业部门职责", "地址有误，现场未发现"],
    "reject": ["现场复查仍有裸土未苫盖", "整改不彻底，请继续处置"],
    "void": ["重复上报", "经核实不属实"],
}  # fmt: skip


@dataclass
class OrdersResult:
    orders: int
    transitions: int
    open: int
    overdue: int


class _Accounts:
    """Every responsible post holder gets an account (no usable password except the demo
    logins), as in a real roll-out where each grid worker logs in on a phone."""

    def __init__(self) -> None:
        self.by_person: dict[int, Any] = {}

    def ensure(self) -> None:
        User = get_user_model()
        responsible = Post.objects.current().filter(post_type__responsible=True)
        holders = Person.objects.filter(
            pk__in=responsible.values("person_id"), user__isnull=True
        ).order_by("pk")
        persons = list(holders)
        unusable = make_password(None)
        users = [User(username=f"p{p.pk}", first_name=p.name, password=unusable) for p in persons]
        User.objects.bulk_create(users, batch_size=500)
        made = {u.username: u for u in User.objects.filter(username__startswith="p")}
        for p in persons:
            p.user = made[f"p{p.pk}"]
        Person.objects.bulk_update(persons, ["user"], batch_size=500)
        sync_groups_many([made[f"p{p.pk}"] for p in persons])
        for p in Person.objects.filter(user__isnull=False).select_related("user"):
            self.by_person[p.pk] = p.user

    def of(self, person_id: int | None) -> Any:
        return self.by_person.get(person_id) if person_id else None


TITLE_LIMIT = 120  # workorders.models.Event.title


def order_title(grid_name: str, category_name: str) -> str:
    """An order's title: where (the whole grid name, never a cut word) and what. A grid name
    too long to fit leaves the category alone (at most 60 characters, Category.name)."""
    title = f"{grid_name}：{category_name}"
    return title if len(title) <= TITLE_LIMIT else category_name


def _centre(grid: Region) -> tuple[float, float]:
    """A grid's centroid (every demo grid has an outline, so it has one)."""
    if grid.centroid_lat is None or grid.centroid_lon is None:
        raise ValueError(f"grid {grid.code} has no centroid")
    return grid.centroid_lat, grid.centroid_lon


def _point(rng: np.random.Generator, grid: Region) -> tuple[float, float]:
    centre_lat, centre_lon = _centre(grid)
    for _ in range(5):
        lat = centre_lat + rng.normal(0, 0.0015)
        lon = centre_lon + rng.normal(0, 0.0015)
        where = locate(lat, lon)
        if where.inside and where.grid and where.grid.id == grid.pk:
            return float(lat), float(lon)
    return centre_lat, centre_lon


def generate(
    seed: int = 2026, progress: Callable[[str, int], None] = lambda name, n: None, days: int = 30
) -> OrdersResult:
    logging.getLogger("gridgov.notify").setLevel(logging.WARNING)
    rng = np.random.default_rng(seed + 11)
    accounts = _Accounts()
    with transaction.atomic():
        accounts.ensure()
    progress("accounts", 1)
    grids = list(Region.objects.active().filter(level=Level.GRID).order_by("code"))
    categories = {c.code: c for c in Category.objects.filter(active=True)}
    communities = {r.pk: r for r in Region.objects.active().filter(level=Level.COMMUNITY)}
    secretaries: dict[int, Any] = {}
    for post in Post.objects.current().filter(post_type__code="secretary"):
        secretaries.setdefault(post.region_id, accounts.of(post.person_id))
    operator = get_user_model().objects.filter(username="command").first() or next(
        (u for u in accounts.by_person.values()), None
    )
    now = timezone.now()
    start = (timezone.localtime(now) - dt.timedelta(days=days)).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    made = 0

    def act(order: WorkOrder, code: str, user: User, at: dt.datetime, **kw: Any) -> bool:
        if at >= now or user is None:
            return False
        # The order in hand, kept up to date by `advance`: no read of it per transition.
        try:
            advance(order, code, user, now=at, **kw)
        except WorkflowError:
            return False
        return True

    shares = np.array([s[1] for s in SOURCES])
    for day in range(days + 1):
        base = start + dt.timedelta(days=day)
        with transaction.atomic():
            for _ in range(int(rng.poisson(ORDERS_PER_DAY))):
                source, _share, codes = SOURCES[
                    int(rng.choice(len(SOURCES), p=shares / shares.sum()))
                ]
                category = categories[codes[int(rng.integers(len(codes)))]]
                grid = grids[int(rng.integers(len(grids)))]
                lat, lon = _point(rng, grid)
                at = base + dt.timedelta(minutes=float(rng.uniform(7 * 60, 20 * 60)))
                if at >= now:
                    continue
                community = communities.get(grid.parent_id or 0)
                dispatcher = secretaries.get(community.pk) if community else None
                reporter = operator if source in (Source.HOTLINE, Source.COMMAND) else None
                try:
                    order = create_event(
                        EventInput(
                            source=source,
                            category=category,
                            title=order_title(grid.name, category.name),
                            description=f"{category.name}，请及时处置。",
                            lat=lat,
                            lon=lon,
                            contact_phone="1380000" + f"{int(rng.integers(0, 10_000)):04d}"
                            if source in (Source.CITIZEN, Source.HOTLINE)
                            else "",
                        ),
                        reporter,
                        now=at,
                    )
                except WorkflowError:
                    continue
                made += 1
                # The last day and a half's orders stop part-way, so every open state has some
                # (and those left too long are overdue and escalated by the final sweep).
                recent = at > now - dt.timedelta(hours=36)
                waiting = order.state == State.REPORTED  # a citizen's or caller's report
                steps = int(rng.integers(0, 3 if waiting else 8)) if recent else None
                fate = float(rng.uniform(0.84, 0.90)) if recent and rng.random() < 0.15 else None
                _lifecycle(order, rng, at, _budgeted(act, steps), dispatcher, accounts, now, fate)
            sweeper.sweep(min(base + dt.timedelta(hours=23, minutes=59), now))
        progress("work orders", 1)
    with transaction.atomic():
        _demo_logins_have_work(categories, act, now)
    with transaction.atomic():
        # The air alarms' orders are live: about half already signed for.
        for order in (
            WorkOrder.objects.filter(event__source=Source.AIR_ALARM, state=State.DISPATCHED)
            .select_related("event__category", "event__region")
            .defer("event__region__geometry")
        ):
            if rng.random() < 0.5:
                act(order, "sign", accounts.of(order.assignee_id), now - dt.timedelta(minutes=3))
        sweeper.sweep(now)
    qs = WorkOrder.objects.all()
    from gridgov.workorders.models import Transition

    return OrdersResult(
        orders=qs.count(),
        transitions=Transition.objects.count(),
        open=qs.exclude(state__in=[State.CLOSED, State.VOIDED]).count(),
        overdue=qs.filter(lateness.overdue_q(now)).count(),
    )


Act = Callable[..., bool]


def _budgeted(act: Act, steps: int | None) -> Act:
    """`act`, allowed only `steps` more actions (None: no limit)."""
    if steps is None:
        return act
    left = [steps]

    def limited(*args: Any, **kw: Any) -> bool:
        if left[0] <= 0:
            return False
        left[0] -= 1
        return act(*args, **kw)

    return limited


def _lifecycle(
    order: WorkOrder,
    rng: np.random.Generator,
    at: dt.datetime,
    act: Act,
    dispatcher: Any,
    accounts: _Accounts,
    now: dt.datetime,
    fate: float | None = None,
) -> None:
    """Walk one order through its life with realistic delays; steps after now are left undone.
    `fate` (0–1) picks the path: most close on time; bands are late, returned, rejected."""
    fate = rng.random() if fate is None else fate
    t = at
    if order.state == State.REPORTED:
        t += dt.timedelta(minutes=float(rng.uniform(3, 40)))
        if fate > 0.97:
            act(order, "void", dispatcher, t, note=NOTES["void"][int(rng.integers(2))])
            return
        if not act(order, "accept", dispatcher, t):
            return
        t += dt.timedelta(minutes=float(rng.uniform(1, 15)))
        if not act(order, "dispatch", dispatcher, t):
            return
    if order.state != State.DISPATCHED:
        return
    worker = accounts.of(order.assignee_id)
    late_sign = 0.90 < fate <= 0.96
    t += dt.timedelta(minutes=float(rng.uniform(60, 300) if late_sign else rng.uniform(1, 12)))
    if 0.84 < fate <= 0.90:  # returned to the community, re-dispatched to the same grid
        if not act(order, "return", worker, t, note=NOTES["return"][int(rng.integers(3))]):
            return
        t += dt.timedelta(minutes=float(rng.uniform(10, 90)))
        if not act(order, "dispatch", dispatcher, t):
            return
        worker = accounts.of(order.assignee_id)
        t += dt.timedelta(minutes=float(rng.uniform(2, 20)))
    if late_sign and t < now:  # the clock never runs ahead of the present
        sweeper.sweep(t - dt.timedelta(minutes=1))
    if not act(order, "sign", worker, t):
        return
    t += dt.timedelta(minutes=float(rng.uniform(2, 30)))
    act(order, "start", worker, t)
    late_handle = 0.78 < fate <= 0.84
    hours = rng.uniform(6, 30) if late_handle else rng.uniform(0.3, 3.5)
    t += dt.timedelta(hours=float(hours))
    if late_handle and t < now:
        sweeper.sweep(t - dt.timedelta(minutes=1))
    if not act(order, "handle", worker, t, note=NOTES["handle"][int(rng.integers(6))]):
        return
    t += dt.timedelta(minutes=float(rng.uniform(20, 240)))
    if 0.74 < fate <= 0.78:
        if not act(order, "reject", dispatcher, t, note=NOTES["reject"][int(rng.integers(2))]):
            return
        t += dt.timedelta(hours=float(rng.uniform(1, 5)))
        if not act(order, "handle", worker, t, note=NOTES["handle"][int(rng.integers(6))]):
            return
        t += dt.timedelta(minutes=float(rng.uniform(20, 180)))
    if not act(order, "verify", dispatcher, t):
        return
    t += dt.timedelta(minutes=float(rng.uniform(5, 60)))
    act(order, "close", dispatcher, t)


def _demo_logins_have_work(categories: dict[str, Category], act: Act, now: dt.datetime) -> None:
    """Whoever tries the `worker` login finds work on the phone: a new order, one in progress,
    and one handled and waiting for the `community` login to verify."""
    User = get_user_model()
    worker = User.objects.filter(username="worker").first()
    person = Person.objects.filter(user=worker).first() if worker else None
    post = (
        Post.objects.current().filter(person=person, region__level=Level.GRID).first()
        if person
        else None
    )
    if post is None:
        return
    grid = post.region
    plans = [
        ("construction_dust", "工地东侧裸土未苫盖", 20, []),
        ("restaurant_fumes", "小吃街油烟直排", 150, [("sign", 140), ("start", 120)]),
        ("road_dust", "渣土车带泥上路", 240, [("sign", 230), ("start", 200), ("handle", 60)]),
    ]
    for code, title, minutes_ago, steps in plans:
        order = create_event(
            EventInput(
                source=Source.PATROL,
                category=categories[code],
                title=title,
                description=title,
                lat=_centre(grid)[0],
                lon=_centre(grid)[1],
                region=grid,
            ),
            worker,
            now=now - dt.timedelta(minutes=minutes_ago),
        )
        for action, ago in steps:
            note = "已督促整改，现场洒水降尘" if action == "handle" else ""
            act(order, action, worker, now - dt.timedelta(minutes=ago), note=note)
