"""The inbox as a shared layer: reads scoped by `for_user`, notices about any subject linked
through the page its app registered, channels fed after commit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from gridgov.inbox import commands, links, notify
from gridgov.inbox.models import Command, CommandRecipient, Notification
from gridgov.territory.models import Region

pytestmark = pytest.mark.django_db


def test_a_notice_is_about_any_subject_and_links_through_its_registered_page(
    people, territory, clock
):
    region = territory["D-S1-C1-G1"]
    # A subject whose app registered no page: stored, not linked.
    assert notify.notify([people["g1_worker"]], "bulletin", "通报", subject=region, key="r1") == 1
    n = Notification.objects.get(key="r1")
    assert n.subject == region and n.link == "" and links.subject_id(n, "order") is None

    links.register(Region, "region", desk=lambda pk: f"/regions/{pk}/")
    try:
        assert n.link == n.phone_link == f"/regions/{region.pk}/"
        assert links.subject_id(n, "region") == region.pk
        assert links.subject_id(n, "order") is None
    finally:
        links._REGISTRY.pop("territory.region")


def test_the_order_notice_links_to_the_desk_and_the_phone(crew, people, report):
    order = report()
    n = Notification.objects.get(order=order, person=people["g1_worker"])
    assert n.link == reverse("workorders:order", args=[order.pk])
    assert n.phone_link == reverse("workorders:phone_order", args=[order.pk])


def test_notices_are_read_only_by_their_own_person(crew, people):
    for who in ("g1_worker", "east_secretary"):
        notify.notify([people[who]], "bulletin", f"给{who}", key="k")
    mine = Notification.objects.for_user(crew["g1_worker"])
    assert [n.title for n in mine] == ["给g1_worker"]
    # Seeing a whole district is no reason to read other people's inboxes.
    assert not Notification.objects.for_user(crew["command"]).exists()
    assert not Notification.objects.for_user(AnonymousUser()).exists()
    assert not Notification.objects.for_user(None).exists()
    assert Notification.objects.for_user(crew["g1_worker"]).unread().count() == 1


def test_commands_are_read_by_issuer_recipients_and_their_regions(crew, people, clock):
    c = commands.issue(
        crew["command"],
        title="检查工地",
        body="立即检查",
        due_at=clock.now() + dt.timedelta(hours=4),
        units=["D-S1-C1-G1"],
    )
    assert Command.objects.for_user(crew["command"]).filter(pk=c.pk).exists()  # issuer
    assert Command.objects.for_user(crew["g1_worker"]).filter(pk=c.pk).exists()  # recipient
    assert Command.objects.for_user(crew["east_secretary"]).filter(pk=c.pk).exists()  # above
    assert not Command.objects.for_user(crew["west_secretary"]).exists()  # elsewhere
    assert not Command.objects.for_user(AnonymousUser()).exists()
    assert CommandRecipient.objects.for_user(crew["west_secretary"]).count() == 0
    assert CommandRecipient.objects.for_user(crew["east_secretary"]).count() == 3


def test_issuing_needs_the_inbox_permission(crew, clock):
    with pytest.raises(commands.CommandError) as refused:
        commands.issue(
            crew["g1_worker"],
            title="x",
            body="y",
            due_at=clock.now() + dt.timedelta(hours=1),
            units=["D-S1-C1-G1"],
        )
    assert refused.value.kind == "forbidden"
    assert crew["command"].has_perm("inbox.issue_command")


def test_an_over_long_title_is_refused_not_cut(crew, clock):
    def issue(title: str):
        return commands.issue(
            crew["command"],
            title=title,
            body="检查",
            due_at=clock.now() + dt.timedelta(hours=1),
            units=["D-S1-C1-G1"],
        )

    with pytest.raises(commands.CommandError) as refused:
        issue("长" * (commands.TITLE_MAX + 1))
    assert (refused.value.kind, refused.value.field) == ("invalid", "title")
    assert not Command.objects.exists()
    assert issue("长" * commands.TITLE_MAX).title == "长" * commands.TITLE_MAX
