"""投递: the real messages of a notice (SMS, e-mail, group robots), as Delivery rows that the
worker sends.

`plan` makes the rows of freshly committed notices (the person's channels for the kind, held
for quiet hours or the day's digest, plus the robots of the units the person holds a post in);
`send_due` claims the due rows and sends each exactly once (a conditional UPDATE claims a row,
so two workers never both send it; on PostgreSQL the pick also skips rows another worker has
locked; the attempt number a claim gave is its token, checked just before sending and at the
outcome, so a row another worker took over is neither sent nor overwritten);
`combine_digests` turns a person's held notices into one message at their digest time.
Failures wait `timing.backoff` (a non-urgent retry also the quiet hours) and are given up
after GRIDGOV_NOTIFY_MAX_ATTEMPTS attempts."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.inbox import gateways, timing
from gridgov.inbox.models import (
    PERSON_CHANNELS,
    URGENT_KINDS,
    Channel,
    Delivery,
    GroupRobot,
    Notification,
)
from gridgov.inbox.preferences import prefs_for
from gridgov.people.models import Person, Post

log = logging.getLogger("gridgov.notify")
State = Delivery.State


def enabled() -> set[str]:
    """The delivery channels named in GRIDGOV_NOTIFY_CHANNELS (none by default)."""
    return {c for c in settings.GRIDGOV_NOTIFY_CHANNELS if c in Channel.values}


def message_text(n: Notification) -> str:
    label = Notification.Kind(n.kind).label if n.kind in Notification.Kind.values else ""
    head = f"【{label}】{n.title}" if label else n.title
    return f"{head}\n{n.body}" if n.body else head


def _with_pks(notes: Sequence[Notification]) -> list[Notification]:
    """The notices with their ids (a bulk insert that skipped conflicts returns none)."""
    missing = [n for n in notes if n.pk is None]
    if missing:
        found = {
            (p, k): pk
            for p, k, pk in Notification.objects.filter(
                person_id__in={n.person_id for n in missing}, key__in={n.key for n in missing}
            ).values_list("person_id", "key", "pk")
        }
        for n in missing:
            n.pk = found.get((n.person_id, n.key))
    return [n for n in notes if n.pk is not None]


def _person_rows(notes: list[Notification], chans: set[str], now: dt.datetime) -> list[Delivery]:
    ids = {n.person_id for n in notes}
    prefs = prefs_for(ids)
    people = {
        p.pk: p
        for p in Person.objects.filter(pk__in=ids)
        .select_related("user")
        .only("pk", "phone", "user__email", "user__is_active")
    }
    rows = []
    for n in notes:
        person, pref = people.get(n.person_id), prefs[n.person_id]
        if person is None:
            continue
        urgent = n.kind in URGENT_KINDS
        for ch in pref.channels_for(n.kind):
            if ch not in chans:
                continue
            user = person.user
            email = user.email if user is not None and user.is_active else ""
            target = person.phone if ch == Channel.SMS else email
            if not target:
                continue
            state, when = State.PENDING, now
            if not urgent and pref.digest_at is not None:
                state, when = State.DIGEST, timing.next_digest(now, pref.digest_at)
            elif not urgent and pref.quiet is not None:
                when = timing.quiet_release(now, *pref.quiet)
            rows.append(
                Delivery(
                    notification_id=n.pk,
                    person_id=person.pk,
                    channel=ch,
                    target=target,
                    key=f"n{n.pk}",
                    kind=n.kind,
                    urgent=urgent,
                    title=n.title,
                    text=message_text(n),
                    state=state,
                    next_attempt_at=when,
                    created_at=now,
                )
            )
    return rows


def _robot_rows(notes: list[Notification], chans: set[str], now: dt.datetime) -> list[Delivery]:
    robots = list(
        GroupRobot.objects.filter(active=True, provider__in=chans).select_related("region")
    )
    if not robots:
        return []
    posts = defaultdict(set)
    for pid, rid in (
        Post.objects.current()
        .filter(
            person_id__in={n.person_id for n in notes}, region_id__in={r.region_id for r in robots}
        )
        .values_list("person_id", "region_id")
    ):
        posts[pid].add(rid)
    rows = []
    for n in notes:
        for r in robots:
            if r.region_id in posts[n.person_id] and n.kind in r.kind_set():
                rows.append(
                    Delivery(
                        notification_id=n.pk,
                        person_id=n.person_id,
                        robot=r,
                        region_path=r.region.path,
                        channel=r.provider,
                        target=f"robot:{r.pk}",
                        key=n.key,  # the unit's group hears a notice once, however many got it
                        kind=n.kind,
                        urgent=n.kind in URGENT_KINDS,
                        title=n.title,
                        text=message_text(n),
                        next_attempt_at=now,
                        created_at=now,
                    )
                )
    return rows


def plan(notes: Sequence[Notification], now: dt.datetime | None = None) -> list[int]:
    """Make the Delivery rows of committed notices; returns the ids to send now. No query at all
    while no delivery channel is on."""
    chans = enabled()
    if not chans or not notes:
        return []
    now = now or timezone.now()
    found = _with_pks(notes)
    rows: list[Delivery] = []
    if chans & set(PERSON_CHANNELS):
        rows += _person_rows(found, chans, now)
    if chans & {Channel.WECOM, Channel.DINGTALK}:
        rows += _robot_rows(found, chans, now)
    if not rows:
        return []
    Delivery.objects.bulk_create(rows, ignore_conflicts=True)
    return list(
        Delivery.objects.filter(
            created_at=now, state=State.PENDING, next_attempt_at__lte=now
        ).values_list("pk", flat=True)
    )


def enqueue(ids: list[int]) -> None:
    """Hand the ids to the worker (Huey); the minute sweep would find them anyway."""
    if not ids:
        return
    try:
        from gridgov.inbox.tasks import send_deliveries

        send_deliveries(ids)
    except Exception:  # a queue fault must not fail the commit's other hooks
        log.exception("could not queue deliveries %s", ids[:10])


@dataclass
class Sent:
    sent: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    given_up: list[int] = field(default_factory=list)


def clock() -> dt.datetime:
    """The moment by the process's clock: each batch is claimed, and each outcome stamped, at
    the time it really happens (tests move it; see tests/conftest.py)."""
    return timezone.now()


def take(now: dt.datetime, ids: Sequence[int] | None = None, limit: int = 200) -> dict[int, int]:
    """Take the due deliveries for this worker, as {id: attempt}: each row is claimed by one
    conditional UPDATE (state and attempts as read, and still due), so of two workers only one
    gets it; the attempt number it gets is the claim's token."""
    with transaction.atomic():
        qs = Delivery.objects.filter(timing.due_filter(now))
        if ids is not None:
            qs = qs.filter(pk__in=list(ids))
        picked = list(
            qs.select_for_update(skip_locked=True)
            .order_by("next_attempt_at", "pk")
            .values_list("pk", "state", "attempts", "next_attempt_at", "lease_until")[:limit]
        )
        mine = {}
        for pk, state, attempts, next_at, lease in picked:
            if not timing.is_due(state, next_at, lease, now):
                continue
            got = (
                Delivery.objects.filter(timing.due_filter(now))
                .filter(pk=pk, state=state, attempts=attempts)
                .update(state=State.SENDING, attempts=attempts + 1, lease_until=now + timing.LEASE)
            )
            if got:
                mine[pk] = attempts + 1
    return mine


