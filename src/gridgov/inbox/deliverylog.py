"""投递记录: the delivery log the command office reads (who may, and the rows they may see,
scoped by `Delivery.objects.for_user`; targets masked)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count

from gridgov.core.actor import Account
from gridgov.inbox.models import Channel, Delivery
from gridgov.people import scope

LIMIT = 300


def can_view(user: Account) -> bool:
    """The command office (an account that sees everything) and those who issue commands."""
    return bool(
        user is not None
        and user.is_authenticated
        and (scope.sees_everything(user) or user.has_perm("inbox.issue_command"))
    )


@dataclass(frozen=True)
class Log:
    rows: list[Delivery]
    counts: dict[str, int]  # per state, over the whole filtered log


def read(user: Account, *, state: str = "", channel: str = "") -> Log:
    """The newest deliveries the account may see, filtered by state and channel ("" = any);
    an unknown state or channel is simply no filter (the page offers only known ones)."""
    qs = Delivery.objects.for_user(user)
    if channel in Channel.values:
        qs = qs.filter(channel=channel)
    counts = dict(qs.order_by().values_list("state").annotate(n=Count("pk")))
    if state in Delivery.State.values:
        qs = qs.filter(state=state)
    rows = list(qs.select_related("person", "robot")[:LIMIT])
    return Log(rows, counts)
