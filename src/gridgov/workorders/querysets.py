"""The work orders' querysets: ``for_user(user)`` on each model a page or an API handler reads.

The scope itself is ``access.orders_for`` (orders in the account's regions, plus those dispatched
to its person); events and attachments follow their order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django.db import models

from gridgov.core.actor import Account

if TYPE_CHECKING:
    from gridgov.workorders.models import Attachment, Category, Event, WorkOrder  # noqa: F401


class CategoryQuerySet(models.QuerySet["Category"]):
    def for_user(self, user: Account) -> CategoryQuerySet:
        """Every category: a reference list any account (and the public) may read."""
        return self.all()


class EventQuerySet(models.QuerySet["Event"]):
    def for_user(self, user: Account) -> EventQuerySet:
        """The events whose order the account may see (``access.orders_for``)."""
        from gridgov.workorders.access import orders_for

        return self.filter(order__in=orders_for(user).values("pk"))


class WorkOrderQuerySet(models.QuerySet["WorkOrder"]):
    def for_user(self, user: Account) -> WorkOrderQuerySet:
        """Orders in the account's regions, plus those dispatched to its person
        (``access.orders_for``)."""
        from gridgov.workorders.access import orders_for

        # The helper filters this queryset, so the rows keep its class.
        return cast(WorkOrderQuerySet, orders_for(user, self))


class AttachmentQuerySet(models.QuerySet["Attachment"]):
    def for_user(self, user: Account) -> AttachmentQuerySet:
        """Photos on the orders the account may see (``access.orders_for``)."""
        from gridgov.workorders.access import orders_for

        return self.filter(order__in=orders_for(user).values("pk"))
