"""sync_groups_many (a roll-out, the demo) puts accounts in the same groups as sync_groups."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from gridgov.people.roles import sync_groups, sync_groups_many

pytestmark = pytest.mark.django_db


def groups_of(users):
    return {u.username: set(u.groups.values_list("name", flat=True)) for u in users}


def test_many_at_once_gives_each_account_its_posts_groups(users):
    accounts = [users[n] for n in ("command", "east_secretary", "west_secretary", "g1_leader")]
    for u in accounts:
        sync_groups(u)
    expected = groups_of(accounts)
    assert all(expected[u.username] for u in accounts)
    extra = Group.objects.create(name="自建组")  # not a role: kept as it is
    for u in accounts:
        u.groups.set([extra, Group.objects.get(name="指挥中心")])  # a role no post gives some
    sync_groups_many(accounts)
    after = groups_of(accounts)
    assert after == {name: groups | {"自建组"} for name, groups in expected.items()}
    sync_groups_many(accounts)  # again: nothing changes
    assert groups_of(accounts) == after
    sync_groups_many([])
