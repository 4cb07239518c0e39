"""The demo's meetings, on the small named territory: three issued dispatch meetings a week
apart whose decisions became commands, open ones carried over, seeded once."""

from __future__ import annotations

import random

import pytest
from django.utils import timezone

from gridgov.demo.meetings import PLAIN_COMMANDS, seed_meetings
from gridgov.inbox.models import Command
from gridgov.meetings import services
from gridgov.meetings.models import Decision

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_three_issued_meetings_with_commands_and_carry_over(users, officials):
    made = seed_meetings(random.Random(7), timezone.localdate(), users["command"])
    assert [m.state for m in made] == ["issued"] * 3
    assert [m.previous_id for m in made] == [None, made[0].pk, made[1].pk]
    decisions = Decision.objects.filter(meeting__in=made)
    assert 12 <= decisions.count() <= 18
    assert not decisions.filter(command__isnull=True).exists()
    assert Command.objects.count() == decisions.count() + len(PLAIN_COMMANDS)
    for m in made:
        assert m.statements.exists()
    states = {services.progress(d).state for d in decisions.select_related("command")}
    assert {"done", "overdue"} <= states
    assert services.carried_over(made[2])  # the last one opens with open decisions
    assert seed_meetings(random.Random(7), timezone.localdate(), users["command"]) == []
