"""The projects' services: scope, registering (checks and refusals), the status flow with its
dated history, milestones, the spending ledger, officials, documents and the statistics."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest

from gridgov.projects import listing, project_records, services
from gridgov.projects.listing import Filters
from gridgov.projects.models import Project, Status
from gridgov.projects.services import ProjectsError
from tests.projects.conftest import G1_POINT, G3_POINT, project_input

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)


def refused(kind: str, field: str | None, fn, *args, **kwargs) -> ProjectsError:
    with pytest.raises(ProjectsError) as info:
        fn(*args, **kwargs)
    assert (info.value.kind, info.value.field) == (kind, field), info.value.message
    return info.value


def codes(qs) -> list[str]:
    return sorted(p.code for p in qs)


def test_scope_by_owner_or_grid(place, users):
    assert codes(services.projects_for(users["command"])) == ["KJ-D1", "KJ-E1", "KJ-W1"]
    assert codes(services.projects_for(users["s1_official"])) == ["KJ-E1"]
    # A community sees the projects located in its grids, not its street's elsewhere.
    assert codes(services.projects_for(users["east_secretary"])) == ["KJ-E1"]
    assert codes(services.projects_for(users["west_secretary"])) == ["KJ-W1"]
    assert codes(services.projects_for(users["g1_leader"])) == []  # no permission
    assert codes(services.projects_for(users["nobody"])) == []
    refused("not_found", None, services.get_project, users["s1_official"], place.west.pk)
    refused("not_found", None, services.get_project, users["s1_official"], 999999)


def test_manage_needs_the_owner_in_scope(place, users):
    assert services.can_manage(users["s1_official"], place.east)
    # The community sees its grid's project but the street owns it.
    assert not services.can_manage(users["east_secretary"], place.east)
    refused("forbidden", None, project_records.add_milestone, users["east_secretary"],
            place.east.pk, "节点", place.today)  # fmt: skip
    assert not services.can_manage(users["s1_official"], place.district)


def test_create_locates_the_grid(place, users):
    p = place.east
    assert p.grid is not None and p.grid.code == "D-S1-C1-G1"
    assert [r.code for r in listing.grid_chain(p)] == ["D", "D-S1", "D-S1-C1", "D-S1-C1-G1"]
    assert listing.grid_chain(place.district) == []
    first = p.history.first()
    assert first is not None and (first.from_status, first.to_status) == ("", Status.APPLIED)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"code": ""}, "code"),
        ({"code": "A B"}, "code"),
        ({"code": "x" * 41}, "code"),
        ({"name": "x" * 201}, "name"),
        ({"name": "坏\x00名"}, "name"),
        ({"kind": "space"}, "kind"),
        ({"plan": "lottery"}, "plan"),
        ({"year": 1999}, "year"),
        ({"year": "20x6"}, "year"),
        ({"granted": "NaN"}, "granted"),
        ({"granted": "-1"}, "granted"),
        ({"granted": "1.001"}, "granted"),
        ({"granted": "1e20"}, "granted"),
        ({"owner": "D-S2"}, "owner"),  # a street official registers for its own street only
        ({"owner": "D-S1-C1"}, "owner"),  # a community is not an owning unit
        ({"lat": 35.2, "lon": None}, "lon"),
        ({"lat": 10.0, "lon": 10.0}, "lat"),  # in no grid
        ({"lat": G3_POINT[0], "lon": G3_POINT[1]}, "lat"),  # outside the owner's area
        ({"lat": 95.0, "lon": 113.0}, "lat"),
        ({"status": "done"}, "status"),
        ({"status_date": "2026-02-30"}, "status_date"),
    ],
)
def test_create_refusals(place, users, changes, field):
    data = project_input("KJ-NEW", "D-S1", G1_POINT)
    for key, value in changes.items():
        setattr(data, key, value)
    refused("invalid", field, services.create_project, users["s1_official"], data)
    assert not Project.objects.filter(code="KJ-NEW").exists()


def test_create_duplicate_code_and_permission(place, users):
    refused("conflict", "code", services.create_project, users["command"],
            project_input("KJ-E1", "D", None))  # fmt: skip
    refused("forbidden", None, services.create_project, users["g1_leader"],
            project_input("KJ-X", "D", None))  # fmt: skip
    p = services.create_project(users["s1_official"], project_input("KJ-S1B", "D-S1", None))
    assert p.owner.code == "D-S1" and p.grid is None


def test_status_flow_and_history(place, users):
    user, east, today = users["s1_official"], place.east, place.today
    refused("conflict", "status", services.change_status, user, east.pk, "completed", today)
    refused("invalid", "date", services.change_status, user, east.pk, "ongoing", today + DAY)
    refused("invalid", "date", services.change_status, user, east.pk, "ongoing",
            today - dt.timedelta(days=55))  # fmt: skip  # before the last change
    services.change_status(user, east.pk, "ongoing", today - dt.timedelta(days=45))
    services.change_status(user, east.pk, "acceptance", today)
    # Completing needs every milestone done.
    refused("conflict", "status", services.change_status, user, east.pk, "completed", today)
    refused("invalid", "note", services.change_status, user, east.pk, "terminated", today)
    services.change_status(user, east.pk, "terminated", today, "企业主动放弃")
    east.refresh_from_db()
    assert east.status == Status.TERMINATED
    assert [h.to_status for h in east.history.all()] == [
        "applied", "approved", "ongoing", "acceptance", "terminated"
    ]  # fmt: skip
    assert services.next_statuses(user, east) == ()
    refused("conflict", "status", project_records.add_milestone, user, east.pk, "新节点", today)


def test_milestones(place, users):
    user, today = users["s1_official"], place.today
    due = place.east.milestones.get(title="样机下线")
    assert due.overdue_on(today) and not due.late
    refused("invalid", "done", project_records.complete_milestone, user, due.pk, today + DAY)
    m = project_records.complete_milestone(user, due.pk, today)
    assert m.late and not m.overdue_on(today)
    refused("conflict", "done", project_records.complete_milestone, user, due.pk, today)
    refused("not_found", None, project_records.complete_milestone, user, 999999, today)
    refused("invalid", "title", project_records.add_milestone, user, place.east.pk, "", today)
    refused(
        "invalid", "planned", project_records.add_milestone, user, place.east.pk, "x", "2026-02-30"
    )


def test_spending_ledger(place, users):
    user, east, today = users["s1_official"], place.east, place.today
    assert services.spent_of(east) == Decimal("40.00")
    refused("invalid", "amount", project_records.record_spending, user, east.pk, today, 0)
    refused("invalid", "amount", project_records.record_spending, user, east.pk, today, "inf")
    refused("invalid", "date", project_records.record_spending, user, east.pk, today + DAY, 1)
    refused("invalid", "note", project_records.record_spending, user, east.pk, today, "-5")
    refused("conflict", "amount", project_records.record_spending, user, east.pk, today, "60.01")
    refused(
        "conflict", "amount", project_records.record_spending, user, east.pk, today, "-40.01", "冲"
    )
    project_records.record_spending(user, east.pk, today, "-5", "发票冲红")
    project_records.record_spending(user, east.pk, today, "65")
    assert services.spent_of(east) == Decimal("100.00")
    assert [s.amount for s in east.spendings.all()][-2:] == [Decimal("-5.00"), Decimal("65.00")]
    # Not before 立项.
    refused("conflict", "status", project_records.record_spending, users["command"], place.west.pk,
            today, 1)  # fmt: skip
    # Granted cannot drop below what was spent.
    refused("conflict", "granted", services.update_project, user, east.pk, {"granted": "99"})


def test_update_project(place, users):
    user = users["s1_official"]
    p = services.update_project(user, place.east.pk, {"name": "新名称", "lat": None, "lon": None})
    assert (p.name, p.grid, p.lat) == ("新名称", None, None)
    p = services.update_project(user, place.east.pk, {"lat": 35.3, "lon": 113.15})
    assert p.grid is not None and p.grid.code == "D-S1-C1-G2"
    refused("invalid", "code", services.update_project, user, place.east.pk, {"code": "X"})
    refused("invalid", "year", services.update_project, user, place.east.pk, {"year": 3000})


def test_officials(place, users, people):
    user = users["s1_official"]
    refused("conflict", "person", project_records.add_official, user, place.east.pk,
            people["s1_official"].pk, "lead")  # fmt: skip
    # 西街道's people are outside the street official's scope.
    refused("invalid", "person", project_records.add_official, user, place.east.pk,
            people["west_secretary"].pk, "liaison")  # fmt: skip
    refused("invalid", "role", project_records.add_official, user, place.east.pk,
            people["east_secretary"].pk, "boss")  # fmt: skip
    o = project_records.add_official(user, place.east.pk, people["east_secretary"].pk, "liaison")
    project_records.remove_official(user, o.pk)
    assert not place.east.officials.filter(pk=o.pk).exists()
    assert services.phone_visible(user, people["s1_official"])
    assert not services.phone_visible(users["east_secretary"], people["s1_official"])


PDF = b"%PDF-1.4\n%%EOF\n"


def test_documents(place, users, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    user = users["s1_official"]
    d = project_records.save_document(user, place.east.pk, io.BytesIO(PDF), size=len(PDF),
                               name="../批复.pdf", title="立项批复")  # fmt: skip
    assert (d.content_type, d.original_name, d.size) == ("application/pdf", "批复.pdf", len(PDF))
    assert project_records.document_path(d).read_bytes() == PDF
    refused("invalid", "file", project_records.save_document, user, place.east.pk,
            io.BytesIO(b"MZ\x90\x00exe"), size=6, name="a.pdf")  # fmt: skip
    settings.GRIDGOV_PROJECT_DOCUMENT_MAX_BYTES = 10
    refused("invalid", "file", project_records.save_document, user, place.east.pk,
            io.BytesIO(PDF), size=len(PDF), name="a.pdf")  # fmt: skip
    assert project_records.get_document(users["east_secretary"], d.pk) == d
    refused("not_found", None, project_records.get_document, users["west_secretary"], d.pk)


def test_portfolio_filters_and_totals(place, users):
    user = users["command"]

    def pick(**kw) -> list[str]:
        return codes(listing.portfolio(user, Filters(**kw)))

    assert pick(kind="construction") == ["KJ-W1"]
    assert pick(plan="provincial") == ["KJ-W1"]
    assert pick(status="approved") == ["KJ-E1"]
    assert pick(unit="D-S1") == ["KJ-E1"]
    assert pick(grid="D-S2-C2-G3") == ["KJ-W1"]
    assert pick(year=2025) == ["KJ-D1"]
    assert pick(overdue=True) == ["KJ-E1"]
    assert pick(overdue=False) == ["KJ-D1", "KJ-W1"]
    assert pick(q="KJ-W") == ["KJ-W1"]
    refused("invalid", "kind", listing.portfolio, user, Filters(kind="x"))
    refused("invalid", "unit", listing.portfolio, users["s1_official"], Filters(unit="D-S2"))
    refused("invalid", "grid", listing.portfolio, user, Filters(grid="D-S1"))
    t = listing.totals(listing.portfolio(user, Filters()))
    assert (t.count, t.granted, t.spent, t.spend_rate) == (3, Decimal("300"), Decimal("40"), 13.3)


def test_unit_figures(place, users, territory):
    streets = [territory["D-S1"], territory["D-S2"]]
    f = services.unit_figures(users["command"], streets, today=place.today)
    east, west = f[territory["D-S1"].pk], f[territory["D-S2"].pk]
    assert (east.projects, east.granted, east.spent, east.spend_rate) == (
        1, Decimal("100"), Decimal("40"), 40.0,
    )  # fmt: skip
    # Three milestones: one done on time, one overdue, one not due yet.
    assert (east.milestones_due, east.on_time, east.overdue, east.on_time_rate) == (2, 1, 1, 50.0)
    # 西街道's project is only 申报: counted, but no money.
    assert (west.projects, west.granted, west.spend_rate, west.on_time_rate) == (
        1, Decimal("0"), None, None,
    )  # fmt: skip
    # The period: only the overdue milestone falls in the last two weeks.
    f = services.unit_figures(users["command"], streets, place.today - dt.timedelta(days=14),
                              place.today, place.today)  # fmt: skip
    assert f[territory["D-S1"].pk].on_time_rate == 0.0
