"""The air app's querysets: ``for_user(user)`` on each model a page or an API handler reads."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from django.db import models
from django.db.models import Q

from gridgov.core.actor import Account
from gridgov.core.scopes import under_paths
from gridgov.people.scope import scope_paths
from gridgov.territory.models import Region

if TYPE_CHECKING:
    from gridgov.air.models import (  # noqa: F401
        Alarm,
        AlarmRule,
        DeviceStatus,
        Reading,
        ReviewDecision,
        Station,
        Target,
    )


_Rows = TypeVar("_Rows", bound="models.QuerySet[Any]")


def _of_stations(qs: _Rows, user: Account) -> _Rows:
    """The rows of ``qs`` (a queryset of a model with a ``station``) at the stations the account
    may see; no subquery for an account that sees everything."""
    if scope_paths(user) is None:
        return qs.all()
    from gridgov.air.models import Station as Stations

    return qs.filter(station__in=Stations.objects.for_user(user))


class StationQuerySet(models.QuerySet["Station"]):
    def for_user(self, user: Account) -> StationQuerySet:
        """Stations in the account's scope and the reference stations outside every grid (all
        for an account that sees everything), as ``alarm_queries.stations_for`` (which also keeps
        the active ones only)."""
        paths = scope_paths(user)
        if paths is None:
            return self.all()
        return self.filter(Q(grid__isnull=True) | under_paths(paths, "grid__path"))


class ReadingQuerySet(models.QuerySet["Reading"]):
    def for_user(self, user: Account) -> ReadingQuerySet:
        """Readings of the stations the account may see (``Station.objects.for_user``)."""
        return _of_stations(self, user)


class AlarmRuleQuerySet(models.QuerySet["AlarmRule"]):
    def for_user(self, user: Account) -> AlarmRuleQuerySet:
        """Every alarm rule: a district-wide reference list any account may read."""
        return self.all()


class AlarmQuerySet(models.QuerySet["Alarm"]):
    def for_user(self, user: Account) -> AlarmQuerySet:
        """Alarms of the stations the account may see (``Station.objects.for_user``)."""
        return _of_stations(self, user)


class TargetQuerySet(models.QuerySet["Target"]):
    def for_user(self, user: Account) -> TargetQuerySet:
        """Targets of the regions in the account's scope (``Region.objects.for_user``)."""
        return self.filter(region__in=Region.objects.for_user(user))


class DeviceStatusQuerySet(models.QuerySet["DeviceStatus"]):
    def for_user(self, user: Account) -> DeviceStatusQuerySet:
        """Device status of the stations the account may see (``Station.objects.for_user``)."""
        return _of_stations(self, user)


class ReviewDecisionQuerySet(models.QuerySet["ReviewDecision"]):
    def for_user(self, user: Account) -> ReviewDecisionQuerySet:
        """Decisions on the stations the account's review scope covers
        (``review.reviewable_stations``)."""
        from gridgov.air.review import reviewable_stations

        return self.filter(station__in=reviewable_stations(user))
