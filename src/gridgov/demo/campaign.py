"""The campaign's records in the demo: a month of inspections and rectifications, a past
orange warning, the sources' own monitors and what they found, a dozen enforcement cases (some
on the exposure board), winds and emission monitors, air-alarm orders that named their source,
and the horse race's two cards with three months of results. Runs after the sources, the air
and the work orders, each part through its own app's write path."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from gridgov.demo.alarm import seed_alarm_sources
from gridgov.demo.bulletins import seed_bulletins
from gridgov.demo.centre import seed_commands
from gridgov.demo.customs import seed_customs
from gridgov.demo.emergency import seed_emergency
from gridgov.demo.enforcement import seed_cases
from gridgov.demo.forces import seed_forces
from gridgov.demo.generator import DISTRICT_CODE, demo_password_hash
from gridgov.demo.inspections import seed_inspections
from gridgov.demo.mediation import seed_mediation
from gridgov.demo.meetings import seed_meetings
from gridgov.demo.monitors import seed_monitors
from gridgov.demo.organisations import seed_organisations
from gridgov.demo.projects import seed_projects
from gridgov.demo.racing import seed_racing
from gridgov.demo.registry import seed_registry
from gridgov.people.models import Person, Post, PostType
from gridgov.people.roles import sync_groups
from gridgov.territory.models import Region

STEPS = 14  # progress units


@dataclass
class CampaignResult:
    inspections: int = 0
    rectifications: int = 0
    warning: str = ""
    cases: int = 0
    published: int = 0
    named_sources: int = 0
    meetings: int = 0
    extra: dict[str, int] = field(default_factory=dict)


def _noop(step: str, advance: int) -> None:
    pass


def enforcer_account(start: dt.date) -> object:
    """The demo's 执法队员 login (`enforcer`): a law-enforcement post for the whole district."""
    User = get_user_model()
    user = User.objects.filter(username="enforcer").first()
    if user is not None:
        return user
    person = Person.objects.create(name="赵执法", phone="13803730110")
    Post.objects.create(
        person=person,
        post_type=PostType.objects.get(code="law_enforcer"),
        region=Region.objects.get(code=DISTRICT_CODE),
        start_date=start,
    )
    user = User.objects.create_user("enforcer", password=None, first_name=person.name)
    user.password = demo_password_hash()
    user.save(update_fields=["password"])
    person.user = user
    person.save(update_fields=["user"])
    sync_groups(user)
    return user


def generate(
    seed: int = 2026,
    progress: Callable[[str, int], None] = _noop,
    *,
    today: dt.date | None = None,
    through_receiver: bool = False,
) -> CampaignResult:
    """The campaign's records; with `through_receiver` (the demo command) the monitors' last
    hours go through an HJ 212 receiver of the process's own (demo/monitors.py)."""
    rng = random.Random(seed + 41)
    today = today or timezone.localdate()
    result = CampaignResult()
    command = get_user_model().objects.get(username="command")
    registry = seed_registry(seed, user=command)
    result.extra["registry_changes"] = registry.changes
    progress("registry history", 1)
    done = seed_inspections(rng, today)
    result.inspections = done.inspections
    result.rectifications = done.rectifications
    progress("inspections", 1)
    warning = seed_emergency(rng, today, command)
    result.warning = str(warning) if warning else ""
    # The sources' own monitors (dust, fume, power), judged over the warning too.
    result.extra["monitor_findings"] = seed_monitors(
        random.Random(seed + 89), warning, through_receiver=through_receiver
    )
    progress("emergency", 1)
    with transaction.atomic():
        enforcer = enforcer_account(today - dt.timedelta(days=400))
    cases = seed_cases(rng, today, enforcer, command)
    result.cases = len(cases)
    result.published = sum(
        1 for c in cases for p in c.publications.all() if p.approved_at and not p.unpublished_at
    )
    progress("cases", 1)
    alarm = seed_alarm_sources(seed)
    result.named_sources = alarm.named
    progress("alarm sources", 1)
    forces = seed_forces(random.Random(seed + 61), today, command)
    result.extra["task_forces"] = forces.forces
    result.extra["supply_requests"] = forces.requests
    progress("forces and supplies", 1)
    result.meetings = len(seed_meetings(rng, today, command))
    progress("meetings", 1)
    # The grassroots areas before the horse race: its governance card scores them.
    result.extra["mediation_cases"] = seed_mediation(random.Random(seed + 71), today, command)
    progress("mediation", 1)
    result.extra["organisations"] = seed_organisations(random.Random(seed + 73), today, command)
    progress("organisations", 1)
    result.extra["projects"] = seed_projects(random.Random(seed + 79), today, command)
    progress("projects", 1)
    result.extra["ceremonies"] = seed_customs(random.Random(seed + 83), today, command)
    progress("customs", 1)
    racing = seed_racing(today)
    result.extra["racing_snapshots"] = racing.snapshots
    progress("racing", 1)
    result.extra["commands"] = seed_commands(seed, command)
    progress("commands", 1)
    # Last: the bulletins read everything above.
    result.extra["bulletins"] = len(seed_bulletins(today))
    progress("bulletins", 1)
    return result