def claim(now: dt.datetime, ids: Sequence[int] | None = None, limit: int = 200) -> list[int]:
    """The ids `take` claimed."""
    return list(take(now, ids, limit))


class Refused(Exception):
    """Not to be tried again (the channel is off, the robot gone)."""


def _send(d: Delivery) -> str:
    if d.channel not in enabled():
        raise Refused(_("通道未启用"))
    if d.channel == Channel.SMS:
        return gateways.send_sms(d.target, d.text)
    if d.channel == Channel.EMAIL:
        return gateways.send_email(d.target, d.title, d.text)
    robot = d.robot
    if robot is None or not robot.active:
        raise Refused(_("群机器人已停用或删除"))
    if d.channel == Channel.WECOM:
        return gateways.send_wecom(robot.webhook, d.text)
    return gateways.send_dingtalk(robot.webhook, robot.secret, d.text)


BATCH = 20  # claimed at once: a worker stopped by its time budget leaves few rows leased


def send_due(
    now: dt.datetime | None = None,
    ids: Sequence[int] | None = None,
    limit: int = 200,
    budget: float | None = None,
) -> Sent:
    """Claim the due deliveries (of `ids` only, when given) a batch at a time and send each,
    recording the outcome; at most `limit`, and no new batch once `budget` seconds are spent
    (a gateway that times out must not hold the worker for long). Each batch is claimed, and
    each outcome stamped, at the clock's moment then (shifted to `now` when one is given), so
    a late batch's lease runs from its own claim."""
    shift = now - clock() if now is not None else dt.timedelta(0)

    def moment() -> dt.datetime:
        return clock() + shift

    started = time.monotonic()
    result = Sent()
    done = 0
    while done < limit:
        batch = take(moment(), ids, min(BATCH, limit - done))
        if not batch:
            break
        done += len(batch)
        for pk, attempt in batch.items():
            _send_one(pk, attempt, moment, result)
        if budget is not None and time.monotonic() - started > budget:
            break
    return result


