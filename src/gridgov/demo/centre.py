"""The command centre's part of the demo: a few commands from the command office to streets and
grids this week, some signed for and completed, so the overview's "commands awaiting receipt"
has something in it. Through the commands' own write path (`inbox.commands`);
deterministic per seed; a second run adds nothing."""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth.models import User
from django.utils import timezone

from gridgov.inbox import commands
from gridgov.inbox.models import Command, CommandRecipient
from gridgov.people.models import Post
from gridgov.territory.models import Level

TITLES = (
    (
        "秋冬攻坚：工地扬尘专项检查",
        "本周内完成辖区在建工地围挡、苫盖、冲洗、硬化情况全覆盖检查，问题当场整改。",
    ),
    ("夜间渣土车抽查", "今晚20时至次日6时，在主要道路设卡抽查渣土车密闭运输情况。"),
    ("秸秆禁烧巡查加密", "重点村每日巡查两次，发现火点立即处置并上报。"),
    ("餐饮油烟净化设施检查", "对主要街道沿街餐饮单位油烟净化设施运行情况开展检查。"),
)


def _responsible_units(level: int) -> list[str]:
    """Units of the level that have a current responsible post (commands need one)."""
    return sorted(
        set(
            Post.objects.current()
            .filter(
                post_type__responsible=True, region__level=level, region__retired_at__isnull=True
            )
            .values_list("region__code", flat=True)
        )
    )


def seed_commands(seed: int, user: User, now: dt.datetime | None = None) -> int:
    """Issue the demo's commands (none if they were issued before); how many."""
    if Command.objects.filter(issued_by=user, title__in=[t for t, _body in TITLES]).exists():
        return 0
    rng = random.Random(seed + 97)
    now = now or timezone.now()
    streets = _responsible_units(Level.STREET)
    communities = _responsible_units(Level.COMMUNITY)
    pool = streets or communities
    if not pool:
        return 0
    made = 0
    for i, (title, body) in enumerate(TITLES):
        units = rng.sample(pool, k=min(len(pool), 2))
        if communities:
            units += rng.sample(communities, k=min(len(communities), 2))
        issued = now - dt.timedelta(hours=6 + 18 * i)
        command = commands.issue(
            user,
            title=title,
            body=body,
            due_at=now + dt.timedelta(days=1 + i),
            units=units,
            now=issued,
        )
        made += 1
        # Some recipients have signed (and a few finished); the rest await receipt. Stamped
        # directly: the demo's post holders mostly have no login to sign with.
        rows = list(CommandRecipient.objects.filter(command=command).order_by("pk"))
        signed = rows[: len(rows) // 2 + (i % 2)]
        done = signed[: len(signed) // 2] if i >= 2 else []
        CommandRecipient.objects.filter(pk__in=[r.pk for r in signed]).update(
            acknowledged_at=issued + dt.timedelta(minutes=40)
        )
        CommandRecipient.objects.filter(pk__in=[r.pk for r in done]).update(
            completed_at=issued + dt.timedelta(hours=5), note="已按要求完成。"
        )
    return made
