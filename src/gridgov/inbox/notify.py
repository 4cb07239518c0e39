"""The inbox (站内消息) and the channels that carry a notice further.

Every notice is an inbox row first (unique per person and key, so a repeated sweep never notifies
twice); after the transaction commits, each configured channel gets it too. Channels are named in
`GRIDGOV_NOTIFY_CHANNELS` (default "log"): "log" and the dotted path of a class with
`send(notification)` are called at once; "sms", "email", "wecom" and "dingtalk" become Delivery
rows that the worker sends, with retries, per the person's settings (`gridgov.inbox.delivery`).
`text_citizen` sends an SMS to a citizen's phone (not a Person's), once per key.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from gridgov import inputs
from gridgov.core.actor import Account
from gridgov.inbox import delivery, timing
from gridgov.inbox.models import Channel as DeliveryChannel
from gridgov.inbox.models import Delivery, Notification
from gridgov.people import identity
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


BUILTIN = {"log": LogChannel}


def channels() -> list[Channel]:
    """The channels called at once (the delivery channels are the worker's)."""
    if "sms" in settings.GRIDGOV_NOTIFY_CHANNELS and not settings.GRIDGOV_SMS_URL:
        raise ImproperlyConfigured("GRIDGOV_NOTIFY_CHANNELS names sms: set GRIDGOV_SMS_URL")
    found: list[Channel] = []
    for name in settings.GRIDGOV_NOTIFY_CHANNELS:
        if name in DeliveryChannel.values:
            continue
        try:
            cls: Any = BUILTIN.get(name) or import_string(name)
        except ImportError as exc:
            raise ImproperlyConfigured(
                f"GRIDGOV_NOTIFY_CHANNELS: no channel {name!r} ({exc})"
            ) from None
        found.append(cls())
    return found


def _deliver(sent: list[Notification]) -> None:
    """After the commit: the at-once channels, then the deliveries for the worker."""
    for channel in channels():
        for n in sent:
            try:
                channel.send(n)
            except Exception:  # a gateway failure must not lose the inbox row
                log.exception("channel %s failed for notification %s", channel, n.pk)
    try:
        with transaction.atomic():
            ids = delivery.plan(sent)
    except Exception:  # the inbox rows stand whatever happens here
        log.exception("planning deliveries failed for %d notices", len(sent))
        return
    delivery.enqueue(ids)


CITIZEN_SMS_TITLE = "群众短信"


def text_citizen(phone: str, text: str, *, key: str) -> None:
    """An SMS to a citizen's phone (a reporter, not a Person), once per `key`, as a Delivery the
    worker sends (held past the default quiet hours). The phone, text and key go through the
    input boundary (InputError naming the field). With SMS off, the row is kept as given up."""
    phone = inputs.check_text("phone", phone.strip(), 11)
    if not identity.is_mobile(phone):
        raise inputs.InputError("phone", "not a mobile number")
    text = inputs.check_text("text", text, 500)
    if not text.strip():
        raise inputs.InputError("text", "empty")
    key = inputs.check_text("key", key, 120)
    now = timezone.now()
    on = DeliveryChannel.SMS in delivery.enabled()
    quiet = settings.GRIDGOV_NOTIFY_QUIET_HOURS
    made = Delivery.objects.bulk_create(
        [
            Delivery(
                channel=DeliveryChannel.SMS,
                target=phone,
                key=f"citizen:{key}",
                # A neutral title: the text may carry the reporter's own link (a signed token),
                # which no staff page shows (the delivery log and admin mask the body too).
                title=CITIZEN_SMS_TITLE,
                text=text,
                state=Delivery.State.PENDING if on else Delivery.State.GIVEN_UP,
                last_error="" if on else "SMS channel off",
                next_attempt_at=timing.quiet_release(now, *quiet) if quiet else now,
                created_at=now,
            )
        ],
        ignore_conflicts=True,
    )
    if on and made:
        ids = list(
            Delivery.objects.filter(
                channel=DeliveryChannel.SMS,
                target=phone,
                key=f"citizen:{key}",
                created_at=now,
                next_attempt_at__lte=now,
            ).values_list("pk", flat=True)
        )
        transaction.on_commit(lambda: delivery.enqueue(ids))


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