def _retry_at(d: Delivery, attempt: int, now: dt.datetime) -> dt.datetime:
    """When a failed delivery is tried again: after the back-off, and for a non-urgent one to a
    person or a citizen past the quiet hours (免打扰; theirs, else the default). A unit's robot
    is not held (as when it was planned)."""
    when = now + timing.backoff(attempt)
    if d.urgent or d.robot_id is not None:
        return when
    if d.person_id is not None:
        quiet = prefs_for([d.person_id])[d.person_id].quiet
    else:
        quiet = settings.GRIDGOV_NOTIFY_QUIET_HOURS
    return timing.quiet_release(when, *quiet) if quiet else when


def _send_one(pk: int, attempt: int, moment: Callable[[], dt.datetime], result: Sent) -> None:
    """Send one claimed delivery. `attempt` is the claim's token: the row is sent only if it is
    still ours just before sending (its lease renewed then), and its outcome recorded only if
    no other worker has claimed it since."""
    ours = Delivery.objects.filter(pk=pk, state=State.SENDING, attempts=attempt)
    now = moment()
    if not ours.filter(lease_until__gt=now).update(lease_until=now + timing.LEASE):
        log.warning("delivery %s: claim %d lost before sending; not sent", pk, attempt)
        return
    d = Delivery.objects.select_related("robot").get(pk=pk)
    try:
        ident = _send(d)
    except Refused as exc:
        if ours.update(state=State.GIVEN_UP, last_error=str(exc), lease_until=None):
            result.given_up.append(pk)
        return
    except Exception as exc:  # SendFailed, or a fault of ours: retried all the same
        if not isinstance(exc, gateways.SendFailed):
            log.exception("delivery %s: unexpected error", pk)
        error = str(exc)[:500]
        if attempt >= settings.GRIDGOV_NOTIFY_MAX_ATTEMPTS:
            if ours.update(state=State.GIVEN_UP, last_error=error, lease_until=None):
                result.given_up.append(pk)
                log.warning("delivery %s given up after %d attempts: %s", pk, attempt, error)
        elif ours.update(
            state=State.FAILED,
            last_error=error,
            lease_until=None,
            next_attempt_at=_retry_at(d, attempt, moment()),
        ):
            result.failed.append(pk)
        return
    now = moment()
    if ours.update(
        state=State.SENT, provider_id=ident, sent_at=now, lease_until=None, last_error=""
    ):
        result.sent.append(pk)
    else:
        log.warning("delivery %s: sent, but claim %d was taken meanwhile", pk, attempt)
