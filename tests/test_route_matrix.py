"""Who may reach what: every route of the URL configuration (the API's, the pages', Open311's;
the admin as one prefix), asked with GET by every role, against the table below.

A route added to the URL configuration without a row here fails `test_every_route_is_in_the_table`
naming the row to add; a route that answers a role differently from its row fails the role's test
with every difference listed. Rows with an id ask twice: with one the east roles can see (in grid
G1) and one they cannot (in G3: only the command office sees it).

Each status line lists, in this order:
    anonymous · command office · street official · community official · grid leader ·
    grid worker · account without a person
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tests.api_district import ROLES, District, district, put, stations  # noqa: F401

ORDER = list(ROLES)  # anonymous, command, street, community, grid_leader, grid_worker, no_person


@dataclass(frozen=True)
class Row:
    expect: str
    params: dict[str, str] = field(default_factory=dict)
    # The same route with ids the east roles cannot see, and what each role gets then.
    hidden: dict[str, str] = field(default_factory=dict)
    hidden_expect: str = ""
    query: str = ""


def row(expect: str, hidden_expect: str = "", query: str = "", **params: Any) -> Row:
    """`code="M1|M3"`: the visible value, then the hidden one; `@name`: the district's id."""
    visible = {k: v.split("|")[0] for k, v in params.items()}
    hidden = {k: v.split("|")[1] for k, v in params.items() if "|" in v}
    assert bool(hidden) == bool(hidden_expect), "a hidden id needs its statuses, and back"
    return Row(expect, visible, hidden, hidden_expect, query)


