"""消息设置: which channels each kind of notice takes for a person, their quiet hours and their
daily digest. A person without a row has the defaults: every notice in the inbox and by e-mail,
the urgent kinds (`URGENT_KINDS`: 超期, 超期升级, 督办, 指令) also by SMS; quiet hours
GRIDGOV_NOTIFY_QUIET_HOURS (22:00–07:00); no digest."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.conf import settings

from gridgov.errors import INVALID, DomainError
from gridgov.inbox.models import PERSON_CHANNELS, URGENT_KINDS, NoticeSettings, Notification
from gridgov.people.models import Person


def default_channels(kind: str) -> list[str]:
    return ["sms", "email"] if kind in URGENT_KINDS else ["email"]


@dataclass(frozen=True)
class Prefs:
    channels: Mapping[str, list[str]]
    quiet: tuple[dt.time, dt.time] | None
    digest_at: dt.time | None  # None: no digest

    def channels_for(self, kind: str) -> list[str]:
        chosen = self.channels.get(kind)
        return list(chosen) if chosen is not None else default_channels(kind)


def defaults() -> Prefs:
    return Prefs({}, settings.GRIDGOV_NOTIFY_QUIET_HOURS, None)


def _prefs(row: NoticeSettings) -> Prefs:
    return Prefs(
        row.channels or {},
        (row.quiet_from, row.quiet_until) if row.quiet else None,
        row.digest_at if row.digest else None,
    )


def prefs_for(person_ids: Iterable[int]) -> dict[int, Prefs]:
    """Each person's preferences (the defaults for those who never set any): one query."""
    ids = set(person_ids)
    found = {r.person_id: _prefs(r) for r in NoticeSettings.objects.filter(person_id__in=ids)}
    base = defaults()
    return {pid: found.get(pid, base) for pid in ids}


def row_for(person: Person) -> NoticeSettings:
    """The person's settings row as the form starts from (unsaved with the defaults if none)."""
    row = NoticeSettings.objects.filter(person=person).first()
    if row is not None:
        return row
    row = NoticeSettings(person=person)
    quiet = settings.GRIDGOV_NOTIFY_QUIET_HOURS
    row.quiet = quiet is not None
    if quiet is not None:
        row.quiet_from, row.quiet_until = quiet
    row.digest_at = settings.GRIDGOV_NOTIFY_DIGEST_AT
    row.channels = {k: default_channels(k) for k in Notification.Kind.values}
    return row


def save(
    person: Person,
    *,
    channels: Mapping[str, Iterable[str]],
    quiet: bool,
    quiet_from: dt.time,
    quiet_until: dt.time,
    digest: bool,
    digest_at: dt.time,
) -> NoticeSettings:
    """Store a person's settings; an unknown kind or channel, or quiet hours that begin and end
    at the same minute, is refused naming the field."""
    clean: dict[str, list[str]] = {}
    for kind, chosen in channels.items():
        if kind not in Notification.Kind.values:
            raise DomainError(INVALID, f"unknown kind of notice {kind!r}", "channels")
        names = sorted(set(chosen))
        wrong = [c for c in names if c not in PERSON_CHANNELS]
        if wrong:
            raise DomainError(INVALID, f"unknown channel {wrong[0]!r}", "channels")
        clean[kind] = names
    if quiet and quiet_from == quiet_until:
        raise DomainError(INVALID, "quiet hours must not begin and end at once", "quiet_until")
    row, _made = NoticeSettings.objects.update_or_create(
        person=person,
        defaults={
            "channels": clean,
            "quiet": quiet,
            "quiet_from": quiet_from,
            "quiet_until": quiet_until,
            "digest": digest,
            "digest_at": digest_at,
        },
    )
    return row
