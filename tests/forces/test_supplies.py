"""Supplies: the stock is the sum of the ledger and never goes below zero or below what is
promised; requests move only along the table; quantities are checked; everything scoped."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection

from gridgov.forces import depot_stock, services, supply_requests
from gridgov.forces.models import Allocation, Handover, Status, SupplyMovement
from gridgov.forces.services import ForcesError
from tests.forces.conftest import stock_of

pytestmark = pytest.mark.django_db


def refused(kind: str, field: str | None, fn, *args, **kwargs) -> ForcesError:
    with pytest.raises(ForcesError) as caught:
        fn(*args, **kwargs)
    assert caught.value.kind == kind, caught.value.message
    if field is not None:
        assert caught.value.field == field
    return caught.value


def test_stock_is_the_sum_of_the_ledger_and_never_negative(place, territory, users):
    command, depot, fog = users["command"], place.district_depot, place.fog
    depot_stock.allocate(command, depot.pk, fog.pk, territory["D-S1"].pk, 3, "工地降尘")
    assert stock_of(depot, fog) == 2
    refused("conflict", "quantity", depot_stock.allocate, command, depot.pk, fog.pk,
            territory["D-S2"].pk, 3, "工地降尘")  # fmt: skip
    refused("conflict", "quantity", depot_stock.adjust, command, depot.pk, fog.pk, "-3", "盘亏")
    depot_stock.adjust(command, depot.pk, fog.pk, "-2", "送修")
    assert stock_of(depot, fog) == 0
    rows = list(
        SupplyMovement.objects.filter(depot=depot, kind=fog).values_list("quantity", "reason")
    )
    assert rows == [(5, "stock_in"), (-3, "allocation"), (-2, "adjust")]
    assert sum(q for q, _ in rows) == stock_of(depot, fog) == 0
    # a return comes back into the ledger, never more than was allocated
    allocation = Allocation.objects.get(depot=depot, kind=fog)
    depot_stock.return_supplies(command, allocation.pk, 1)
    refused("invalid", "quantity", depot_stock.return_supplies, command, allocation.pk, 3)
    assert stock_of(depot, fog) == 1
    held = {
        (r["unit"].code, r["kind"].code): r["held"] for r in depot_stock.allocated_by_unit(command)
    }
    assert held == {("D-S1", "fog_cannon"): Decimal("2.00")}


def test_request_approved_reserves_and_hand_over_moves_stock(place, territory, users):
    command, depot, fog = users["command"], place.district_depot, place.fog
    first = supply_requests.request_supplies(users["east_secretary"], fog.pk,
                                             territory["D-S1-C1"].pk, 4,
                                             "三处工地土方作业")  # fmt: skip
    supply_requests.approve(command, first.pk, depot.pk)
    row = next(r for r in depot_stock.stock(command) if r.depot == depot and r.kind == fog)
    assert (row.quantity, row.reserved, row.available) == (5, 4, 1)
    # what is promised cannot be given to someone else
    second = supply_requests.request_supplies(
        users["s1_official"], fog.pk, territory["D-S1"].pk, 2, "夜间"
    )
    refused("conflict", "quantity", supply_requests.approve, command, second.pk, depot.pk)
    refused("conflict", "quantity", depot_stock.allocate, command, depot.pk, fog.pk,
            territory["D-S2"].pk, 2, "调拨")  # fmt: skip
    supply_requests.approve(command, second.pk, depot.pk, quantity=1)  # part of it
    handed = supply_requests.hand_over(command, first.pk, received_by="东书记", given_by="库管员")
    assert (handed.quantity, handed.given_by, handed.received_by) == (4, "库管员", "东书记")
    assert stock_of(depot, fog) == 1 and depot_stock.reserved(depot.pk, fog.pk) == 1
    first.refresh_from_db()
    assert first.status == Status.HANDED_OVER
    assert [s.to_status for s in first.steps.all()] == ["requested", "approved", "handed_over"]
    assert Allocation.objects.get(request=first).unit.code == "D-S1-C1"
    refused("conflict", "status", supply_requests.hand_over, command, first.pk, "东书记")
    # withdrawing an approval frees its reservation
    supply_requests.reject(command, second.pk, "改由街道物资点调拨")
    assert depot_stock.reserved(depot.pk, fog.pk) == 0


def test_requests_move_only_along_the_table(place, territory, users):
    command, fog = users["command"], place.fog
    req = supply_requests.request_supplies(
        users["east_secretary"], fog.pk, territory["D-S1-C1"].pk, 2, "x"
    )
    refused("conflict", "status", supply_requests.hand_over, command, req.pk, "东书记")
    refused("invalid", "note", supply_requests.reject, command, req.pk, "  ")
    refused(
        "invalid", "quantity", supply_requests.approve, command, req.pk, place.district_depot.pk, 3
    )
    supply_requests.reject(command, req.pk, "库存另有安排")
    refused("conflict", "status", supply_requests.approve, command, req.pk, place.district_depot.pk)
    assert Handover.objects.count() == 0


@pytest.mark.parametrize("value", ["1.5", "0", "-1", "nan", "Infinity", "abc", "1e20", True, ""])
def test_bad_quantities_are_refused_naming_the_field(place, territory, users, value):
    refused("invalid", "quantity", supply_requests.request_supplies, users["east_secretary"],
            place.fog.pk, territory["D-S1-C1"].pk, value, "理由")  # fmt: skip


def test_decimal_kinds_take_two_decimals_not_three(place, territory, users):
    east = users["east_secretary"]
    unit = territory["D-S1-C1"].pk
    ok = supply_requests.request_supplies(east, place.net.pk, unit, "250.25", "裸土苫盖")
    assert ok.quantity == Decimal("250.25")
    refused(
        "invalid",
        "quantity",
        supply_requests.request_supplies,
        east,
        place.net.pk,
        unit,
        "0.001",
        "x",
    )
    refused(
        "invalid", "reason", supply_requests.request_supplies, east, place.net.pk, unit, 1, "a\x00b"
    )


def test_scope_not_yours_is_no_such_request(place, territory, users):
    east = supply_requests.request_supplies(users["east_secretary"], place.fog.pk,
                                     territory["D-S1-C1"].pk, 1, "东")  # fmt: skip
    west = supply_requests.request_supplies(users["west_secretary"], place.fog.pk,
                                     territory["D-S2-C2"].pk, 1, "西")  # fmt: skip
    for username, sees in (
        ("command", {east.pk, west.pk}), ("s1_official", {east.pk}),
        ("east_secretary", {east.pk}), ("west_secretary", {west.pk}), ("g1_leader", set()),
    ):  # fmt: skip
        assert set(services.requests_for(users[username]).values_list("pk", flat=True)) == sees
    missing = refused("not_found", None, services.get_request, users["west_secretary"], east.pk)
    assert missing.message == refused("not_found", None, services.get_request,
                                      users["west_secretary"], 999999).message  # fmt: skip
    # nobody requests for a unit outside their scope
    refused("invalid", "unit", supply_requests.request_supplies, users["east_secretary"],
            place.fog.pk, territory["D-S2-C2"].pk, 1, "x")  # fmt: skip
    # a community may only request and look: it handles nothing
    refused("forbidden", None, supply_requests.approve, users["east_secretary"], east.pk,
            place.east_depot.pk)  # fmt: skip
    # a street handles its own depot, never the district's
    refused("invalid", "depot", supply_requests.approve, users["s1_official"], east.pk,
            place.district_depot.pk)  # fmt: skip
    supply_requests.approve(users["s1_official"], east.pk, place.east_depot.pk)
    # the community sees its street's depot, not the district's or the other street's
    depots = set(services.depots_for(users["east_secretary"]).values_list("name", flat=True))
    assert depots == {"东街道物资点"}
    assert not services.depots_for(users["west_secretary"]).exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_approvals_racing_for_the_last_units_cannot_both_pass(place, territory, users):
    """Five fog cannons; two requests of three approved at the same moment from two
    connections: exactly one wins, the other is refused, nothing is over-promised."""
    command, depot, fog = users["command"], place.district_depot, place.fog
    a = supply_requests.request_supplies(
        users["east_secretary"], fog.pk, territory["D-S1-C1"].pk, 3, "a"
    )
    b = supply_requests.request_supplies(
        users["west_secretary"], fog.pk, territory["D-S2-C2"].pk, 3, "b"
    )
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def approve(request_id: int) -> None:
        try:
            barrier.wait()
            supply_requests.approve(command, request_id, depot.pk)
            outcomes.append("ok")
        except ForcesError as exc:
            outcomes.append(exc.kind)
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(r.pk,)) for r in (a, b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict", "ok"]
    assert depot_stock.reserved(depot.pk, fog.pk) == 3 and stock_of(depot, fog) == 5


def test_nobody_approves_or_rejects_a_request_they_filed(place, territory, users):
    """A street official may both request (for the street) and approve (from its depot), but
    never his own request: forbidden — it is his to see, not his to decide."""
    official, fog = users["s1_official"], place.fog
    own = supply_requests.request_supplies(official, fog.pk, territory["D-S1"].pk, 1, "夜间作业")
    error = refused(
        "forbidden", None, supply_requests.approve, official, own.pk, place.east_depot.pk
    )
    assert "自己" in error.message
    refused("forbidden", None, supply_requests.reject, official, own.pk, "不需要了")
    own.refresh_from_db()
    assert own.status == Status.REQUESTED and own.depot_id is None
    # Someone else's request from the same street: he approves it from his depot.
    other = supply_requests.request_supplies(
        users["east_secretary"], fog.pk, territory["D-S1-C1"].pk, 1, "工地"
    )
    assert (
        supply_requests.approve(official, other.pk, place.east_depot.pk).status == Status.APPROVED
    )
    # And the district approves his.
    assert supply_requests.approve(users["command"], own.pk, place.district_depot.pk).status == (
        Status.APPROVED
    )