ROUTES: dict[str, Row] = {
    # --- the API (/api/v1/): bearer token or session; GET on a POST-only path is a 405 for all
    "api/v1/openapi.json": row("200 200 200 200 200 200 200"),
    "api/v1/docs": row("200 200 200 200 200 200 200"),
    "api/v1/auth/token": row("405 405 405 405 405 405 405"),
    "api/v1/auth/tokens": row("401 200 200 200 200 200 200"),
    "api/v1/auth/tokens/<token_id>": row("405 405 405 405 405 405 405", token_id="1"),
    "api/v1/auth/me": row("401 200 200 200 200 200 200"),
    "api/v1/regions": row("401 200 200 200 200 200 200"),
    # Outside the caller's scope: one 404, the same as for an id that does not exist.
    "api/v1/regions/<code>": row(
        "401 200 200 200 200 200 404", "401 200 404 404 404 404 404", code="D-S1-C1-G1|D-S2-C2-G3"
    ),
    "api/v1/grids.geojson": row("401 200 200 200 200 200 200"),
    "api/v1/locate": row("401 200 200 200 200 200 200", query="lat=35.2&lon=113.05"),
    "api/v1/export/regions.geojson": row("401 200 200 200 200 200 200"),
    "api/v1/export/regions.xlsx": row("401 200 200 200 200 200 200"),
    "api/v1/people": row("401 200 200 200 200 200 200"),
    "api/v1/people/<person_id>": row(
        "401 200 200 200 200 200 404",
        "401 200 404 404 404 404 404",
        person_id="@g1_person|@g3_person",
    ),
    "api/v1/export/people.xlsx": row("401 200 200 200 200 200 200"),
    "api/v1/search": row("401 200 200 200 200 200 200", query="q=%E4%B8%9C"),
    "api/v1/readings": row("405 405 405 405 405 405 405"),
    "api/v1/stations": row("401 200 200 200 200 200 200"),
    "api/v1/air/review": row("401 200 403 403 403 403 403"),
    "api/v1/air/review/<code>/<day>": row(
        "401 200 403 403 403 403 403", "401 200 403 403 403 403 403", code="M1|M3", day="2026-11-20"
    ),
    "api/v1/air/review/decisions": row("405 405 405 405 405 405 405"),
    "api/v1/air/review/<code>/<day>/approve": row(
        "405 405 405 405 405 405 405", code="M1", day="2026-11-20"
    ),
    "api/v1/air/review/decisions/<decision_id>/undo": row(
        "405 405 405 405 405 405 405", decision_id="1"
    ),
    "api/v1/air/tampering": row("401 200 403 403 403 403 403"),
    "api/v1/air/tampering/<finding_id>/decision": row(
        "405 405 405 405 405 405 405", finding_id="1"
    ),
    "api/v1/ingest/devices": row("401 200 200 200 200 200 200"),
    "api/v1/air/latest": row("401 200 200 200 200 200 200"),
    "api/v1/stations/<code>/hourly": row(
        "401 200 200 200 200 200 404", "401 200 404 404 404 404 404", code="M1|M3"
    ),
    "api/v1/stations/<code>/daily": row(
        "401 200 200 200 200 200 404", "401 200 404 404 404 404 404", code="M1|M3"
    ),
    "api/v1/stations/<code>/minutes": row(
        "401 200 200 200 200 200 404", "401 200 404 404 404 404 404", code="M1|M3"
    ),
    "api/v1/air/stations/<code>/factors": row(
        "401 200 200 200 200 200 404", "401 200 404 404 404 404 404", code="M1|M3"
    ),
    "api/v1/air/stations/<code>/rose": row(
        "401 200 200 200 200 200 404", "401 200 404 404 404 404 404", code="M1|M3"
    ),
    "api/v1/air/stations/<code>/cpf": row(
        "401 200 200 200 200 200 404", "401 200 404 404 404 404 404", code="M1|M3"
    ),
    # Back-trace: the station in the query; one outside the scope is 404 (tests/air/test_trace.py).
    "api/v1/air/trace": row(
        "401 200 200 200 200 200 404", query="station=M1&at=2026-12-07T10:00%2B08:00"
    ),
    # 治理成效: ?order= or ?warning= (scope, answers: tests/air/test_effect.py); neither is 400.
    "api/v1/air/effect": row("401 400 400 400 400 400 400"),
    "api/v1/aqi/calculate": row("405 405 405 405 405 405 405"),
    # Device control: the log is read in the scope; sending is a POST (air.control_device).
    "api/v1/air/stations/<code>/commands": row(
        "401 200 200 200 200 200 404", "401 200 404 404 404 404 404", code="M1|M3"
    ),
    # The raw packet archive: in the station scope, as the factor table.
    "api/v1/air/stations/<code>/packets": row(
        "401 200 200 200 200 200 404", "401 200 404 404 404 404 404", code="M1|M3"
    ),
    "api/v1/air/assessment": row("401 200 200 200 200 200 200"),
    "api/v1/air/rankings": row("401 200 200 200 200 200 200"),
    "api/v1/air/hotspots": row("401 200 200 200 200 200 200"),
    "api/v1/air/forecast": row("401 200 200 200 200 200 200"),
    "api/v1/air/targets/allowance": row("401 200 200 200 200 200 200"),
    # Sensor quality: every account, over its own stations; a station outside it is a 404.
    "api/v1/air/quality": row("401 200 200 200 200 200 200"),
    "api/v1/air/quality/calibrated": row(
        "401 200 200 200 200 200 404", query="station=M1&date=2026-11-20"
    ),
    "api/v1/air/targets": row("401 200 200 200 200 200 200"),
    "api/v1/alarms": row("401 200 200 200 200 200 200"),
    "api/v1/alarms/acknowledge": row("405 405 405 405 405 405 405"),
    "api/v1/alarms/<alarm_id>/acknowledge": row("405 405 405 405 405 405 405", alarm_id="@alarm"),
    "api/v1/categories": row("401 200 200 200 200 200 200"),
    "api/v1/events": row("405 405 405 405 405 405 405"),
    "api/v1/events/duplicates": row(
        "401 200 200 200 200 200 200", query="category=construction_dust&lat=35.2&lon=113.05"
    ),
    "api/v1/events/<int:event_id>/merge": row("405 405 405 405 405 405 405", event_id="@g1_event"),
    "api/v1/events/<int:event_id>/public": row("405 405 405 405 405 405 405", event_id="@g1_event"),
    "api/v1/orders": row("401 200 200 200 200 200 200"),
    "api/v1/orders.xlsx": row("401 200 200 200 200 200 200"),
    "api/v1/orders/<int:order_id>": row(
        "401 200 200 200 200 200 404", "401 200 404 404 404 404 404", order_id="@g1_order|@g3_order"
    ),
    "api/v1/orders/<int:order_id>/transitions": row(
        "405 405 405 405 405 405 405", order_id="@g1_order"
    ),
    "api/v1/orders/bulk": row("405 405 405 405 405 405 405"),
    "api/v1/inbox": row("401 200 200 200 200 200 200"),
    "api/v1/inbox/read": row("405 405 405 405 405 405 405"),
    "api/v1/priorities": row("401 200 200 200 200 200 200"),
    # --- the command centre (centre/): every account sees its own scope's figures
    "api/v1/overview": row("401 200 200 200 200 200 200"),
    "api/v1/governance": row("401 200 200 200 200 200 200"),
    "api/v1/overview/map": row("401 200 200 200 200 200 200", query="layers=grids,sources"),
    "overview/": row("302 200 200 200 200 200 200"),
    "overview/wall/": row("302 200 200 200 200 200 200"),
    "inbox/": row("302 200 200 200 200 200 200"),
    "governance/": row("302 200 200 200 200 200 200"),
    "air/hotspots/": row("302 200 200 200 200 200 200"),
    "air/forecast/": row("302 200 200 200 200 200 200"),
    "air/targets/allowance/": row("302 200 200 200 200 200 200"),
    "air/hotspots/export.xlsx": row("302 200 200 200 200 200 200"),
    "api/v1/orders/<int:order_id>/photos": row("405 405 405 405 405 405 405", order_id="@g1_order"),
    "api/v1/commands": row("401 200 200 200 200 200 200"),
    "api/v1/commands/<int:command_id>": row(
        "401 200 200 200 200 200 404",
        "401 200 404 404 404 404 404",
        command_id="@command|@g3_command",
    ),
    "api/v1/commands/<int:command_id>/acknowledge": row(
        "405 405 405 405 405 405 405", command_id="@command"
    ),
    "api/v1/commands/<int:command_id>/complete": row(
        "405 405 405 405 405 405 405", command_id="@command"
    ),
    "api/v1/orders/stats": row(
        "401 200 200 200 200 200 200", query="from=2026-01-01&to=2026-12-31"
    ),
    "api/v1/commands/<int:command_id>/files": row(
        "405 405 405 405 405 405 405", command_id="@command"
    ),
    # Inspections (巡查检查): scoped by the sources an account may see.
    "api/v1/inspections": row("401 200 200 200 200 200 200"),
    "api/v1/inspections/checklist": row(
        "401 200 200 200 200 200 200", query="category=construction_site"
    ),
    "api/v1/inspections/near": row("401 200 200 200 200 200 200", query="lat=35.2&lon=113.05"),
    "api/v1/inspections/<int:inspection_id>": row(
        "401 200 200 200 200 200 404",
        "401 200 404 404 404 404 404",
        inspection_id="@g1_inspection|@g3_inspection",
    ),
    "api/v1/inspections/rectifications": row("401 200 200 200 200 200 200"),
    "api/v1/inspections/due": row("401 200 200 200 200 200 200"),
    "api/v1/inspections/stats": row(
        "401 200 200 200 200 200 200", query="from=2026-01-01&to=2026-12-31"
    ),
    # Enforcement: cases are seen by the command office and the street and community officials
    # in their scope (grid posts have no permission: their list is empty, any case 404).
    "api/v1/legal-bases": row("401 200 200 200 200 200 200"),
    "api/v1/cases": row("401 200 200 200 200 200 200"),
    "api/v1/cases/stats": row("401 200 200 200 200 200 200", query="from=2026-01-01&to=2026-12-31"),
    "api/v1/cases/<int:case_id>": row(
        "401 200 200 200 404 404 404", "401 200 404 404 404 404 404", case_id="@g1_case|@g3_case"
    ),
    "api/v1/cases/<int:case_id>/steps": row("405 405 405 405 405 405 405", case_id="@g1_case"),
    "api/v1/cases/<int:case_id>/documents": row("405 405 405 405 405 405 405", case_id="@g1_case"),
    "api/v1/cases/<int:case_id>/publication": row(
        "405 405 405 405 405 405 405", case_id="@g1_case"
    ),
    "api/v1/publications/<int:publication_id>/approve": row(
        "405 405 405 405 405 405 405", publication_id="@publication"
    ),
    "api/v1/publications/<int:publication_id>/unpublish": row(
        "405 405 405 405 405 405 405", publication_id="@publication"
    ),
    # The exposure board: public, no account.
    "api/v1/public/exposure": row("200 200 200 200 200 200 200"),
    # Emergency: a declared level is district-wide, every account reads it (records scoped);
    # only the command office previews, declares and ends.
    "api/v1/emergency/current": row("401 200 200 200 200 200 200"),
    "api/v1/emergency/warnings": row("401 200 200 200 200 200 200"),
    "api/v1/emergency/warnings/<int:warning_id>": row(
        "401 200 200 200 200 200 200", warning_id="@warning"
    ),
    "api/v1/emergency/warnings/<int:warning_id>/sources": row(
        "401 200 200 200 200 200 200", warning_id="@warning"
    ),
    "api/v1/emergency/warnings/<int:warning_id>/end": row(
        "405 405 405 405 405 405 405", warning_id="@warning"
    ),
    "api/v1/emergency/preview": row("401 200 403 403 403 403 403", query="level=2"),
    # 预警建议: the command office reads and decides them; dismissing is a POST.
    "api/v1/emergency/recommendations": row("401 200 403 403 403 403 403"),
    "api/v1/emergency/recommendations/<int:recommendation_id>/dismiss": row(
        "405 405 405 405 405 405 405", recommendation_id="1"
    ),
    "api/v1/sources": row("401 200 200 200 200 200 200"),
    "api/v1/sources.xlsx": row("401 200 200 200 200 200 200"),
    "api/v1/sources.geojson": row("401 200 200 200 200 200 200"),
    "api/v1/sources/near": row("401 200 200 200 200 200 200", query="lat=35.2&lon=113.05"),
    "api/v1/sources/<int:source_id>": row(
        "401 200 200 200 200 200 404",
        "401 200 404 404 404 404 404",
        source_id="@g1_source|@g3_source",
    ),
    "api/v1/sources/<int:source_id>/status": row(
        "405 405 405 405 405 405 405", source_id="@g1_source"
    ),
    # 调度通报: scoped by the bulletin's unit (a street's own, the district's for the command
    # office); the district has none stored here, so an id is one 404 for every account.
    "api/v1/bulletins": row("401 200 200 200 200 200 200"),
    "api/v1/bulletins/<int:bulletin_id>": row("401 404 404 404 404 404 404", bulletin_id="999999"),
    "api/v1/bulletins/<int:bulletin_id>/pdf": row(
        "401 404 404 404 404 404 404", bulletin_id="999999"
    ),
    "api/v1/bulletins/<int:bulletin_id>/xlsx": row(
        "401 404 404 404 404 404 404", bulletin_id="999999"
    ),
    # 专班与物资: lists answer everyone (empty without the permission); one force, depot or
    # request 404s outside the scope (a community sees its street's) and for grid posts.
    "api/v1/forces": row("401 200 200 200 200 200 200"),
    "api/v1/forces/seconded": row("401 200 200 200 200 200 200"),
    "api/v1/forces/<int:force_id>": row(
        "401 200 200 200 404 404 404", "401 200 404 404 404 404 404", force_id="@g1_force|@g3_force"
    ),
    "api/v1/forces/<int:force_id>/roster": row(
        "401 200 200 200 404 404 404", "401 200 404 404 404 404 404", force_id="@g1_force|@g3_force"
    ),
    "api/v1/supplies/kinds": row("401 200 200 200 200 200 200"),
    "api/v1/supplies/depots": row("401 200 200 200 200 200 200"),
    "api/v1/supplies/stock": row("401 200 200 200 200 200 200"),
    "api/v1/supplies/stock.xlsx": row("401 200 200 200 200 200 200"),
    "api/v1/supplies/depots/<int:depot_id>/ledger": row(
        "401 200 200 200 404 404 404", "401 200 404 404 404 404 404", depot_id="@g1_depot|@g3_depot"
    ),
    "api/v1/supplies/movements": row("405 405 405 405 405 405 405"),
    "api/v1/supplies/allocations": row("401 200 200 200 200 200 200"),
    "api/v1/supplies/allocations/<int:allocation_id>/return": row(
        "405 405 405 405 405 405 405", allocation_id="1"
    ),
    "api/v1/supplies/requests": row("401 200 200 200 200 200 200"),
    "api/v1/supplies/requests/<int:request_id>": row(
        "401 200 200 200 404 404 404",
        "401 200 404 404 404 404 404",
        request_id="@g1_supply_request|@g3_supply_request",
    ),
    "api/v1/supplies/requests/<int:request_id>/approve": row(
        "405 405 405 405 405 405 405", request_id="@g1_supply_request"
    ),
    "api/v1/supplies/requests/<int:request_id>/reject": row(
        "405 405 405 405 405 405 405", request_id="@g1_supply_request"
    ),
    "api/v1/supplies/requests/<int:request_id>/handover": row(
        "405 405 405 405 405 405 405", request_id="@g1_supply_request"
    ),
    # 新兴领域党建: lists answer everyone (empty without the permission); one organisation or
    # meeting 404s outside the scope (a community sees its street's meetings) and for grid posts.
    "api/v1/organisations": row("401 200 200 200 200 200 200"),
    "api/v1/organisations/export.xlsx": row("401 200 200 200 200 200 200"),
    "api/v1/organisations/import": row("405 405 405 405 405 405 405"),
    "api/v1/organisations/<int:org_id>": row(
        "401 200 200 200 404 404 404", "401 200 404 404 404 404 404", org_id="@g1_org|@g3_org"
    ),
    **{
        f"api/v1/organisations/<int:org_id>/{action}": row(
            "405 405 405 405 405 405 405", org_id="@g1_org"
        )
        for action in ("move", "close", "party-org", "info", "assign", "end-assignment", "visits")
    },
    "api/v1/organisations/statistics": row("401 200 200 200 200 200 200"),
    "api/v1/organisations/instructors": row("401 200 200 200 200 200 200"),
    "api/v1/organisations/meetings": row("401 200 200 200 200 200 200"),
    "api/v1/organisations/meetings/<int:meeting_id>": row(
        "401 200 200 200 404 404 404",
        "401 200 404 404 404 404 404",
        meeting_id="@g1_org_meeting|@g3_org_meeting",
    ),
    "api/v1/organisations/volunteers": row("401 200 200 200 200 200 200"),
    "api/v1/organisations/volunteers/<int:volunteer_id>/end": row(
        "405 405 405 405 405 405 405", volunteer_id="1"
    ),
    "api/v1/organisations/volunteers/statistics": row("401 200 200 200 200 200 200"),
    # 项目: lists answer everyone (empty without the permission); a project (and its
    # documents) 404s outside the scope — a community sees those located in its grids.
    "api/v1/projects": row("401 200 200 200 200 200 200"),
    "api/v1/projects/summary": row("401 200 200 200 200 200 200"),
    "api/v1/projects/stats": row("401 200 200 200 200 200 200"),
    "api/v1/projects/export.xlsx": row("401 200 200 200 200 200 200"),
    "api/v1/projects/import": row("405 405 405 405 405 405 405"),
    "api/v1/projects/<int:project_id>": row(
        "401 200 200 200 404 404 404",
        "401 200 404 404 404 404 404",
        project_id="@g1_project|@g3_project",
    ),
    "api/v1/projects/<int:project_id>/status": row(
        "405 405 405 405 405 405 405", project_id="@g1_project"
    ),
    "api/v1/projects/<int:project_id>/milestones": row(
        "405 405 405 405 405 405 405", project_id="@g1_project"
    ),
    "api/v1/projects/milestones/<int:milestone_id>/done": row(
        "405 405 405 405 405 405 405", milestone_id="1"
    ),
    "api/v1/projects/<int:project_id>/spending": row(
        "405 405 405 405 405 405 405", project_id="@g1_project"
    ),
    "api/v1/projects/<int:project_id>/officials": row(
        "405 405 405 405 405 405 405", project_id="@g1_project"
    ),
    "api/v1/projects/officials/<int:official_id>": row(
        "405 405 405 405 405 405 405", official_id="1"
    ),
    "api/v1/projects/<int:project_id>/documents": row(
        "405 405 405 405 405 405 405", project_id="@g1_project"
    ),
    "api/v1/projects/documents/<int:document_id>": row(
        "401 200 200 200 404 404 404",
        "401 200 404 404 404 404 404",
        document_id="@g1_project_document|@g3_project_document",
    ),
    # 村规民约与移风易俗: villages are seen by their scope and by the grids inside them;
    # registrations only where the scope holds their grid; writes are POST only.
    # Camera AI alerts: an intake system's own token only (no account's token or session).
    "api/v1/intake/alerts": row("405 405 405 405 405 405 405"),
    "api/v1/intake/alerts/<alert_id>": row("401 401 401 401 401 401 401", alert_id="A1"),
    "api/v1/customs/villages": row("401 200 200 200 200 200 200"),
    "api/v1/customs/villages/<int:village_id>": row(
        "401 200 200 200 200 200 404",
        "401 200 404 404 404 404 404",
        village_id="@c1_village|@c2_village",
    ),
    "api/v1/customs/villages/<int:village_id>/meetings": row(
        "405 405 405 405 405 405 405", village_id="@c1_village"
    ),
    "api/v1/customs/villages/<int:village_id>/rules": row(
        "405 405 405 405 405 405 405", village_id="@c1_village"
    ),
    "api/v1/customs/villages/<int:village_id>/council": row(
        "405 405 405 405 405 405 405", village_id="@c1_village"
    ),
    "api/v1/customs/villages/<int:village_id>/council/members": row(
        "405 405 405 405 405 405 405", village_id="@c1_village"
    ),
    "api/v1/customs/villages/<int:village_id>/limits": row(
        "401 200 200 200 200 200 404",
        "401 200 404 404 404 404 404",
        village_id="@c1_village|@c2_village",
    ),
    "api/v1/customs/council/members/<int:member_id>/end": row(
        "405 405 405 405 405 405 405", member_id="1"
    ),
    "api/v1/customs/rules/<int:rules_id>": row(
        "401 200 200 200 200 200 404",
        "401 200 404 404 404 404 404",
        rules_id="@g1_customs_rules|@g3_customs_rules",
    ),
    "api/v1/customs/rules/<int:rules_id>/compare": row(
        "401 200 200 200 200 200 404",
        "401 200 404 404 404 404 404",
        rules_id="@g1_customs_rules|@g3_customs_rules",
    ),
    # No document uploaded: 404 for everyone who may ask.
    "api/v1/customs/rules/<int:rules_id>/file": row(
        "401 404 404 404 404 404 404", rules_id="@g1_customs_rules"
    ),
    "api/v1/customs/registrations": row("401 200 200 200 200 200 200"),
    "api/v1/customs/registrations.xlsx": row("401 200 200 200 200 200 200"),
    "api/v1/customs/registrations/import": row("405 405 405 405 405 405 405"),
    "api/v1/customs/registrations/<int:registration_id>": row(
        "401 200 200 200 200 200 404",
        "401 200 404 404 404 404 404",
        registration_id="@g1_ceremony|@g3_ceremony",
    ),
    "api/v1/customs/registrations/<int:registration_id>/follow-up": row(
        "405 405 405 405 405 405 405", registration_id="@g1_ceremony"
    ),
    "api/v1/customs/statistics": row("401 200 200 200 200 200 200"),
    # Meetings (调度会): seen where convened, attended or given a decision; written by the
    # convening office (here the command office: a district meeting).
    "api/v1/meetings": row("401 200 200 200 200 200 200"),
    "api/v1/meetings/<int:meeting_id>": row(
        "401 200 200 200 200 200 404",
        "401 200 404 404 404 404 404",
        meeting_id="@meeting|@g3_meeting",
    ),
    "api/v1/meetings/<int:meeting_id>/hold": row(
        "405 405 405 405 405 405 405", meeting_id="@meeting"
    ),
    "api/v1/meetings/<int:meeting_id>/statements": row(
        "405 405 405 405 405 405 405", meeting_id="@meeting"
    ),
    "api/v1/meetings/<int:meeting_id>/decisions": row(
        "405 405 405 405 405 405 405", meeting_id="@meeting"
    ),
    "api/v1/meetings/<int:meeting_id>/issue": row(
        "405 405 405 405 405 405 405", meeting_id="@meeting"
    ),
    "api/v1/meetings/<int:meeting_id>/minutes.docx": row(
        "401 200 200 200 200 200 404",
        "401 200 404 404 404 404 404",
        meeting_id="@meeting|@g3_meeting",
    ),
    "api/v1/meetings/<int:meeting_id>/minutes.pdf": row(
        "401 200 200 200 200 200 404",
        "401 200 404 404 404 404 404",
        meeting_id="@meeting|@g3_meeting",
    ),
    # 人民调解: lists answer everyone (empty without the permission); a case (and its
    # agreement) 404s outside the scope and for an account without a person.
    "api/v1/mediation/cases": row("401 200 200 200 200 200 200"),
    "api/v1/mediation/cases.xlsx": row("401 200 200 200 200 200 200"),
    "api/v1/mediation/orders/<int:order_id>/case": row(
        "405 405 405 405 405 405 405", order_id="@g1_order"
    ),
    "api/v1/mediation/cases/<int:case_id>": row(
        "401 200 200 200 200 200 404",
        "401 200 404 404 404 404 404",
        case_id="@g1_mediation_case|@g3_mediation_case",
    ),
    "api/v1/mediation/cases/<int:case_id>/sessions": row(
        "405 405 405 405 405 405 405", case_id="@g1_mediation_case"
    ),
    "api/v1/mediation/cases/<int:case_id>/outcome": row(
        "405 405 405 405 405 405 405", case_id="@g1_mediation_case"
    ),
    "api/v1/mediation/cases/<int:case_id>/sign": row(
        "405 405 405 405 405 405 405", case_id="@g1_mediation_case"
    ),
    "api/v1/mediation/cases/<int:case_id>/judicial": row(
        "405 405 405 405 405 405 405", case_id="@g1_mediation_case"
    ),
    "api/v1/mediation/cases/<int:case_id>/followups": row(
        "405 405 405 405 405 405 405", case_id="@g1_mediation_case"
    ),
    "api/v1/mediation/cases/<int:case_id>/archive": row(
        "405 405 405 405 405 405 405", case_id="@g1_mediation_case"
    ),
    "api/v1/mediation/cases/<int:case_id>/agreement.docx": row(
        "401 200 200 200 200 200 404",
        "401 200 404 404 404 404 404",
        case_id="@g1_mediation_case|@g3_mediation_case",
    ),
    "api/v1/mediation/cases/<int:case_id>/agreement.pdf": row(
        "401 200 200 200 200 200 404",
        "401 200 404 404 404 404 404",
        case_id="@g1_mediation_case|@g3_mediation_case",
    ),
    "api/v1/mediation/statistics": row("401 200 200 200 200 200 200"),
    "api/v1/mediation/committees": row("401 200 200 200 200 200 200"),
    "api/v1/mediation/trainings": row("401 200 200 200 200 200 200"),
    "api/v1/mediation/mediators": row("401 200 200 200 200 200 200"),
    "api/v1/mediation/trainings/<int:training_id>/attendance": row(
        "405 405 405 405 405 405 405", training_id="1"
    ),
    # 赛马比拼: cards are the district's configuration; results are the caller's units (scoped
    # rows, so 200 for all); a unit's history 404 outside the scope (a community official does
    # not see its street).
    "api/v1/racing/cards": row("401 200 200 200 200 200 200"),
    "api/v1/racing/cards/<int:card_id>/results": row(
        "401 200 200 200 200 200 200", card_id="@racing_card"
    ),
    "api/v1/racing/cards/<int:card_id>/results.xlsx": row(
        "401 200 200 200 200 200 200", card_id="@racing_card"
    ),
    "api/v1/racing/units/<int:region_id>/history": row(
        "401 200 200 404 404 404 404",
        "401 200 404 404 404 404 404",
        region_id="@s1_street|@s2_street",
    ),
    # Not an endpoint: the API's own 404 (JSON), for anyone.
    "api/v1/": row("404 404 404 404 404 404 404"),
    "api/v1/<anything:rest>": row("404 404 404 404 404 404 404", rest="no/such/thing"),
    # --- the admin: staff accounts (every post but the grid posts; tests/conftest.py)
    "admin/": row("302 200 200 200 302 302 302"),
    # --- the pages: a login first (302), then scoped like the API (404 outside the scope)
    "i18n/setlang/": row("302 302 302 302 302 302 302"),
    "air/": row("302 200 200 200 200 200 200"),
    "air/station/<str:code>/": row(
        "302 200 200 200 200 200 404", "302 200 404 404 404 404 404", code="M1|M3"
    ),
    "air/targets/": row("302 200 200 200 200 200 200"),
    "air/rankings/": row("302 200 200 200 200 200 200"),
    "air/quality/": row("302 200 200 200 200 200 200"),
    "air/alarms/": row("302 200 200 200 200 200 200"),
    "air/alarms/acknowledge/": row("302 405 405 405 405 405 405"),
    "air/alarms/<int:alarm_id>/acknowledge/": row("302 405 405 405 405 405 405", alarm_id="@alarm"),
    "air/station/<str:code>/commands/": row("302 405 405 405 405 405 405", code="M1"),
    # The raw packet archive's download (a station without an MN: 404 for every role).
    "air/station/<str:code>/packets/": row(
        "302 404 404 404 404 404 404", "302 404 404 404 404 404 404", code="M1|M3"
    ),
    # Data review: the command office may look; only data reviewers act (none of these roles).
    "air/review/": row("302 200 403 403 403 403 403"),
    "air/station/<str:code>/review/<str:day>/": row(
        "302 200 403 403 403 403 403", "302 200 403 403 403 403 403", code="M1|M3", day="2026-11-20"
    ),
    "air/station/<str:code>/review/<str:day>/decide/": row(
        "302 405 405 405 405 405 405", code="M1", day="2026-11-20"
    ),
    "air/station/<str:code>/review/<str:day>/approve/": row(
        "302 405 405 405 405 405 405", code="M1", day="2026-11-20"
    ),
    "air/review/decisions/<int:decision_id>/undo/": row(
        "302 405 405 405 405 405 405", decision_id="1"
    ),
    # Tampering findings: the command office may look; only data reviewers decide.
    "air/tampering/": row("302 200 403 403 403 403 403"),
    "air/tampering/<int:finding_id>/decision/": row("302 405 405 405 405 405 405", finding_id="1"),
    "orders/": row("302 200 200 200 200 200 200"),
    "orders/new/": row("302 200 200 200 200 200 404"),
    "orders/<int:pk>/": row(
        "302 200 200 200 200 200 404", "302 200 404 404 404 404 404", pk="@g1_order|@g3_order"
    ),
    "orders/<int:pk>/merge/": row("302 405 405 405 405 405 405", pk="@g1_order"),
    "orders/<int:pk>/public/": row("302 405 405 405 405 405 405", pk="@g1_order"),
    "orders/photos/<int:pk>": row(
        "302 200 200 200 200 200 404", "302 200 404 404 404 404 404", pk="@g1_photo|@g3_photo"
    ),
    "orders/commands/": row("302 200 200 200 200 200 200"),
    "orders/deliveries/": row("302 200 200 404 404 404 404"),
    "orders/notice-settings/": row("302 200 200 200 200 200 404"),
    "orders/m/notice-settings/": row("302 200 200 200 200 200 404"),
    "orders/commands/<int:pk>/": row(
        "302 200 200 200 200 200 404", "302 200 404 404 404 404 404", pk="@command|@g3_command"
    ),
    "orders/commands/files/<int:pk>": row(
        "302 200 200 200 200 200 404",
        "302 200 404 404 404 404 404",
        pk="@command_file|@g3_command_file",
    ),
    "orders/stats/": row("302 200 200 200 200 200 200"),
    "orders/m/": row("302 200 200 200 200 200 200"),
    "orders/m/report/": row("302 200 200 200 200 200 200"),
    "orders/m/inbox/": row("302 200 200 200 200 200 200"),
    "orders/m/queue/": row("302 200 200 200 200 200 200"),
    "orders/m/<int:pk>/": row(
        "302 200 200 200 200 200 404", "302 200 404 404 404 404 404", pk="@g1_order|@g3_order"
    ),
    "inspections/": row("302 200 200 200 200 200 200"),
    "inspections/<int:pk>/": row(
        "302 200 200 200 200 200 404",
        "302 200 404 404 404 404 404",
        pk="@g1_inspection|@g3_inspection",
    ),
    "inspections/photos/<int:pk>": row(
        "302 200 200 200 200 200 404",
        "302 200 404 404 404 404 404",
        pk="@g1_inspection_photo|@g3_inspection_photo",
    ),
    "m/inspect/": row("302 200 200 200 200 200 200"),
    "m/inspect/<int:pk>/": row(
        "302 200 200 200 200 200 404", "302 200 404 404 404 404 404", pk="@g1_source|@g3_source"
    ),
    "m/inspect/done/<int:pk>/": row(
        "302 200 200 200 200 200 404",
        "302 200 404 404 404 404 404",
        pk="@g1_inspection|@g3_inspection",
    ),
    "emergency/": row("302 200 200 200 200 200 200"),
    "emergency/<int:pk>/": row("302 200 200 200 200 200 200", pk="@warning"),
    "emergency/<int:pk>/end/": row("302 405 405 405 405 405 405", pk="@warning"),
    "emergency/recommendations/<int:pk>/dismiss/": row("302 405 405 405 405 405 405", pk="1"),
    # 污染源档案: reading in scope; writing for the desk roles (not grid posts, not nobody)
    "sources/": row("302 200 200 200 200 200 200"),
    "sources/new/": row("302 200 200 200 403 403 403"),
    "sources/export.xlsx": row("302 200 200 200 200 200 200"),
    "sources/template.xlsx": row("302 200 200 200 200 200 200", query="category=vehicle"),
    "sources/<int:pk>/": row(
        "302 200 200 200 200 200 404", "302 200 404 404 404 404 404", pk="@g1_source|@g3_source"
    ),
    "sources/<int:pk>/edit/": row(
        "302 200 200 200 403 403 404", "302 200 404 404 404 404 404", pk="@g1_source|@g3_source"
    ),
    "sources/<int:pk>/status/": row("302 405 405 405 405 405 405", pk="@g1_source"),
    "sources/<int:pk>/files/": row("302 405 405 405 405 405 405", pk="@g1_source"),
    "sources/files/<int:pk>": row(
        "302 200 200 200 200 200 404",
        "302 200 404 404 404 404 404",
        pk="@g1_source_file|@g3_source_file",
    ),
    "meetings/": row("302 200 200 200 200 200 200"),
    "meetings/new/": row("302 200 200 403 403 403 403"),
    "meetings/<int:pk>/": row(
        "302 200 200 200 200 200 404", "302 200 404 404 404 404 404", pk="@meeting|@g3_meeting"
    ),
    "meetings/<int:pk>/edit/": row(
        "302 200 403 403 403 403 404", "302 200 404 404 404 404 404", pk="@meeting|@g3_meeting"
    ),
    "meetings/<int:pk>/attendance/": row("302 405 405 405 405 405 405", pk="@meeting"),
    "meetings/<int:pk>/hold/": row("302 405 405 405 405 405 405", pk="@meeting"),
    "meetings/<int:pk>/statements/": row("302 405 405 405 405 405 405", pk="@meeting"),
    "meetings/<int:pk>/decisions/": row("302 405 405 405 405 405 405", pk="@meeting"),
    "meetings/<int:pk>/remove/": row("302 405 405 405 405 405 405", pk="@meeting"),
    "meetings/<int:pk>/issue/": row("302 405 405 405 405 405 405", pk="@meeting"),
    "meetings/<int:pk>/minutes.<str:fmt>": row(
        "302 200 200 200 200 200 404",
        "302 200 404 404 404 404 404",
        pk="@meeting|@g3_meeting",
        fmt="docx",
    ),
    "racing/": row("302 200 200 200 200 200 200"),
    "racing/cards/<int:pk>/": row("302 200 200 200 200 200 200", pk="@racing_card"),
    "racing/cards/<int:pk>/export.xlsx": row("302 200 200 200 200 200 200", pk="@racing_card"),
    "racing/units/<int:region_id>/": row(
        "302 200 200 404 404 404 404",
        "302 200 404 404 404 404 404",
        region_id="@s1_street|@s2_street",
    ),
    # --- Open311 GeoReport v2 and the public page: no account
    # Enforcement pages: the list for those who may view cases (403 otherwise), a new case for
    # those who may handle them; a case (and its documents) 404 outside the scope.
    "cases/": row("302 200 200 200 403 403 403"),
    "cases/new/": row("302 200 403 403 403 403 403"),
    "cases/<int:pk>/": row(
        "302 200 200 200 404 404 404", "302 200 404 404 404 404 404", pk="@g1_case|@g3_case"
    ),
    "cases/documents/<int:pk>": row(
        "302 200 200 200 404 404 404",
        "302 200 404 404 404 404 404",
        pk="@g1_case_document|@g3_case_document",
    ),
    "bulletins/": row("302 200 200 200 200 200 200"),
    "bulletins/<int:pk>.pdf": row("302 404 404 404 404 404 404", pk="999999"),
    "bulletins/<int:pk>.xlsx": row("302 404 404 404 404 404 404", pk="999999"),
    # 专班与物资 pages: the desk roles (grid posts and nobody: 403); scoped like the API
    "forces/": row("302 200 200 200 403 403 403"),
    "forces/<int:pk>/": row(
        "302 200 200 200 404 404 404", "302 200 404 404 404 404 404", pk="@g1_force|@g3_force"
    ),
    "supplies/": row("302 200 200 200 403 403 403"),
    "supplies/export.xlsx": row("302 200 200 200 403 403 403"),
    "supplies/requests/<int:pk>/": row(
        "302 200 200 200 404 404 404",
        "302 200 404 404 404 404 404",
        pk="@g1_supply_request|@g3_supply_request",
    ),
    "supplies/requests/<int:pk>/<str:action>/": row(
        "302 405 405 405 405 405 405", pk="@g1_supply_request", action="approve"
    ),
    # 新兴领域党建 pages: the desk roles (grid posts and nobody: 403); grid staff register
    # volunteers (desk and phone)
    "organisations/": row("302 200 200 200 403 403 403"),
    "organisations/new/": row("302 200 200 200 403 403 403"),
    "organisations/import/": row("302 200 200 200 403 403 403"),
    "organisations/export.xlsx": row("302 200 200 200 403 403 403"),
    "organisations/<int:pk>/": row(
        "302 200 200 200 404 404 404", "302 200 404 404 404 404 404", pk="@g1_org|@g3_org"
    ),
    "organisations/<int:pk>/<str:action>/": row(
        "302 405 405 405 405 405 405", pk="@g1_org", action="move"
    ),
    "organisations/instructors/": row("302 200 200 200 403 403 403"),
    "organisations/statistics/": row("302 200 200 200 403 403 403"),
    "organisations/meetings/": row("302 200 200 200 403 403 403"),
    "organisations/meetings/<int:pk>/": row(
        "302 200 200 200 404 404 404",
        "302 200 404 404 404 404 404",
        pk="@g1_org_meeting|@g3_org_meeting",
    ),
    "organisations/volunteers/": row("302 200 200 200 200 200 403"),
    "organisations/volunteers/<int:pk>/end/": row("302 405 405 405 405 405 405", pk="1"),
    "organisations/m/volunteer/": row("302 200 200 200 200 200 403"),
    # 项目 pages: the desk roles (grid posts and nobody: 403); registering and importing for
    # the district and street offices; a project 404s outside the scope.
    "projects/": row("302 200 200 200 403 403 403"),
    "projects/new/": row("302 200 200 403 403 403 403"),
    "projects/map/": row("302 200 200 200 403 403 403"),
    "projects/export.xlsx": row("302 200 200 200 403 403 403"),
    "projects/import/": row("302 200 200 403 403 403 403"),
    "projects/<int:pk>/": row(
        "302 200 200 200 404 404 404", "302 200 404 404 404 404 404", pk="@g1_project|@g3_project"
    ),
    "projects/<int:pk>/<str:action>/": row(
        "302 405 405 405 405 405 405", pk="@g1_project", action="status"
    ),
    "projects/documents/<int:pk>": row(
        "302 200 200 200 404 404 404",
        "302 200 404 404 404 404 404",
        pk="@g1_project_document|@g3_project_document",
    ),
    # 村规民约与移风易俗 pages: every post with the view permission (no person: 403); a
    # village, a registration and its phone result 404 outside the scope; forms are POST only.
    "customs/": row("302 200 200 200 200 200 403"),
    "customs/<int:pk>/": row(
        "302 200 200 200 200 200 404",
        "302 200 404 404 404 404 404",
        pk="@c1_village|@c2_village",
    ),
    "customs/<int:pk>/<str:action>/": row(
        "302 405 405 405 405 405 405", pk="@c1_village", action="rules"
    ),
    "customs/rules/<int:pk>/file": row("302 404 404 404 404 404 404", pk="@g1_customs_rules"),
    "customs/registrations/": row("302 200 200 200 200 200 403"),
    "customs/registrations/export.xlsx": row("302 200 200 200 200 200 403"),
    "customs/registrations/import/": row("302 405 405 405 405 405 405"),
    "customs/registrations/new/": row("302 200 200 200 200 200 403"),
    "customs/registrations/<int:pk>/": row(
        "302 200 200 200 200 200 404",
        "302 200 404 404 404 404 404",
        pk="@g1_ceremony|@g3_ceremony",
    ),
    "customs/stats/": row("302 200 200 200 200 200 403"),
    "customs/m/new/": row("302 200 200 200 200 200 403"),
    "customs/m/<int:pk>/": row(
        "302 200 200 200 200 200 404",
        "302 200 404 404 404 404 404",
        pk="@g1_ceremony|@g3_ceremony",
    ),
    # --- Open311 GeoReport v2 and the public pages: no account
    "open311/v2/": row("302 302 302 302 302 302 302"),
    "open311/v2/discovery.<str:fmt>": row("200 200 200 200 200 200 200", fmt="json"),
    "open311/v2/services.<str:fmt>": row("200 200 200 200 200 200 200", fmt="json"),
    "open311/v2/services/<str:code>.<str:fmt>": row(
        "200 200 200 200 200 200 200", code="construction_dust", fmt="json"
    ),
    "open311/v2/requests.<str:fmt>": row("200 200 200 200 200 200 200", fmt="json"),
    # A patrol event is internal: Open311 answers as if it did not exist.
    "open311/v2/requests/<str:ref>.<str:fmt>": row(
        "404 404 404 404 404 404 404", ref="@g1_reference", fmt="json"
    ),
    "open311/v2/tokens/<str:token>.<str:fmt>": row(
        "404 404 404 404 404 404 404", token="nosuchtoken", fmt="json"
    ),
    # Not an endpoint (no format suffix, or no such path): the spec's 404 list, for anyone.
    "open311/v2/<path:rest>": row("404 404 404 404 404 404 404", rest="requests"),
    "open311/": row("404 404 404 404 404 404 404"),
    "open311/<path:rest>": row("404 404 404 404 404 404 404", rest="v1/services.json"),
    "report/": row("200 200 200 200 200 200 200"),
    "report/track/": row("200 200 200 200 200 200 200"),
    # The reporter's verdict: POST only from the tracking page; the SMS link's signed token
    # (a bad one is the same 404 for everyone).
    "report/track/verdict/": row("405 405 405 405 405 405 405"),
    "report/v/<str:token>/": row("404 404 404 404 404 404 404", token="not-a-token"),
    "report/area.geojson": row("200 200 200 200 200 200 200"),
    # A point in words (community and grid names, their grids' outlines): public, no people.
    "report/where": row("200 200 200 200 200 200 200", query="lat=35.2&lon=113.05"),
    # Streets' and communities' outlines and names for every map's base layer: public.
    "map/boundaries.geojson": row("200 200 200 200 200 200 200"),
    "exposure/": row("200 200 200 200 200 200 200"),
    "exposure/<int:pk>/": row("200 200 200 200 200 200 200", pk="@publication"),
    "exposure/photos/<int:pk>": row("200 200 200 200 200 200 200", pk="@publication_photo"),
    # 人民调解 pages: every post sees its cases (grid posts register them); the account
    # without a person has no permission (403) or no such case (404). Trainings' attendance is
    # for the desk roles; a follow-up is recorded by those who mediate.
    "mediation/": row("302 200 200 200 200 200 403"),
    "mediation/new/": row("302 200 200 200 200 200 403"),
    "mediation/from-order/": row("302 405 405 405 405 405 405"),
    "mediation/export.xlsx": row("302 200 200 200 200 200 403"),
    "mediation/cases/<int:pk>/": row(
        "302 200 200 200 200 200 404",
        "302 200 404 404 404 404 404",
        pk="@g1_mediation_case|@g3_mediation_case",
    ),
    "mediation/cases/<int:pk>/agreement.<str:fmt>": row(
        "302 200 200 200 200 200 404",
        "302 200 404 404 404 404 404",
        pk="@g1_mediation_case|@g3_mediation_case",
        fmt="pdf",
    ),
    "mediation/cases/<int:pk>/<str:action>/": row(
        "302 405 405 405 405 405 405", pk="@g1_mediation_case", action="session"
    ),
    "mediation/committees/": row("302 200 200 200 200 200 403"),
    "mediation/trainings/new/": row("302 405 405 405 405 405 405"),
    "mediation/trainings/attendance.xlsx": row("302 200 200 200 403 403 403"),
    "mediation/trainings/import/": row("302 405 405 405 405 405 405"),
    "mediation/stats/": row("302 200 200 200 200 200 403"),
    "mediation/m/new/": row("302 200 200 200 200 200 403"),
    "mediation/m/followups/": row("302 200 200 200 200 200 403"),
    "mediation/m/followups/<int:pk>/": row(
        "302 200 200 200 403 403 404",
        "302 200 404 404 404 404 404",
        pk="@g1_mediation_case|@g3_mediation_case",
    ),
    # --- redirects, login, health
    "m/": row("302 302 302 302 302 302 302"),
    "": row("302 302 302 302 302 302 302"),
    "login/": row("200 200 200 200 200 200 200"),
    "logout/": row("405 405 405 405 405 405 405"),
    "map/": row("302 200 200 200 200 200 200"),
    "healthz": row("200 200 200 200 200 200 200"),
    "sw.js": row("200 200 200 200 200 200 200"),  # the phone app's service worker
    "manifest.webmanifest": row("200 200 200 200 200 200 200"),
    "favicon.ico": row("301 301 301 301 301 301 301"),
}


