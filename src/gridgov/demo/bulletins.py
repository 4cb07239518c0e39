"""The demo's dispatch bulletins: the district's for last month and last week, generated through
the bulletin service as the worker would (without its inbox notices). Deterministic for a given
day: the content follows the demo's data."""

from __future__ import annotations

import datetime as dt

from gridgov.bulletins.models import Bulletin
from gridgov.bulletins.services import generate
from gridgov.demo.generator import DISTRICT_CODE
from gridgov.territory.models import Region


def seed_bulletins(today: dt.date) -> list[Bulletin]:
    district = Region.objects.get(code=DISTRICT_CODE)
    last_month = today.replace(day=1) - dt.timedelta(days=1)
    last_sunday = today - dt.timedelta(days=today.weekday() + 1)
    return [
        generate(kind, day, district, on=today)[0]
        for kind, day in (("month", last_month), ("week", last_sunday))
    ]
