"""指令 — "act on command" (闻令而动): issue to units or people, acknowledge, complete, and see
who has not yet acknowledged."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import IO

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.core.actor import Account
from gridgov.core.evidence import (
    ACCEPTED,
    DOCUMENT_TYPES,
    PhotoRejected,
    _source,
    new_file,
    sniff_document,
)
from gridgov.errors import CONFLICT, FORBIDDEN, INVALID, NOT_FOUND, DomainError
from gridgov.inbox.models import Command, CommandAttachment, CommandRecipient, Notification
from gridgov.inbox.notify import notify
from gridgov.people import scope
from gridgov.people.actor import person_of
from gridgov.people.models import Post
from gridgov.territory.models import Region


class CommandError(DomainError):
    """A refused command action: its kind, message, and the input field it is about."""


TITLE_MAX = 120  # Command.title's length


def issue(
    user: Account,
    *,
    title: str,
    body: str,
    due_at: dt.datetime,
    units: Sequence[str] = (),
    people: Sequence[int] = (),
    now: dt.datetime | None = None,
) -> Command:
    """Send a command to the responsible post holders of each unit and to each named person."""
    now = now or timezone.now()
    if not isinstance(user, User) or not user.has_perm("inbox.issue_command"):
        raise CommandError(FORBIDDEN, _("您无权下达指令"))
    if not title.strip():
        raise CommandError(INVALID, _("请填写标题"), "title")
    if len(title.strip()) > TITLE_MAX:  # refused, never cut
        raise CommandError(INVALID, _("标题至多 %(n)s 个字") % {"n": TITLE_MAX}, "title")
    if not body.strip():
        raise CommandError(INVALID, _("请填写指令内容"), "body")
    if due_at <= now:
        raise CommandError(INVALID, _("完成时限须晚于现在"), "due_at")
    if not units and not people:
        raise CommandError(INVALID, _("请选择接收单位或接收人"), "units")
    visible = scope.regions_for(user, Region.objects.active())
    recipients: dict[int, Post] = {}
    for code in dict.fromkeys(units):
        region = visible.filter(code=code).first()
        if region is None:
            message = _("接收单位 %(code)s 不存在或不在您的管辖范围") % {"code": code}
            raise CommandError(INVALID, message, "units")
        posts = list(
            Post.objects.current()
            .filter(region=region, post_type__responsible=True)
            .select_related("person", "region")
        )
        if not posts:
            raise CommandError(
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
            raise CommandError(INVALID, _("接收人 %(id)s 不在您的管辖范围") % {"id": pid}, "people")
        recipients.setdefault(pid, post)
    issuer = person_of(user)
    with transaction.atomic():
        command = Command.objects.create(
            title=title.strip(),
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


def commands_for(user: Account) -> QuerySet[Command]:
    """Commands the account issued, received, or that reached people in its regions."""
    return Command.objects.for_user(user)


def _mine(command_id: int, user: Account) -> CommandRecipient:
    person = person_of(user)
    row = (
        CommandRecipient.objects.filter(command_id=command_id, person=person).first()
        if person
        else None
    )
    if row is None:
        raise CommandError(NOT_FOUND, _("您不是该指令的接收人"))
    return row


def acknowledge(command_id: int, user: Account, now: dt.datetime | None = None) -> CommandRecipient:
    row = _mine(command_id, user)
    CommandRecipient.objects.filter(pk=row.pk, acknowledged_at__isnull=True).update(
        acknowledged_at=now or timezone.now()
    )
    row.refresh_from_db()
    return row


def complete(
    command_id: int, user: Account, note: str, now: dt.datetime | None = None
) -> CommandRecipient:
    if not note.strip():
        raise CommandError(INVALID, _("请填写完成情况"), "note")
    row = _mine(command_id, user)
    now = now or timezone.now()
    with transaction.atomic():
        if not CommandRecipient.objects.filter(pk=row.pk, completed_at__isnull=True).update(
            completed_at=now, note=note.strip()
        ):
            raise CommandError(CONFLICT, _("已报告完成"))
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
    user: Account = None, *, under: str | None = None, as_of: dt.datetime | None = None
) -> QuerySet[CommandRecipient]:
    """Receipts not signed for (指令未签收): the one definition the overview and the bulletin
    count. `user`: the receipts in the account's scope or addressed to it (everyone's when
    None); `under`: those of recipients in a region's subtree (its path); `as_of`: of commands
    issued before then and not signed by then (default: not signed yet)."""
    qs = CommandRecipient.objects.all()
    if user is not None:
        qs = qs.for_user(user)
    if under is not None:
        qs = qs.filter(region_path__startswith=under)
    if as_of is None:
        return qs.filter(acknowledged_at__isnull=True)
    return qs.filter(command__created_at__lt=as_of).filter(
        Q(acknowledged_at__isnull=True) | Q(acknowledged_at__gt=as_of)
    )


def save_document(
    command: Command, upload: IO[bytes], *, size: int, name: str, user: Account
) -> CommandAttachment:
    """Store a command's attachment after checking what it really is (not what it is named)."""
    data = _source(upload, size, "file").read()
    kind = sniff_document(data)
    if kind is None:
        raise PhotoRejected("only PDF, Word, Excel, PowerPoint or image files")
    content_type = DOCUMENT_TYPES.get(kind) or ACCEPTED.get(kind.upper(), "image/jpeg")
    suffix = {"jpeg": "jpg", "mpo": "jpg"}.get(kind, kind)
    now = timezone.now()
    relative, target = new_file("commands", f".{suffix}", now)
    tmp = target.with_suffix(".part")
    tmp.write_bytes(data)
    tmp.replace(target)
    return CommandAttachment.objects.create(
        command=command,
        file=str(relative),
        original_name=Path(name).name[:200] or relative.name,
        content_type=content_type,
        size=len(data),
        uploaded_by=user if isinstance(user, User) else None,
        created_at=now,
    )