def routes() -> list[str]:
    """Every route of the URL configuration, as its pattern (`api/v1/orders/<int:order_id>`);
    the admin site as its prefix alone."""
    out: list[str] = []

    def walk(patterns: list[Any], prefix: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                if str(p.pattern) == "admin/":
                    out.append(prefix + "admin/")
                    continue
                walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                out.append(prefix + str(p.pattern))

    walk(get_resolver().url_patterns, "")
    return list(dict.fromkeys(out))


def url(route: str, params: dict[str, str], d: District, query: str = "") -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        raw = params[name]
        return str(getattr(d, raw[1:])) if raw.startswith("@") else raw

    path = "/" + re.sub(r"<(?:\w+:)?(\w+)>", value, route)
    return f"{path}?{query}" if query else path


def test_every_route_is_in_the_table():
    present = routes()
    missing = [r for r in present if r not in ROUTES]
    stale = [r for r in ROUTES if r not in present]
    assert not missing, "add a row to ROUTES in tests/test_route_matrix.py for: " + ", ".join(
        missing
    )
    assert not stale, "these rows name no route any more: " + ", ".join(stale)


@pytest.mark.parametrize("role", ORDER)
def test_each_role_gets_what_the_table_says(role, district, crew):  # noqa: F811
    from django.test import Client

    client = Client(raise_request_exception=False)
    username = ROLES[role]
    if username is not None:
        client.force_login(crew[username])
    column = ORDER.index(role)
    wrong = []
    for route in routes():
        spec = ROUTES.get(route)
        if spec is None:
            continue  # test_every_route_is_in_the_table says so
        asks = [(spec.params, spec.expect)]
        if spec.hidden:
            asks.append(({**spec.params, **spec.hidden}, spec.hidden_expect))
        for params, expect in asks:
            address = url(route, params, district, spec.query)
            got = client.get(address).status_code
            wanted = int(expect.split()[column])
            if got != wanted:
                wrong.append(f"GET {address}: {got}, the table says {wanted}")
    assert not wrong, f"as {role}:\n  " + "\n  ".join(wrong)
