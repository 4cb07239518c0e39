"""指令 — "act on command" (闻令而动): issue to units or people, acknowledge, complete, and see
who has not yet acknowledged."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.core.scopes import under_paths
from gridgov.errors import CONFLICT, FORBIDDEN, INVALID, NOT_FOUND
from gridgov.people import scope
from gridgov.people.actor import person_of
from gridgov.people.models import Post
from gridgov.territory.models import Region
from gridgov.workorders.models import Command, CommandRecipient, Notification
from gridgov.workorders.notify import notify
from gridgov.workorders.services import WorkflowError


def issue(
    user: Any,
    *,
    title: str,
    body: str,
    due_at: dt.datetime,
    units: list[str] = (),  # type: ignore[assignment]
    people: list[int] = (),  # type: ignore[assignment]
    now: dt.datetime | None = None,
) -> Command:
    """Send a command to the responsible post holders of each unit and to each named person."""
    now = now or timezone.now()
    if not user.has_perm("workorders.issue_command"):
        raise WorkflowError(FORBIDDEN, _("您无权下达指令"))
    if not title.strip():
        raise WorkflowError(INVALID, _("请填写标题"), "title")
    if not body.strip():
        raise WorkflowError(INVALID, _("请填写指令内容"), "body")
    if due_at <= now:
        raise WorkflowError(INVALID, _("完成时限须晚于现在"), "due_at")
    if not units and not people:
        raise WorkflowError(INVALID, _("请选择接收单位或接收人"), "units")
    visible = scope.regions_for(user, Region.objects.active())
    recipients: dict[int, Post] = {}
    for code in dict.fromkeys(units):
        region = visible.filter(code=code).first()
        if region is None:
            message = _("接收单位 %(code)s 不存在或不在您的管辖范围") % {"code": code}
            raise WorkflowError(INVALID, message, "units")
        posts = list(
            Post.objects.current()
            .filter(region=region, post_type__responsible=True)
            .select_related("person", "region")
        )
        if not posts:
            raise WorkflowError(
                INVALID, _("%(name)s 没有在岗责任人") % {"name": region.name}, "units"
            )
        for p in posts:
            recipients.setdefault(p.person_id, p)
    for pid in dict.fromkeys(people):
        post = (
            scope.posts_for(user, Post.objects.current())
            .filter(person_id=pid)
            .select_related("person", "region")
            .order_by("region__level")
            .first()
        )
        if post is None:
            raise WorkflowError(
                INVALID, _("接收人 %(id)s 不在您的管辖范围") % {"id": pid}, "people"
            )
        recipients.setdefault(pid, post)
    issuer = person_of(user)
    with transaction.atomic():
        command = Command.objects.create(
            title=title.strip()[:120],
            body=body.strip(),
            issued_by=user,
            issuer_name=(issuer.name if issuer else user.get_username())[:60],
            due_at=due_at,
            created_at=now,
        )
        CommandRecipient.objects.bulk_create(
            [
                CommandRecipient(
                    command=command, person_id=pid, region=p.region, region_path=p.region.path
                )
                for pid, p in recipients.items()
            ]
        )
        notify(
            recipients,
            Notification.Kind.COMMAND,
            _("指令：%(title)s") % {"title": command.title},
            body=command.body[:500],
            key=f"cmd:{command.pk}",
        )
    return command


def commands_for(user: Any) -> QuerySet[Command]:
    """Commands the account issued, received, or that reached people in its regions."""
    paths = scope.scope_paths(user)
    if paths is scope.ALL:
        return Command.objects.all()
    q = Q(issued_by=user)
    person = person_of(user)
    if person is not None:
        q |= Q(recipients__person=person)
    q |= under_paths(paths, "recipients__region_path")
    return Command.objects.filter(q).distinct()


def _mine(command_id: int, user: Any) -> CommandRecipient:
    person = person_of(user)
    row = (
        CommandRecipient.objects.filter(command_id=command_id, person=person).first()
        if person
        else None
    )
    if row is None:
        raise WorkflowError(NOT_FOUND, _("您不是该指令的接收人"))
    return row


def acknowledge(command_id: int, user: Any, now: dt.datetime | None = None) -> CommandRecipient:
    row = _mine(command_id, user)
    CommandRecipient.objects.filter(pk=row.pk, acknowledged_at__isnull=True).update(
        acknowledged_at=now or timezone.now()
    )
    row.refresh_from_db()
    return row


def complete(
    command_id: int, user: Any, note: str, now: dt.datetime | None = None
) -> CommandRecipient:
    if not note.strip():
        raise WorkflowError(INVALID, _("请填写完成情况"), "note")
    row = _mine(command_id, user)
    now = now or timezone.now()
    with transaction.atomic():
        if not CommandRecipient.objects.filter(pk=row.pk, completed_at__isnull=True).update(
            completed_at=now, note=note.strip()
        ):
            raise WorkflowError(CONFLICT, _("已报告完成"))
        CommandRecipient.objects.filter(pk=row.pk, acknowledged_at__isnull=True).update(
            acknowledged_at=now
        )
    row.refresh_from_db()
    return row


def sweep_overdue(now: dt.datetime | None = None) -> int:
    """Tell each recipient (once) whose command passed its deadline without completion."""
    now = now or timezone.now()
    sent = 0
    late = CommandRecipient.objects.filter(
        command__due_at__lte=now, completed_at__isnull=True, overdue_notified=False
    ).select_related("command")
    for row in late:
        if CommandRecipient.objects.filter(pk=row.pk, overdue_notified=False).update(
            overdue_notified=True
        ):
            notify(
                [row.person_id],
                Notification.Kind.OVERDUE,
                _("指令超期未完成：%(title)s") % {"title": row.command.title},
                key=f"cmd-late:{row.pk}",
            )
            sent += 1
    return sent


def recipients_of(command: Command) -> list[CommandRecipient]:
    return list(command.recipients.select_related("person", "region").defer("region__geometry"))


def not_acknowledged(
    user: Any = None, *, under: str | None = None, as_of: dt.datetime | None = None
) -> QuerySet[CommandRecipient]:
    """Receipts not signed for (指令未签收): the one definition the overview and the bulletin
    count. `user`: the receipts in the account's scope or addressed to it (everyone's when
    None); `under`: those of recipients in a region's subtree (its path); `as_of`: of commands
    issued before then and not signed by then (default: not signed yet)."""
    qs = CommandRecipient.objects.all()
    if user is not None:
        paths = scope.scope_paths(user)
        if paths is not scope.ALL:
            q = Q(pk__in=[])
            for p in paths:
                q |= Q(region_path__startswith=p)
            person = person_of(user)
            if person is not None:
                q |= Q(person=person)
            qs = qs.filter(q)
    if under is not None:
        qs = qs.filter(region_path__startswith=under)
    if as_of is None:
        return qs.filter(acknowledged_at__isnull=True)
    return qs.filter(command__created_at__lt=as_of).filter(
        Q(acknowledged_at__isnull=True) | Q(acknowledged_at__gt=as_of)
    )
