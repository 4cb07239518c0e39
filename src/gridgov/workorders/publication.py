"""What the public may see of an event (公开信息): one rule for the public tracking page and
Open311. Only events that came from the public, or that an official marked public, in public
categories; phone and ID-card numbers in the text masked; a citizen's point rounded to about
50 m; the responsible unit named from the moment the place is located. Nothing personal of
anyone — reporter, grid worker — is ever part of it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from gridgov.workorders.models import Event, Source
from gridgov.workorders.states import State

# Mainland mobile numbers (optionally +86), landlines with an area code, 18-digit ID numbers
# (and the old 15-digit ones). Digits are matched on their own, not inside longer numbers.
_ID_CARD = re.compile(r"(?<!\d)(\d{6})\d{8}(\d{3}[\dXx])(?!\d)|(?<!\d)(\d{6})\d{6}(\d{3})(?!\d)")
_MOBILE = re.compile(r"(?<!\d)((?:\+?86[- ]?)?1[3-9]\d)[- ]?\d{4}[- ]?(\d{4})(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)(0\d{2,3})[- ]?\d{3,4}(\d{4})(?!\d)")
# 0.0005° of latitude is 55 m; of longitude at 35°N, 45 m.
GRID_DEGREES = 0.0005


def mask_personal(text: str) -> str:
    """Text with ID-card, mobile and landline numbers masked (keeping a few digits)."""

    def id_card(m: re.Match[str]) -> str:
        if m.group(1):
            return f"{m.group(1)}********{m.group(2)}"
        return f"{m.group(3)}******{m.group(4)}"

    text = _ID_CARD.sub(id_card, text)
    text = _MOBILE.sub(lambda m: f"{m.group(1)}****{m.group(2)}", text)
    return _LANDLINE.sub(lambda m: f"{m.group(1)}-****{m.group(2)}", text)


def rounded(value: float) -> float:
    return round(round(value / GRID_DEGREES) * GRID_DEGREES, 4)


def published_events(qs: QuerySet[Event] | None = None) -> QuerySet[Event]:
    """Events anyone may see: from the public or marked public, in an active public category."""
    qs = Event.objects.all() if qs is None else qs
    return qs.filter(Q(source=Source.CITIZEN) | Q(public=True)).filter(
        category__public=True, category__active=True
    )


def trackable_events(qs: QuerySet[Event] | None = None) -> QuerySet[Event]:
    """Events one may look up by their reference number: the published ones, and 12345 calls
    (the caller was told the number), in public categories."""
    qs = Event.objects.all() if qs is None else qs
    return qs.filter(Q(source__in=(Source.CITIZEN, Source.HOTLINE)) | Q(public=True)).filter(
        category__public=True
    )


def agency(event: Event) -> str:
    """The unit (and post) responsible, as soon as the place is located."""
    order = event.order
    name = order.unit.name if order.unit_id else event.region.name
    if order.assignee_post and order.state != State.REPORTED:
        name += f" · {order.assignee_post}"
    return name


@dataclass(frozen=True)
class PublicView:
    description: str
    address: str
    lat: float
    lon: float
    agency: str


def public_view(event: Event) -> PublicView:
    text = event.description or event.title
    return PublicView(
        description=mask_personal(text),
        address=mask_personal(event.address) or event.region.name,
        lat=rounded(event.lat),
        lon=rounded(event.lon),
        agency=agency(event),
    )
