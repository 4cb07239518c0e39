"""每日汇总: a person who chose the digest gets their non-urgent notices of the day in one
message at their digest time. Each held notice waits as a Delivery in state "digest" due at
that moment; `combine_digests` folds the due ones of one person and channel into one Delivery
(key `digest:YYYYMMDDHHMM`, unique, so a second sweep finds it there) and marks them merged.
A notice held for a digest already on its way gets a digest of its own (`…:2`), never lost."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.inbox import timing
from gridgov.inbox.models import Delivery

State = Delivery.State
DIGEST_LINES = 20  # titles listed in one message; the rest are counted


def digest_text(titles: list[str]) -> str:
    head = _("今日消息汇总（%(n)d 条）") % {"n": len(titles)}
    lines = [f"· {t}" for t in titles[:DIGEST_LINES]]
    if len(titles) > DIGEST_LINES:
        lines.append(_("等 %(n)d 条，详见站内消息") % {"n": len(titles)})
    return "\n".join([head, *lines])


def _digest_for(
    person_id: int | None,
    channel: str,
    target: str,
    base: str,
    held: list[Delivery],
    now: dt.datetime,
) -> Delivery:
    """The digest the held rows join: the moment's digest while it is still pending (its text
    made again with them), else a new one (`base:2`, `base:3`, …) — one already claimed or sent
    must not swallow a late notice."""
    made = list(
        Delivery.objects.select_for_update()
        .filter(channel=channel, target=target, key__startswith=base)
        .order_by("pk")
    )
    titles = [d.title for d in held]
    if made:
        last = made[-1]
        merged = list(
            Delivery.objects.filter(merged_into=last)
            .order_by("created_at", "pk")
            .values_list("title", flat=True)
        )
        refreshed = Delivery.objects.filter(pk=last.pk, state=State.PENDING, attempts=0).update(
            text=digest_text([*merged, *titles])
        )
        if refreshed:
            return last
    return Delivery.objects.create(
        channel=channel,
        target=target,
        key=base if not made else f"{base}:{len(made) + 1}",
        person_id=person_id,
        title=_("今日消息汇总"),
        text=digest_text(titles),
        next_attempt_at=now,
        created_at=now,
    )


def combine_digests(now: dt.datetime | None = None) -> list[int]:
    """Make the digest deliveries whose time has come; returns their ids (to send now)."""
    now = now or timezone.now()
    groups: dict[tuple[int | None, str, str, dt.datetime], list[Delivery]] = defaultdict(list)
    for d in Delivery.objects.filter(state=State.DIGEST, next_attempt_at__lte=now).order_by(
        "created_at", "pk"
    ):
        groups[(d.person_id, d.channel, d.target, d.next_attempt_at)].append(d)
    made = []
    for (person_id, channel, target, at), held in groups.items():
        base = "digest:" + at.astimezone(timing.CHINA).strftime("%Y%m%d%H%M")
        with transaction.atomic():
            digest = _digest_for(person_id, channel, target, base, held, now)
            Delivery.objects.filter(pk__in=[d.pk for d in held], state=State.DIGEST).update(
                state=State.MERGED, merged_into=digest
            )
        made.append(digest.pk)
    return made
