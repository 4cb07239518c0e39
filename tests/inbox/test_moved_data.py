"""The inbox's models moved out of the work orders without moving data: a database with notices
and commands from before the move reads them, unchanged, through the new models (and a notice's
order becomes its subject)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from gridgov.inbox import links
from gridgov.inbox.models import Command, CommandRecipient, Notification


def _node(loader, app: str, name: str) -> tuple[str, str]:
    """The graph's node for a migration: itself, or the squash that replaced it."""
    return next(n for n in loader.graph.nodes if n[0] == app and n[1].endswith(name))


# Transactional (the migrations run outside a test transaction), with serialized_rollback so
# the flush at its end leaves the database as the next such test expects.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_notices_and_commands_from_before_the_move_read_through_the_inbox(
    crew, people, territory, report, clock
):
    order = report()
    command_account = crew["command"]
    worker = people["g1_worker"]
    grid = territory["D-S1-C1-G1"]
    # The order's own notice (dispatched at once) goes back and forth with the migrations.
    dispatched = set(Notification.objects.filter(order=order).values_list("pk", flat=True))
    assert dispatched

    executor = MigrationExecutor(connection)
    executor.migrate([("inbox", None)])  # back to the last state before the move
    executor.loader.build_graph()
    before = executor.loader.project_state(
        [_node(executor.loader, "workorders", "0013_event_media_url")]
    ).apps
    assert "notification" in before.all_models["workorders"]
    OldNotification = before.get_model("workorders", "Notification")
    OldCommand = before.get_model("workorders", "Command")
    OldRecipient = before.get_model("workorders", "CommandRecipient")
    now = clock.now()
    OldNotification.objects.create(
        person_id=worker.pk, kind="assigned", title="新派单：旧", key="old-1", created_at=now,
        order_id=order.pk,
    )  # fmt: skip
    OldNotification.objects.create(
        person_id=worker.pk, kind="bulletin", title="通报", key="old-2", created_at=now
    )
    old_command = OldCommand.objects.create(
        title="旧指令", body="立即检查", issued_by_id=command_account.pk, issuer_name="指挥中心",
        due_at=now + dt.timedelta(days=1), created_at=now,
    )  # fmt: skip
    OldRecipient.objects.create(
        command=old_command, person_id=worker.pk, region_id=grid.pk, region_path=grid.path
    )
    # The permission to issue commands is the work orders' before the move.
    assert Permission.objects.filter(
        codename="issue_command", content_type__app_label="workorders"
    ).exists()

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    ContentType.objects.clear_cache()

    about_order = Notification.objects.get(key="old-1")
    assert about_order.subject == order
    by_order = {n.pk for n in Notification.objects.filter(order=order)}
    assert by_order == dispatched | {about_order.pk}
    assert {n.pk for n in order.notifications.all()} == by_order
    assert about_order.link == reverse("workorders:order", args=[order.pk])
    assert about_order.phone_link == reverse("workorders:phone_order", args=[order.pk])
    assert links.subject_id(about_order, "order") == order.pk
    plain = Notification.objects.get(key="old-2")
    assert plain.subject is None and plain.link == "" and links.subject_id(plain, "order") is None

    command = Command.objects.get(pk=old_command.pk)
    assert (command.title, command.issued_by_id) == ("旧指令", command_account.pk)
    (row,) = CommandRecipient.objects.filter(command=command)
    assert (row.person_id, row.region_id, row.acknowledged_at) == (worker.pk, grid.pk, None)
    # The content types moved with the models: whoever could issue commands still can.
    perm = Permission.objects.get(codename="issue_command")
    assert perm.content_type.app_label == "inbox"
    assert Group.objects.filter(name="指挥中心", permissions=perm).exists()
    assert not ContentType.objects.filter(app_label="workorders", model="notification").exists()
