"""Model.objects.for_user(user): the same rows as the scope helpers it stands for, for every kind
of account (the command office, a community, a grid, an account with no person, the anonymous
visitor), so reading through it widens and narrows nothing."""

import pytest
from django.contrib.auth.models import AnonymousUser

from gridgov.core import scopes
from gridgov.people.models import Person, Post, PostType
from gridgov.people.scope import people_for, posts_for, regions_for
from gridgov.territory.models import Region
from gridgov.workorders.access import orders_for
from gridgov.workorders.models import Category, Event, WorkOrder
from tests.workorders.fixtures import G3_POINT, make_crew, report_event

ACCOUNTS = ["command", "east_secretary", "west_secretary", "g1_leader", "nobody", "anonymous"]


def account(users, name):
    return AnonymousUser() if name == "anonymous" else users[name]


def pks(qs):
    return sorted(qs.values_list("pk", flat=True))


@pytest.mark.parametrize("name", ACCOUNTS)
def test_regions_people_and_posts_match_the_scope_helpers(users, name):
    user = account(users, name)
    assert pks(Region.objects.for_user(user)) == pks(regions_for(user))
    assert pks(Post.objects.for_user(user)) == pks(posts_for(user))
    assert pks(Person.objects.for_user(user)) == pks(people_for(user))


def test_the_scopes_differ_between_accounts(users):
    # (so the comparison above compares something)
    command = Region.objects.for_user(users["command"])
    east = Region.objects.for_user(users["east_secretary"])
    assert pks(command) == pks(Region.objects.all())
    assert sorted(east.values_list("code", flat=True)) == ["D-S1-C1", "D-S1-C1-G1", "D-S1-C1-G2"]
    assert not Region.objects.for_user(users["nobody"]).exists()
    assert not Region.objects.for_user(AnonymousUser()).exists()
    assert not Region.objects.for_user(None).exists()


def test_for_user_chains_with_the_other_queryset_methods(users):
    east = users["east_secretary"]
    grids = Region.objects.for_user(east).active().grids()
    assert sorted(grids.values_list("code", flat=True)) == ["D-S1-C1-G1", "D-S1-C1-G2"]
    assert pks(Post.objects.for_user(east).current()) == pks(
        posts_for(east, Post.objects.current())
    )


def test_reference_lists_are_read_whole_by_anyone(users, db):
    assert pks(PostType.objects.for_user(users["nobody"])) == pks(PostType.objects.all())
    assert pks(Category.objects.for_user(AnonymousUser())) == pks(Category.objects.all())


def test_work_orders_and_events_follow_orders_for(people, territory, users):
    crew = make_crew(people, territory, users)
    g1 = report_event(title="G1 的")  # patrol reports are dispatched at once
    g3 = report_event(point=G3_POINT, title="G3 的")
    for name in [*ACCOUNTS, "g1_worker", "g3_worker"]:
        user = account(crew, name)
        orders = pks(orders_for(user))
        assert pks(WorkOrder.objects.for_user(user)) == orders
        assert pks(Event.objects.for_user(user)) == sorted(
            WorkOrder.objects.filter(pk__in=orders).values_list("event_id", flat=True)
        )
    assert pks(WorkOrder.objects.for_user(crew["command"])) == sorted([g1.pk, g3.pk])
    assert pks(WorkOrder.objects.for_user(crew["east_secretary"])) == [g1.pk]
    assert pks(WorkOrder.objects.for_user(crew["g3_worker"])) == [g3.pk]
    assert not WorkOrder.objects.for_user(crew["nobody"]).exists()


def test_without_a_registered_source_no_region_is_visible(users, monkeypatch):
    # The people app registers the paths in its ready(); were it missing, nothing is shown.
    monkeypatch.setattr(scopes, "_paths_source", None)
    assert scopes.paths_for(users["command"]) == []
    assert not Region.objects.for_user(users["command"]).exists()
