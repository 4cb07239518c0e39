"""The inbox (站内消息) and the channels that carry a notice further.

Every notice is an inbox row first (unique per person and key, so a repeated sweep never notifies
twice); after the transaction commits, each configured channel gets it too. Channels are named in
`GRIDGOV_NOTIFY_CHANNELS` (default "log"): "log", "email", or the dotted path of a class with
`send(notification)`: an SMS or WeChat gateway plugs in the same way.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import send_mail
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from gridgov.core.actor import Account
from gridgov.inbox.models import Notification
from gridgov.people.models import Person

log = logging.getLogger("gridgov.notify")


class Channel(Protocol):
    def send(self, notification: Notification) -> None: ...


class LogChannel:
    def send(self, notification: Notification) -> None:
        log.info(
            "notify person=%s kind=%s subject=%s:%s %s",
            notification.person_id,
            notification.kind,
            notification.subject_type_id,
            notification.subject_id,
            notification.title,
        )


class EmailChannel:
    """E-mail to the person's account address, through Django's configured e-mail backend."""

    def send(self, notification: Notification) -> None:
        user = notification.person.user
        if user is None or not user.email:
            return
        send_mail(
            notification.title,
            notification.body or notification.title,
            settings.DEFAULT_FROM_EMAIL,
            [user.email],
        )


BUILTIN = {"log": LogChannel, "email": EmailChannel}


def channels() -> list[Channel]:
    found: list[Channel] = []
    for name in settings.GRIDGOV_NOTIFY_CHANNELS:
        try:
            cls: Any = BUILTIN.get(name) or import_string(name)
        except ImportError as exc:
            raise ImproperlyConfigured(
                f"GRIDGOV_NOTIFY_CHANNELS: no channel {name!r} ({exc})"
            ) from None
        found.append(cls())
    return found


def _deliver(sent: list[Notification]) -> None:
    for channel in channels():
        for n in sent:
            try:
                channel.send(n)
            except Exception:  # a gateway failure must not lose the inbox row
                log.exception("channel %s failed for notification %s", channel, n.pk)


def notify(
    persons: Iterable[Person | int],
    kind: str,
    title: str,
    *,
    subject: models.Model | None = None,
    body: str = "",
    key: str,
    new_key: bool = False,
) -> int:
    """Put a notice in each person's inbox once per key; returns how many were new.

    `subject`: the row the notice is about (a work order, a warning, ...), linked to through the
    page its app registered (`gridgov.inbox.links`).

    `new_key`: the key was made for this call (a transition's own, `t<pk>`), so no person can
    hold it yet: one INSERT, with no check for the rows already there."""
    ids = sorted({p if isinstance(p, int) else p.pk for p in persons})
    if not ids:
        return 0
    now = timezone.now()
    key = key[:120]
    fresh = [
        Notification(
            person_id=pid,
            kind=kind,
            title=title[:200],
            body=body,
            subject=subject,
            key=key,
            created_at=now,
        )
        for pid in ids
    ]
    if new_key and connection.features.can_return_rows_from_bulk_insert:
        Notification.objects.bulk_create(fresh)
        transaction.on_commit(lambda: _deliver(fresh))
        return len(fresh)
    # A row already there for (person, key) is skipped by the unique constraint; the ones made
    # now are those stamped with this call's moment.
    Notification.objects.bulk_create(fresh, ignore_conflicts=True)
    made = dict(
        Notification.objects.filter(person_id__in=ids, key=key, created_at=now).values_list(
            "person_id", "pk"
        )
    )
    sent = []
    for n in fresh:
        if n.person_id in made:
            n.pk = made[n.person_id]
            sent.append(n)
    if sent:
        transaction.on_commit(lambda: _deliver(sent))
    return len(sent)


def inbox(user: Account, limit: int = 100) -> list[Notification]:
    """The account's newest notices, for the phone and desktop inboxes."""
    return list(Notification.objects.for_user(user)[:limit])


def mark_all_read(user: Account) -> int:
    """Mark every unread notice of the account read; how many were."""
    return Notification.objects.for_user(user).unread().update(read_at=timezone.now())


def text_citizen(phone: str, text: str, *, key: str) -> None:
    """A text message to a citizen (a reporter's phone, not a person on the roster): here only
    written to the "gridgov.notify" log. The SMS gateway, and sending once per `key`, come with
    the notification channels; the signature stays."""
    masked = f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 7 else "****"
    log.info("text citizen=%s key=%s %s", masked, key, text)
