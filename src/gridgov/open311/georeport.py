"""Open311 GeoReport v2 representations of our categories and events. What a request shows is
decided by workorders.publication (the same rule as the public tracking page): no personal data
of anyone (numbers, names, building and room numbers masked in the text), a citizen's point
rounded; `agency_responsible` names
the responsible unit from the moment the place is located."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from xml.etree import ElementTree as ET

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.inputs import printable
from gridgov.workorders.lateness import public_deadline
from gridgov.workorders.models import Category, Event
from gridgov.workorders.publication import public_view
from gridgov.workorders.states import OPEN_STATES, State

SPEC = "http://wiki.open311.org/GeoReport_v2"


def iso(value: dt.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def service(c: Category) -> dict[str, Any]:
    return {
        "service_code": c.code,
        "service_name": c.name,
        "description": c.name_en or c.name,
        "metadata": False,
        "type": "realtime",
        "keywords": ",".join(k for k in (c.name, c.name_en) if k),
        "group": c.parent.name if c.parent else c.name,
    }


def definition(c: Category) -> dict[str, Any]:
    return {"service_code": c.code, "attributes": []}


def request(e: Event) -> dict[str, Any]:
    """One service request as the public may see it (workorders.publication decides what).

    Our states onto GeoReport v2's two: every open state (OPEN_STATES) is "open", 已结案 and
    已作废 are "closed"; `status_notes` names our own state. A closed order its reporter
    re-opened (重新打开, workorders/verdict.py) is "open" again; while it is open its
    `status_notes` says it was re-opened and how often (the state it has reached, then
    群众反映问题未解决，已重新打开N次). `expected_datetime` is the public 办结时限
    (lateness.public_deadline: the category's whole time limit, from the re-opening when
    there was one); `updated_datetime` the last change. The spec has no status of its own for
    a re-opened request, and a client that knows only open/closed rightly reads it as work to
    do."""
    order = e.order
    view = public_view(e)
    open_ = order.state in OPEN_STATES
    notes = str(State(order.state).label)
    if open_ and order.reopen_count:
        notes = _("%(state)s（群众反映问题未解决，已重新打开%(n)d次）") % {
            "state": notes,
            "n": order.reopen_count,
        }
    if e.merged_into_id:
        notes += f"（并入 {e.merged_into.reference}）" if e.merged_into else ""
    updated = order.closed_at if order.state == State.CLOSED else order.updated_at
    deadline = public_deadline(order, timezone.now())
    return {
        "service_request_id": e.reference,
        "status": "open" if open_ else "closed",
        "status_notes": notes,
        "service_name": e.category.name,
        "service_code": e.category.code,
        "description": view.description[:4000],
        "agency_responsible": view.agency,
        "service_notice": None,
        "requested_datetime": iso(e.created_at),
        "updated_datetime": iso(updated),
        "expected_datetime": iso(deadline.due_at) if open_ else None,
        "address": view.address,
        "address_id": None,
        "zipcode": None,
        "lat": view.lat,
        "long": view.lon,
        "media_url": e.media_url or None,  # the reporter's own public link, http(s) only
    }


# ------------------------------------------------------------------------------------ XML --


def _add(parent: ET.Element, key: str, value: Any) -> None:
    child = ET.SubElement(parent, key)
    if value is None:
        return
    if isinstance(value, bool):
        child.text = "true" if value else "false"
    elif isinstance(value, list):
        for item in value:
            _fill(ET.SubElement(child, "attribute"), item)
    else:
        child.text = printable(str(value))  # XML 1.0 cannot hold control characters


def _fill(element: ET.Element, data: dict[str, Any]) -> None:
    for key, value in data.items():
        _add(element, key, value)


def to_xml(root: str, item: str | None, data: Any) -> bytes:
    """GeoReport XML: <root><item>…</item>…</root>, or <root>…</root> for one object."""
    top = ET.Element(root)
    if item is None:
        _fill(top, data)
    else:
        for entry in data:
            _fill(ET.SubElement(top, item), entry)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(top, encoding="utf-8")


FORMATS = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}


def respond(fmt: str, data: Any, root: str, item: str | None, status: int = 200) -> HttpResponse:
    if fmt == "xml":
        body = to_xml(root, item, data)
    else:
        body = json.dumps(data, ensure_ascii=False).encode()
    return HttpResponse(body, status=status, content_type=FORMATS[fmt])


def error_response(fmt: str, status: int, description: str) -> HttpResponse:
    """The spec's error list: [{code, description}]."""
    return respond(fmt, [{"code": status, "description": description}], "errors", "error", status)


def refused(request: HttpRequest, status: int, description: str) -> HttpResponse:
    """A request the input boundary refused, in the spec's error list (XML under *.xml)."""
    fmt = "xml" if request.path.endswith(".xml") else "json"
    return error_response(fmt, status, description)
