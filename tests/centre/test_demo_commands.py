"""The demo's commands: issued through the commands' write path, some awaiting receipt (what the
overview shows), deterministic, and not repeated by a second run."""

from __future__ import annotations

import pytest

from gridgov.demo.centre import TITLES, seed_commands
from gridgov.inbox.models import Command, CommandRecipient
from gridgov.workorders.overview_panels import commands as awaiting

pytestmark = pytest.mark.django_db


def test_demo_commands_await_receipt_and_are_seeded_once(crew):
    user = crew["command"]
    assert seed_commands(2026, user) == len(TITLES)
    assert Command.objects.count() == len(TITLES)
    first = list(
        CommandRecipient.objects.order_by("pk").values_list("region__code", "acknowledged_at")
    )
    waiting = CommandRecipient.objects.filter(acknowledged_at__isnull=True).count()
    assert 0 < waiting < CommandRecipient.objects.count()
    assert awaiting(user).waiting == waiting
    assert seed_commands(2026, user) == 0
    Command.objects.all().delete()
    seed_commands(2026, user)
    again = list(
        CommandRecipient.objects.order_by("pk").values_list("region__code", "acknowledged_at")
    )
    assert [code for code, _at in again] == [code for code, _at in first]
