"""Air alarms become events: one alarm, one event, one work order (not one per minute).

The alarm is raised inside the ingestion that brought the reading; its event and work order are
made once that ingestion commits (by the dispatcher thread, see dispatcher.py), each in its own
small transaction, so an alarm storm never holds the readings' write lock or delays the answers
to the stations, and a failure here can never lose a reading. Should the process die in between,
the deadline sweep picks up every open alarm that still has no event within a minute
(`events_for_alarms`).
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.dispatch import receiver

from gridgov.air.models import Alarm, AlarmKind
from gridgov.air.signals import alarms_raised
from gridgov.workorders.models import Category, Source

log = logging.getLogger(__name__)

# Which category an alarm's rule kind files under (seeded by migration 0002).
CATEGORY_OF_KIND = {
    AlarmKind.THRESHOLD: "air_quality_alarm",
    AlarmKind.JUMP: "air_quality_alarm",
    AlarmKind.NEIGHBOUR: "air_quality_alarm",
    AlarmKind.OFFLINE: "station_fault",
    AlarmKind.STUCK: "station_fault",
}
UNITS = {"co": "mg/m³"}


def alarm_title(alarm: Alarm) -> str:
    pollutant = alarm.pollutant.upper().replace("PM25", "PM2.5")
    if pollutant and pollutant in alarm.rule.name.upper():
        pollutant = ""  # "PM2.5小时均值超过115" already says which
    value = ""
    if alarm.value is not None:
        value = f" {alarm.value:.0f} {UNITS.get(alarm.pollutant, 'µg/m³')}"
    return f"{alarm.station.name} {alarm.rule.name}{' ' + pollutant if pollutant else ''}{value}"


def event_for_alarm(alarm: Alarm, categories: dict[str, Category | None] | None = None) -> Any:
    from gridgov.workorders.services import EventInput, create_event

    if alarm.grid_id is None:  # a station outside every grid: nobody on our chain owns it
        return None
    code = CATEGORY_OF_KIND.get(AlarmKind(alarm.rule.kind), "air_quality_alarm")
    known = {} if categories is None else categories
    if code not in known:
        known[code] = Category.objects.filter(code=code, active=True).first()
    category = known[code]
    if category is None:
        log.warning("no active category %s: alarm %s raises no event", code, alarm.pk)
        return None
    grid = alarm.grid if alarm.grid and alarm.grid.retired_at is None else None
    return create_event(
        EventInput(
            source=Source.AIR_ALARM,
            category=category,
            title=alarm_title(alarm),
            description=str(alarm.rule),
            lat=alarm.station.lat,
            lon=alarm.station.lon,
            address=alarm.station.name,
            region=grid,  # a retired grid: located afresh from the station's point
            alarm_id=alarm.pk,
        )
    )


@receiver(alarms_raised)
def on_alarms_raised(sender: Any, alarms: list[Alarm], **_: Any) -> None:
    from gridgov.workorders.dispatcher import dispatcher

    ids = [a.pk for a in alarms]
    transaction.on_commit(lambda: dispatcher.submit(ids))


BULK_FROM = 20  # alarms in one go from which the storm path (one read, bulk writes) is used


def make_events(alarm_ids: list[int]) -> int:
    if len(alarm_ids) >= BULK_FROM:
        try:
            return _make_events_in_bulk(alarm_ids)
        except Exception:  # a clash or any surprise: one at a time, each on its own
            log.exception("alarm storm of %d: bulk path failed, one at a time", len(alarm_ids))
    return _one_at_a_time(alarm_ids)


def _one_at_a_time(alarm_ids: list[int]) -> int:
    made = 0
    alarms = (
        Alarm.objects.filter(pk__in=alarm_ids, event__isnull=True)
        .select_related("station", "rule", "grid")
        .defer("grid__geometry")
    )
    categories: dict[str, Category | None] = {}
    for alarm in alarms:
        try:
            with transaction.atomic():
                made += event_for_alarm(alarm, categories) is not None
        except Exception:
            log.exception("alarm %s: event not created now; the sweep retries", alarm.pk)
    return made


def _make_events_in_bulk(alarm_ids: list[int]) -> int:
    from gridgov.workorders.services import EventInput, create_dispatched_events

    alarms = list(
        Alarm.objects.filter(pk__in=alarm_ids, event__isnull=True, grid__isnull=False)
        .select_related("station", "rule", "grid")
        .defer("grid__geometry")
    )
    categories: dict[str, Category | None] = {}
    inputs = []
    leftovers = []
    for alarm in alarms:
        code = CATEGORY_OF_KIND.get(AlarmKind(alarm.rule.kind), "air_quality_alarm")
        if code not in categories:
            categories[code] = Category.objects.filter(code=code, active=True).first()
        category = categories[code]
        grid = alarm.grid
        if category is None or grid is None or grid.retired_at is not None:
            leftovers.append(alarm.pk)
            continue
        inputs.append(
            EventInput(
                source=Source.AIR_ALARM,
                category=category,
                title=alarm_title(alarm),
                description=str(alarm.rule),
                lat=alarm.station.lat,
                lon=alarm.station.lon,
                address=alarm.station.name,
                region=grid,
                alarm_id=alarm.pk,
            )
        )
    made = len(create_dispatched_events(inputs))
    return made + (_one_at_a_time(leftovers) if leftovers else 0)


def events_for_alarms() -> int:
    """Open alarms in a grid that have no event yet (a failure above, or older alarms)."""
    made = 0
    pending = (
        Alarm.objects.filter(ended_at__isnull=True, grid__isnull=False, event__isnull=True)
        .select_related("station", "rule", "grid")
        .defer("grid__geometry")
    )
    for alarm in pending:
        try:
            with transaction.atomic():
                made += event_for_alarm(alarm) is not None
        except Exception:
            log.exception("alarm %s: event not created", alarm.pk)
    return made
