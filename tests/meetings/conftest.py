"""Street officials and a small meeting chain for the meeting tests, on the named territory
(tests/conftest.py): 东街道 (D-S1, official with an account) and 西街道 (D-S2, official with
an account too), so commands to either street reach somebody."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gridgov.meetings import services
from tests.conftest import _person

CST = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def officials(people, territory, users):
    s1 = _person("东主任", "13900000021", "street_official", territory["D-S1"], "s1_official")
    s2 = _person("西主任", "13900000022", "street_official", territory["D-S2"], "s2_official")
    users["s1_official"] = s1.user
    users["s2_official"] = s2.user
    return {"s1": s1, "s2": s2}


def meeting_input(**changes) -> services.MeetingInput:
    base = {
        "title": "秋冬季攻坚第1次调度会",
        "kind": "dispatch",
        "starts_at": timezone.now() - dt.timedelta(hours=2),
        "place": "区指挥中心301会议室",
        "convener": "D",
        "attendees": [
            services.AttendeeInput(unit="D-S1"),
            services.AttendeeInput(unit="D-S2", presence="leave", note="防汛值班"),
        ],
        "agenda": ["通报上周空气质量", "各街道表态发言"],
    }
    base.update(changes)
    return services.MeetingInput(**base)


@pytest.fixture
def convene(users, officials):
    """Create a meeting as the command office (or `user`), optionally held."""

    def _convene(user=None, held=True, **changes):
        user = user or users["command"]
        m = services.create_meeting(user, meeting_input(**changes))
        if held:
            m = services.hold(user, m.pk)
        return m

    return _convene


def deadline(days: int = 7) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)
