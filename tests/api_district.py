"""A small district with something in every table the API and the pages read, for the tests that
walk every route (tests/test_route_matrix.py) and fuzz every operation (tests/test_api_fuzz.py).

On top of the named territory and crew (tests/conftest.py, tests/workorders/fixtures.py): a
street official of 东街道 (`s1_official`), the air stations (tests/air/conftest.py) with a day of
readings, daily aggregates and a target, and a station M3 in G3; an alarm on M1 and one on M3;
work orders in G1 and G3 (each with a photo); a command to G1 and one to G3, each with a file.
The fixture answers their ids.

Roles, by account: anonymous; `command` (指挥中心, sees everything); `s1_official` (街道/镇干部,
东街道); `east_secretary` (社区/村干部, 东一社区); `g1_leader` (网格长 of G1); `g1_worker`
(专职网格员 of G1); `nobody` (an account with no person, so no scope).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from tests.air.conftest import T0, make_batch, make_put, make_stations, put, stations  # noqa: F401
from tests.conftest import (
    Clock,
    _person,
    clear_process_caches,
    make_people,
    make_territory,
    make_users,
    swept_now,
)
from tests.workorders.fixtures import G1_POINT, G3_POINT, make_crew, report_event

ROLES = {
    "anonymous": None,
    "command": "command",
    "street": "s1_official",
    "community": "east_secretary",
    "grid_leader": "g1_leader",
    "grid_worker": "g1_worker",
    "no_person": "nobody",
}


@dataclass(frozen=True)
class District:
    """What the routes are asked about: one thing in G1 (东街道 > 东一社区, seen by every role
    of the east) and one in G3 (西街道, seen only by the command office)."""

    g1_order: int
    g3_order: int
    g1_event: int
    g1_reference: str
    g1_photo: int
    g3_photo: int
    command: int  # to G1
    command_file: int
    g3_command: int
    g3_command_file: int
    alarm: int  # station M1, in G1
    g3_alarm: int  # station M3, in G3
    g1_person: int
    g3_person: int
    station_token: str  # M1's ingestion token
    # Inspections (巡查检查): a construction site in G1 and one in G3, each inspected once with
    # a photo and a failed item (so a rectification and its order exist too).
    g1_source: int = 0
    g3_source: int = 0
    g1_inspection: int = 0
    g3_inspection: int = 0
    g1_inspection_photo: int = 0
    g3_inspection_photo: int = 0
    g1_case: int = 0  # an enforcement case in G1, published on the exposure board
    g3_case: int = 0
    g1_case_document: int = 0  # its photo
    g3_case_document: int = 0
    publication: int = 0  # g1_case's publication (live)
    publication_photo: int = 0
    warning: int = 0  # an orange warning in force, reaching a site in G1 and one in G3
    g1_source_file: int = 0  # a PDF of each inspected site
    g3_source_file: int = 0
    # 专班与物资: a force, a depot and a supply request of 东街道 (its community) and of 西街道
    g1_force: int = 0
    g3_force: int = 0
    g1_depot: int = 0
    g3_depot: int = 0
    g1_supply_request: int = 0
    g3_supply_request: int = 0
    meeting: int = 0  # a held dispatch meeting attended by G1 (one decision); one by G3
    g3_meeting: int = 0
    racing_card: int = 0  # a street card (赛马比拼) on PM2.5 and the order on-time rate
    # 新兴领域党建: an organisation in G1 and one in G3; a joint meeting of 东街道 and of 西街道
    g1_org: int = 0
    g3_org: int = 0
    g1_org_meeting: int = 0
    g3_org_meeting: int = 0
    g1_project: int = 0  # 项目: 东街道's located in G1, 西街道's in G3, each with a document
    g3_project: int = 0
    g1_project_document: int = 0
    g3_project_document: int = 0
    s1_street: int = 0  # 东街道's id (the east roles' street)
    s2_street: int = 0  # 西街道's id
    # 人民调解: a case with a signed agreement in G1 (东一社区's committee) and one in G3
    g1_mediation_case: int = 0
    g3_mediation_case: int = 0
    # 村规民约与移风易俗: the villages 东一社区 (c1) and 西一社区 (c2), a rules version of each,
    # a registration in G1 and one in G3
    c1_village: int = 0
    c2_village: int = 0
    g1_customs_rules: int = 0
    g3_customs_rules: int = 0
    g1_ceremony: int = 0
    g3_ceremony: int = 0


def _png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buf, "PNG")
    return buf.getvalue()


def _alarm(station: Any) -> int:
    from gridgov.air.models import Alarm, AlarmRule

    now = timezone.now()
    return Alarm.objects.create(
        station=station,
        grid=station.grid,
        rule=AlarmRule.objects.order_by("pk").first(),
        pollutant="pm25",
        value=150.0,
        peak=160.0,
        reference=115.0,
        started_at=now,
        last_seen_at=now,
    ).pk


def _command(user: Any, unit: str) -> tuple[int, int]:
    from gridgov.inbox import commands

    command = commands.issue(
        user,
        title=f"扬尘检查 {unit}",
        body="今天检查辖区工地",
        due_at=timezone.now() + dt.timedelta(days=2),
        units=[unit],
    )
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    document = commands.save_document(
        command, io.BytesIO(pdf), size=len(pdf), name="notice.pdf", user=user
    )
    return command.pk, document.pk


def _warning(user: Any) -> int:
    from gridgov.emergency import declaring
    from gridgov.sources.services import SourceInput, create_source, point_geometry

    for name, point in (("东一应急工地", G1_POINT), ("西一应急工地", G3_POINT)):
        create_source(
            SourceInput(
                category="construction_site",
                name=name,
                geometry=point_geometry(*point),
                attributes={"phase": "earthwork"},
            )
        )
    now = timezone.now()
    done = declaring.declare(user, 2, now, now + dt.timedelta(days=3), "预计连续重度污染")
    return done.warning.pk


def _meeting(user: Any, unit: str, kind: str) -> int:
    from gridgov.meetings import meeting_decisions, services

    m = services.create_meeting(
        user,
        services.MeetingInput(
            title=f"调度会 {unit}",
            kind=kind,
            starts_at=timezone.now() - dt.timedelta(hours=1),
            place="指挥中心",
            convener="D",
            attendees=[services.AttendeeInput(unit=unit)],
        ),
    )
    meeting_decisions.add_decision(
        user, m.pk, text="检查工地", owners=[unit], deadline=timezone.localdate() + dt.timedelta(2)
    )
    return m.pk


def _source_file(source_id: int) -> int:
    from gridgov.sources import files
    from gridgov.sources.models import PollutionSource

    source = PollutionSource.objects.get(pk=source_id)
    pdf = b"%PDF-1.4\n%%EOF\n"
    document = files.save_document(source, io.BytesIO(pdf), size=len(pdf), name="permit.pdf")
    return document.pk


def _forces(territory: dict[str, Any]) -> dict[str, int]:
    """A force, a depot and a pending request in 东街道 (g1) and in 西街道 (g3)."""
    from gridgov.forces.models import Depot, SupplyKind, SupplyRequest, TaskForce

    kind = SupplyKind.objects.get(code="fog_cannon")
    out: dict[str, int] = {}
    for key, street, community in (("g1", "D-S1", "D-S1-C1"), ("g3", "D-S2", "D-S2-C2")):
        out[f"{key}_force"] = TaskForce.objects.create(
            name=f"{key} 专班", kind="task_force", owner=territory[street], front="dust",
            established=dt.date(2026, 1, 1),
        ).pk  # fmt: skip
        out[f"{key}_depot"] = Depot.objects.create(name=f"{key} 物资点", owner=territory[street]).pk
        out[f"{key}_supply_request"] = SupplyRequest.objects.create(
            kind=kind, unit=territory[community], quantity=1, reason="雾炮",
            requested_at=timezone.now(),
        ).pk  # fmt: skip
    return out


def _mediation(territory: dict[str, Any]) -> dict[str, int]:
    """A committee and a case with a signed agreement in G1 (东一社区) and in G3 (西一社区)."""
    from gridgov.mediation.models import Case, Committee, Party

    out: dict[str, int] = {}
    day = dt.date(2026, 11, 2)
    for key, community, grid in (("g1", "D-S1-C1", "D-S1-C1-G1"), ("g3", "D-S2-C2", "D-S2-C2-G3")):
        committee = Committee.objects.create(name=f"{key} 调委会", unit=territory[community])
        case = Case.objects.create(
            number=f"TJ2026{key}", kind="neighbour", title="漏水纠纷", grid=territory[grid],
            region_path=territory[grid].path, source="walk_in", committee=committee,
            state="succeeded", received_on=day, outcome="agreement", outcome_on=day,
            terms="赔偿维修费", perform_by=day, signed_on=day, created_at=timezone.now(),
            updated_at=timezone.now(),
        )  # fmt: skip
        Party.objects.create(case=case, role="applicant", name="刘大明", phone="13700000001")
        case.followups.create(due_on=day + dt.timedelta(days=30))
        out[f"{key}_mediation_case"] = case.pk
    return out


def _organisations(territory: dict[str, Any]) -> dict[str, int]:
    """An organisation in G1 and one in G3, and a joint meeting of each street."""
    from gridgov.organisations.models import JointMeeting, Organisation

    out: dict[str, int] = {}
    for key, grid, street, code in (
        ("g1", "D-S1-C1-G1", "D-S1", "91410802MA0000001Y"),
        ("g3", "D-S2-C2-G3", "D-S2", "91410802MA00000022"),
    ):
        g = territory[grid]
        out[f"{key}_org"] = Organisation.objects.create(
            name=f"{key} 公司", kind="economic", credit_code=code, grid=g, region_path=g.path,
            opened=dt.date(2026, 1, 1),
        ).pk  # fmt: skip
        out[f"{key}_org_meeting"] = JointMeeting.objects.create(
            date=dt.date(2026, 3, 1), unit=territory[street], topic="联席会"
        ).pk
    return out


def _projects(user: Any) -> dict[str, int]:
    """A project of 东街道 located in G1 and one of 西街道 in G3, each with a PDF."""
    from gridgov.projects import project_records, services
    from gridgov.projects.services import ProjectInput

    out: dict[str, int] = {}
    pdf = b"%PDF-1.4\n%%EOF\n"
    for key, street, point in (("g1", "D-S1", G1_POINT), ("g3", "D-S2", G3_POINT)):
        p = services.create_project(
            user, ProjectInput(code=f"{key}-P", name=f"{key} 项目", kind="rd", applicant="某公司",
                               plan="city_st", year=2026, owner=street, lat=point[0],
                               lon=point[1]),
        )  # fmt: skip
        d = project_records.save_document(user, p.pk, io.BytesIO(pdf), size=len(pdf), name="a.pdf")
        out[f"{key}_project"], out[f"{key}_project_document"] = p.pk, d.pk
    return out


def _customs(territory: dict[str, Any]) -> dict[str, int]:
    """A rules version of 东一社区 and of 西一社区, and a registration in G1 and in G3."""
    from gridgov.customs.models import Registration, RulesVersion

    now = timezone.now()
    out: dict[str, int] = {}
    for key, community, grid in (("g1", "D-S1-C1", "D-S1-C1-G1"), ("g3", "D-S2-C2", "D-S2-C2-G3")):
        village, cell = territory[community], territory[grid]
        out[f"c{1 if key == 'g1' else 2}_village"] = village.pk
        out[f"{key}_customs_rules"] = RulesVersion.objects.create(
            community=village, number=1, title="村规民约", adopted=dt.date(2026, 1, 1),
            text="第一条", created_at=now,
        ).pk  # fmt: skip
        out[f"{key}_ceremony"] = Registration.objects.create(
            community=village, grid=cell, region_path=cell.path, kind="wedding",
            date=dt.date(2026, 6, 6), family_head="张大山", tables=10, created_at=now,
        ).pk  # fmt: skip
    return out


def _photo(order: Any, user: Any) -> int:
    from gridgov.workorders import attachments

    data = _png()
    return attachments.save_photo(
        order, io.BytesIO(data), size=len(data), name="p.png", stage="report", user=user
    ).pk


def _inspected_site(user: Any, point: tuple[float, float], name: str) -> tuple[int, int, int]:
    """(source, inspection, photo) ids: a site at `point`, inspected from ~100 m with a photo
    and its covering failed."""
    from gridgov.core import evidence
    from gridgov.inspections.models import ChecklistItem
    from gridgov.inspections.services import record_inspection
    from gridgov.sources.services import SourceInput, create_source, point_geometry

    source = create_source(
        SourceInput(category="construction_site", name=name, geometry=point_geometry(*point))
    )
    items = {
        i.pk: i.code != "covering"
        for i in ChecklistItem.objects.filter(category="construction_site", active=True)
    }
    data = _png()
    upload = io.BytesIO(data)
    upload.name, upload.size = "site.png", len(data)  # type: ignore[attr-defined]
    photos = evidence.prepare_photos([upload])
    done = record_inspection(
        user, source.pk, point[0] + 0.0009, point[1], 10.0, items=items, photos=photos
    )
    return source.pk, done.inspection.pk, done.inspection.photos.get().pk


def _cases(user: Any, approver: Any) -> dict[str, int]:
    """A decided case in G1 (published, with a photo) and one in G3."""
    from gridgov.enforcement import handling, publication, services
    from gridgov.enforcement.models import LegalBasis
    from gridgov.enforcement.steps import Step
    from gridgov.sources.services import SourceInput, create_source, point_geometry

    out: dict[str, int] = {}
    for key, point in (("g1", G1_POINT), ("g3", G3_POINT)):
        source = create_source(
            SourceInput(
                category="construction_site",
                name=f"{key} 工地",
                geometry=point_geometry(*point),
            )
        )
        case = services.open_case(
            services.CaseInput(
                title="工地扬尘", party_kind="org", party_name=f"{key} 建设公司",
                source_id=source.pk,
            ),
            user,
        )  # fmt: skip
        for step in (Step.INVESTIGATION, Step.NOTICE):
            handling.advance(case.pk, step, user)
        handling.advance(
            case.pk, Step.DECISION, user, penalty_amount="20000", decision="罚款",
            legal_basis_ids=[LegalBasis.objects.get(article="第一百一十五条").pk],
        )  # fmt: skip
        data = _png()
        document = handling.add_document(
            case.pk, user, io.BytesIO(data), size=len(data), name="site.png"
        )
        out[f"{key}_case"] = case.pk
        out[f"{key}_case_document"] = document.pk
        if key == "g1":
            pub = publication.propose(
                case.pk, user, title="工地扬尘被罚", summary="裸土未苫盖", photo_ids=[document.pk]
            )
            publication.approve(pub.pk, approver)
            out["publication"] = pub.pk
            out["publication_photo"] = pub.photos.get().pk
    return out


def _racing_card() -> int:
    from gridgov.racing.models import Indicator, Scorecard
    from gridgov.territory.models import Level

    card = Scorecard.objects.create(name="街道赛马", level=Level.STREET)
    Indicator.objects.create(scorecard=card, metric="pm25", weight=30)
    Indicator.objects.create(
        scorecard=card, metric="order_on_time_rate", weight=15, rule="threshold", bands=[[90, 100]]
    )
    return card.pk


def build_district(crew, territory, people, stations, put, report) -> District:  # noqa: F811
    """The district, on top of the named territory and crew (the fixtures' values)."""
    from gridgov.air.models import Station, Target
    from gridgov.air.stations import issue_token
    from gridgov.workorders.models import Source
    from tests.air.test_air_api import days

    official = _person(
        "街道主任", "13900000008", "street_official", territory["D-S1"], "s1_official"
    )
    people["s1_official"] = official
    crew["s1_official"] = official.user

    put(make_batch(stations["micro"], T0, 120, pm25=80.0, pm10=120.0, o3=90.0))
    days(stations["micro"], dt.date(2026, 4, 1), [30.0] * 30)
    Target.objects.create(
        region=territory["D"],
        metric="pm25",
        start=dt.date(2026, 4, 1),
        end=dt.date(2026, 12, 31),
        value=35,
    )
    m3 = Station.objects.create(
        code="M3", name="西一微站", kind="micro", lat=35.2, lon=113.3, grid=territory["D-S2-C2-G3"]
    )
    g1 = report(G1_POINT, source=Source.PATROL, user=crew["g1_worker"])
    g3 = report(G3_POINT, source=Source.PATROL, user=crew["command"], title="西边的工地")
    command, command_file = _command(crew["command"], "D-S1-C1-G1")
    g3_command, g3_command_file = _command(crew["command"], "D-S2-C2-G3")
    g1_site = _inspected_site(crew["g1_worker"], G1_POINT, "东一工地")
    g3_site = _inspected_site(crew["command"], G3_POINT, "西一工地")
    approver = _person("副指挥长", "13900000012", "command_office", territory["D"], "command2")
    return District(
        g1_order=g1.pk,
        g3_order=g3.pk,
        g1_event=g1.event_id,
        g1_reference=g1.event.reference,
        g1_photo=_photo(g1, crew["g1_worker"]),
        g3_photo=_photo(g3, crew["command"]),
        command=command,
        command_file=command_file,
        g3_command=g3_command,
        g3_command_file=g3_command_file,
        alarm=_alarm(stations["micro"]),
        g3_alarm=_alarm(m3),
        g1_person=people["g1_worker"].pk,
        g3_person=people["g3_worker"].pk,
        station_token=issue_token(stations["micro"]),
        g1_source=g1_site[0],
        g3_source=g3_site[0],
        g1_inspection=g1_site[1],
        g3_inspection=g3_site[1],
        g1_inspection_photo=g1_site[2],
        g3_inspection_photo=g3_site[2],
        **_cases(crew["command"], approver.user),
        warning=_warning(crew["command"]),
        g1_source_file=_source_file(g1_site[0]),
        g3_source_file=_source_file(g3_site[0]),
        **_forces(territory),
        **_organisations(territory),
        meeting=_meeting(crew["command"], "D-S1-C1-G1", "dispatch"),
        g3_meeting=_meeting(crew["command"], "D-S2-C2-G3", "topical"),
        racing_card=_racing_card(),
        **_projects(crew["command"]),
        s1_street=territory["D-S1"].pk,
        s2_street=territory["D-S2"].pk,
        **_mediation(territory),
        **_customs(territory),
    )


# --- one district per test module -------------------------------------------------------------
#
# Building the district takes about a second; the fuzz (tests/test_api_fuzz.py) asked for it in
# each of its ~400 cases (now one test per role, each operation rolled back to a savepoint of
# its own). So a module whose tests need nothing else of the database fixtures
# shares one district: built once inside an outer transaction (`district_world`, module scope),
# each test then running in a savepoint rolled back at its end (pytest-django's `db`), exactly as
# if the district had been built in the test's own transaction. A module that asks for one of the
# fixtures the district is made from (they would make a second territory), or for a transactional
# database (a live server), gets the district built in each test, as before.

# Fixtures a test cannot have alongside a shared district.
_PER_TEST = frozenset(
    {"crew", "territory", "people", "users", "stations", "put", "report", "transactional_db"}
    | {"live_server", "django_db_reset_sequences", "django_db_serialized_rollback"}
)


def _shareable(request: pytest.FixtureRequest) -> bool:
    tests = [i for i in request.session.items if getattr(i, "module", None) is request.module]
    return not any(_PER_TEST & set(getattr(i, "fixturenames", ())) for i in tests)


def _build_shared() -> District:
    """The district as the fixtures would build it in a test, at the test's moment."""
    clock = Clock(None)
    moment = swept_now()
    if moment is not None:
        clock.travel(moment)
    clear_process_caches()
    try:
        territory = make_territory()
        people = make_people(territory)
        crew = make_crew(people, territory, make_users())
        stations = make_stations(territory)
        return build_district(crew, territory, people, stations, make_put(), report_event)
    finally:
        clear_process_caches()
        clock.stop()


# How many districts this process built (the fuzz module checks it builds one).
BUILDS = {"shared": 0, "per_test": 0}


def shared_district(request: pytest.FixtureRequest, django_db_blocker: Any) -> Iterator[Any]:
    """The body of the `district_world` fixture (tests/conftest.py): the module's shared
    district, or None where its tests build their own (see above)."""
    if not _shareable(request):
        yield None
        return
    from django.db import transaction

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            built = _build_shared()
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    BUILDS["shared"] += 1
    try:
        yield built
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def district(request, district_world, db) -> District:
    """The district's ids; its rows are in the test's database for the test alone (a shared
    district: the test's savepoint inside the module's transaction)."""
    if district_world is not None:
        return district_world
    BUILDS["per_test"] += 1
    names = ("crew", "territory", "people", "stations", "put", "report")
    return build_district(*(request.getfixturevalue(n) for n in names))
