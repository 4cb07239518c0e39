"""Where a notice's subject is shown: each app that notifies about its rows registers, in its
AppConfig.ready(), how to link to one (the inbox knows no app above it).

    links.register(WorkOrder, "order", desk=lambda pk: reverse("workorders:order", args=[pk]))

`name` is the subject's short name for the API (`order` fills the inbox's `order_id`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import models

from gridgov.inbox.models import Notification

Linker = Callable[[int], str]


@dataclass(frozen=True)
class Subject:
    name: str
    desk: Linker
    phone: Linker | None = None


_REGISTRY: dict[str, Subject] = {}  # by the model's label_lower ("workorders.workorder")


def register(
    model: type[models.Model], name: str, *, desk: Linker, phone: Linker | None = None
) -> None:
    """Make notices about `model`'s rows link to their pages (`desk`, and `phone` for the grid
    worker's phone pages when they differ)."""
    _REGISTRY[model._meta.label_lower] = Subject(name, desk, phone)


def subject_of(notification: Notification) -> Subject | None:
    """The registered kind of the notice's subject; None when it has none or no app registered
    its model."""
    if notification.subject_type_id is None or notification.subject_id is None:
        return None
    ct = ContentType.objects.get_for_id(notification.subject_type_id)
    return _REGISTRY.get(f"{ct.app_label}.{ct.model}")


def subject_id(notification: Notification, name: str) -> int | None:
    """The subject's id when it is of the registered kind `name` (e.g. "order"); else None."""
    found = subject_of(notification)
    return notification.subject_id if found is not None and found.name == name else None


def link_of(notification: Notification, *, phone: bool = False) -> str:
    """The page of the notice's subject ("" when it has none)."""
    found = subject_of(notification)
    if found is None or notification.subject_id is None:
        return ""
    linker = (found.phone or found.desk) if phone else found.desk
    return linker(notification.subject_id)
