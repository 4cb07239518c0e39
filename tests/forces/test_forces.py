"""Task forces: members with dated history (seconded staff by the street they are sent to),
duty rosters of current members, phones shown only in scope, forces scoped."""

from __future__ import annotations

import datetime as dt

import pytest

from gridgov.forces import force_members, services
from gridgov.forces.force_members import MemberInput
from gridgov.forces.models import Membership
from gridgov.forces.services import ForcesError

pytestmark = pytest.mark.django_db


def refused(kind: str, field: str | None, fn, *args, **kwargs) -> None:
    with pytest.raises(ForcesError) as caught:
        fn(*args, **kwargs)
    assert caught.value.kind == kind, caught.value.message
    if field is not None:
        assert caught.value.field == field


def streets_on(user, day: dt.date) -> dict[str, list[str]]:
    return {
        street.code: [m.person.name for m in staff]
        for street, staff in force_members.seconded_by_street(user, day)
    }


def test_a_secondment_ends_and_another_begins_with_both_kept(place, territory, people, users):
    command, office = users["command"], place.office
    worker = people["g1_worker"]
    first = force_members.add_member(command, office.pk, MemberInput(
        worker.pk, territory["D-S1-C1-G1"].pk, dt.date(2026, 1, 1), seconded=True,
        posted_to_id=territory["D-S2"].pk,
    ))  # fmt: skip
    # the same person cannot be in the same force twice at once
    refused("conflict", "person", force_members.add_member, command, office.pk, MemberInput(
        worker.pk, territory["D-S1-C1-G1"].pk, dt.date(2026, 2, 1), seconded=True,
        posted_to_id=territory["D-S1"].pk,
    ))  # fmt: skip
    refused(
        "invalid", "end_date", force_members.end_membership, command, first.pk, dt.date(2025, 12, 1)
    )
    force_members.end_membership(command, first.pk, dt.date(2026, 2, 28))
    refused(
        "conflict", "end_date", force_members.end_membership, command, first.pk, dt.date(2026, 3, 1)
    )
    force_members.add_member(command, office.pk, MemberInput(
        worker.pk, territory["D-S1-C1-G1"].pk, dt.date(2026, 3, 1), seconded=True,
        posted_to_id=territory["D-S1"].pk, end_date=dt.date(2026, 5, 31),
    ))  # fmt: skip
    assert streets_on(command, dt.date(2026, 2, 1)) == {
        "D-S1": ["王兼职"], "D-S2": ["李专职"],
    }  # fmt: skip
    assert streets_on(command, dt.date(2026, 3, 5)) == {"D-S1": ["李专职", "王兼职"]}
    assert streets_on(command, dt.date(2026, 6, 1)) == {"D-S1": ["王兼职"]}
    history = Membership.objects.filter(person=worker).order_by("start_date")
    assert [(m.posted_to.code, m.start_date, m.end_date) for m in history] == [
        ("D-S2", dt.date(2026, 1, 1), dt.date(2026, 2, 28)),
        ("D-S1", dt.date(2026, 3, 1), dt.date(2026, 5, 31)),
    ]


def test_a_seconded_member_must_be_sent_to_a_street(place, territory, people, users):
    command = users["command"]
    for posted, field in ((territory["D-S1-C1"], "posted_to"), (territory["D-S2"], "posted_to")):
        refused("invalid", field, force_members.add_member, command, place.west_force.pk,
                MemberInput(people["g1_worker"].pk, territory["D-S2"].pk, dt.date(2026, 1, 1),
                            seconded=True, posted_to_id=posted.pk))  # fmt: skip
    refused("invalid", "end_date", force_members.add_member, command, place.office.pk, MemberInput(
        people["g1_worker"].pk, territory["D"].pk, dt.date(2026, 3, 1),
        end_date=dt.date(2026, 2, 1),
    ))  # fmt: skip
    refused("invalid", "role", force_members.add_member, command, place.office.pk, MemberInput(
        people["g1_worker"].pk, territory["D"].pk, dt.date(2026, 3, 1), role="boss",
    ))  # fmt: skip


def test_only_current_members_go_on_the_roster(place, people, users):
    command, office = users["command"], place.office
    day = dt.date(2026, 3, 2)
    force_members.set_duty(command, office.pk, day, "day", people["command"].pk, leader=True)
    force_members.set_duty(command, office.pk, day, "night", people["g3_worker"].pk)
    refused("invalid", "person", force_members.set_duty, command, office.pk, day, "day",
            people["g1_worker"].pk)  # fmt: skip
    refused("invalid", "person", force_members.set_duty, command, office.pk, dt.date(2025, 12, 31),
            "day", people["command"].pk)  # fmt: skip
    refused("invalid", "shift", force_members.set_duty, command, office.pk, day, "noon",
            people["command"].pk)  # fmt: skip
    names = [(d.shift, d.person.name, d.leader) for d in force_members.roster(office, day, day)]
    assert names == [("day", "指挥长", True), ("night", "王兼职", False)]


def test_forces_are_scoped_and_not_yours_is_no_such_force(place, users):
    def seen(username: str) -> set[str]:
        return set(services.forces_for(users[username]).values_list("name", flat=True))

    office, west = place.office.name, place.west_force.name
    assert seen("command") == {office, west}
    # 东街道 sees the office because staff are sent to it; not 西街道's own force
    assert seen("s1_official") == {office}
    assert seen("east_secretary") == {office}  # inside 东街道
    assert seen("west_secretary") == {west}
    assert seen("g1_leader") == set()  # grid posts have no forces permission
    refused("not_found", None, services.get_force, users["s1_official"], place.west_force.pk)
    # seeing a force is not owning it
    refused("forbidden", None, force_members.set_duty, users["s1_official"], place.office.pk,
            dt.date(2026, 3, 2), "day", 1)  # fmt: skip


def test_phones_only_in_scope(place, people, users):
    office = place.office
    # the district's force: a street sees its seconded worker's phone only if the worker holds
    # a post in its scope (王兼职 is a 西街道 grid worker)
    assert services.phone_visible(users["command"], people["g3_worker"], office)
    assert not services.phone_visible(users["s1_official"], people["g3_worker"], office)
    assert services.phone_visible(users["west_secretary"], people["g3_worker"], office)
    assert services.phone_visible(users["west_secretary"], people["west_secretary"],
                                  place.west_force)  # fmt: skip
