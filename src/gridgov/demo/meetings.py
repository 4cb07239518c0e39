"""The demo's dispatch meetings: three 秋冬季大气污染防治攻坚调度会 of the command office, three,
two and one week before `today`, each with street leaders' statements (表态发言) and four to
six decisions issued as commands to streets when the minutes went out the next day; then
what the streets did — most acknowledged, many completed (a few late), some overdue — so
each meeting opens with the open decisions of the ones before. Also a few plain commands of
the command office (not from a meeting). Everything through the meetings' and commands' own
write paths; deterministic for a given `random.Random`; quiet."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from gridgov.inbox import commands
from gridgov.inbox.models import Command, CommandRecipient, Notification
from gridgov.meetings import meeting_decisions, services
from gridgov.meetings.models import Meeting
from gridgov.people.actor import person_of
from gridgov.people.models import Post
from gridgov.territory.models import Level, Region

TITLE = "秋冬季大气污染防治攻坚第%s次调度会"
PLACE = "区综合指挥中心三楼会议室"
AGENDA = [
    "通报上周全区空气质量及各街道（镇）排名",
    "听取上次会议议定事项落实情况",
    "各街道（镇）表态发言",
    "部署下一阶段攻坚重点任务",
]
STATEMENTS = [
    "本街道将对标排名差距，压实网格责任，确保PM2.5浓度持续下降。",
    "我们已组织专班对辖区工地逐一过筛，发现问题立行立改。",
    "针对上周排名靠后的问题，街道党工委专题研究，明确了三项整改措施。",
    "坚决做到闻令而动，所有点位24小时有人盯守。",
    "夜间渣土车管控已联合交警、城管开展联合执法，本周再加密一次。",
]
COMMITMENTS = [
    "辖区在建工地苫盖率达到100%",
    "主次干道每日洒水冲洗不少于4次",
    "餐饮油烟净化设施全部清洗一遍",
    "秸秆禁烧网格巡查全覆盖",
    "散煤复烧点位清零",
]
DECISIONS = [
    "各街道（镇）对辖区在建工地开展一次拉网式排查，未落实“六个百分百”的一律停工整改。",
    "加密主次干道机械化清扫和洒水频次，重点路段每日不少于4次。",
    "联合交警、城管开展渣土车夜间专项执法，查处未密闭、带泥上路车辆。",
    "对辖区餐饮单位油烟净化设施运行情况开展全面检查，建立问题台账。",
    "落实秸秆禁烧网格化巡查，确保“零火点”。",
    "做好寒衣节文明祭扫宣传引导，在重点路口设置集中祭扫点。",
    "排查散煤销售和复烧点位，发现一处、取缔一处。",
    "对排名后三位的街道（镇）进行约谈，限期提交整改报告。",
]
PLAIN_COMMANDS = [
    ("关于开展工地扬尘夜查的指令", "今晚22时起对辖区全部在建工地开展扬尘夜查，结果报指挥中心。", 2),
    ("关于加强重点路段洒水降尘的指令", "未来三天静稳天气，请各街道加密重点路段洒水降尘。", 3),
    ("关于报送秸秆禁烧巡查台账的指令", "请各街道（镇）于期限前报送本月秸秆禁烧巡查台账。", 5),
]


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_current_timezone())


def _street_leaders(on: dt.date) -> dict[str, Any]:
    """street code → the person of its first current street official."""
    out: dict[str, Any] = {}
    posts = (
        Post.objects.current(on)
        .filter(region__level=Level.STREET, post_type__code="street_official")
        .select_related("region", "person")
        .order_by("region__code", "person_id")
    )
    for p in posts:
        out.setdefault(p.region.code, p.person)
    return out


def _answer(rng: random.Random, command: Command, now: dt.datetime) -> None:
    """What the recipients did, up to `now`: acknowledged mostly, completed often."""
    for r in CommandRecipient.objects.filter(command=command).order_by("pk"):
        roll = rng.random()
        if roll < 0.1:
            continue  # never acknowledged
        acked = command.created_at + dt.timedelta(hours=rng.uniform(0.5, 20))
        if acked >= now:
            continue
        completed = None
        if rng.random() < 0.85:
            late = rng.random() < 0.25
            completed = (
                command.due_at + dt.timedelta(hours=rng.uniform(2, 60))
                if late
                else command.due_at - dt.timedelta(hours=rng.uniform(3, 60))
            )
            completed = max(completed, acked)
            if completed >= now:
                completed = None
        CommandRecipient.objects.filter(pk=r.pk).update(
            acknowledged_at=acked,
            completed_at=completed,
            note="已按要求落实，台账已建立" if completed else "",
        )
    Notification.objects.filter(key=f"cmd:{command.pk}").update(
        created_at=command.created_at, read_at=command.created_at + dt.timedelta(hours=2)
    )


def seed_meetings(rng: random.Random, today: dt.date, command_user: User) -> list[Meeting]:
    """The three meetings (and the plain commands); none if they were seeded before."""
    if Meeting.objects.filter(title=TITLE % 1).exists():
        return []
    now = timezone.now()
    district = Region.objects.filter(level=Level.DISTRICT).order_by("code").first()
    if district is None:
        return []
    leaders = _street_leaders(today - dt.timedelta(days=21))
    streets = [code for code in sorted(leaders)]
    if not streets:
        return []
    chair = person_of(command_user)
    made: list[Meeting] = []
    with transaction.atomic():
        for n, weeks in enumerate((3, 2, 1), start=1):
            day = today - dt.timedelta(days=7 * weeks)
            starts_at = _at(day, 15)
            on_leave = rng.choice(streets)
            meeting = services.create_meeting(
                command_user,
                services.MeetingInput(
                    title=TITLE % n,
                    kind="dispatch",
                    starts_at=starts_at,
                    place=PLACE,
                    convener=district.code,
                    chair=chair.pk if chair else None,
                    agenda=AGENDA,
                    attendees=[
                        services.AttendeeInput(
                            unit=code,
                            presence="leave" if code == on_leave else "present",
                            note="参加市生态环境局会议" if code == on_leave else "",
                        )
                        for code in streets
                    ],
                ),
                now=starts_at - dt.timedelta(days=2),
            )
            services.hold(command_user, meeting.pk, now=starts_at + dt.timedelta(hours=2))
            speakers = [c for c in streets if c != on_leave]
            rng.shuffle(speakers)
            for code in speakers[:4]:
                meeting_decisions.add_statement(
                    command_user,
                    meeting.pk,
                    unit=code,
                    speaker=leaders[code].pk,
                    text=rng.choice(STATEMENTS),
                    commitments=[
                        services.CommitmentInput(text, day + dt.timedelta(days=rng.randint(3, 10)))
                        for text in rng.sample(COMMITMENTS, rng.randint(1, 2))
                    ],
                )
            for text in rng.sample(DECISIONS, rng.randint(4, 6)):
                meeting_decisions.add_decision(
                    command_user,
                    meeting.pk,
                    text=text,
                    owners=rng.sample(streets, min(len(streets), rng.randint(1, 3))),
                    deadline=day + dt.timedelta(days=rng.randint(3, 12)),
                )
            issued = meeting_decisions.issue_minutes(
                command_user, meeting.pk, now=starts_at + dt.timedelta(days=1)
            )
            for command in issued.commands:
                _answer(rng, command, now)
            made.append(issued.meeting)
        for i, (title, body, days) in enumerate(PLAIN_COMMANDS):
            created = now - dt.timedelta(days=rng.randint(1, 9), hours=rng.randint(0, 8))
            command = commands.issue(
                command_user,
                title=title,
                body=body,
                due_at=created + dt.timedelta(days=days),
                units=rng.sample(streets, min(len(streets), 2 + i)),
                now=created,
            )
            _answer(rng, command, now)
    return made
