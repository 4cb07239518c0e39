"""Open311 GeoReport v2 under /open311/v2/: discovery, services, service definitions,
requests (GET with the spec's filters, POST with api_key), one request, tokens; JSON and XML;
errors as the spec's list of {code, description} (404 unknown, 403 api_key, 400 otherwise)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from gridgov.open311 import georeport
from gridgov.open311.models import ApiKey
from gridgov.workorders.models import Category, Event, Source
from gridgov.workorders.publication import published_events, trackable_events
from gridgov.workorders.services import TEXT_LIMITS, EventInput, WorkflowError, create_event
from gridgov.workorders.states import OPEN_STATES

FORMATS = georeport.FORMATS
MAX_RESULTS = 1000
DEFAULT_DAYS = 90


class Open311Error(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status


_respond = georeport.respond


def _error(fmt: str, exc: Open311Error) -> HttpResponse:
    return georeport.error_response(fmt, exc.status, str(exc))


def endpoint(
    root: str, item: str | None, methods: tuple[str, ...] = ("GET",)
) -> Callable[[Callable[..., Any]], Callable[..., HttpResponse]]:
    def wrap(view: Callable[..., Any]) -> Callable[..., HttpResponse]:
        @csrf_exempt
        @require_http_methods(list(methods))
        def run(request: HttpRequest, fmt: str, **kw: Any) -> HttpResponse:
            if fmt not in FORMATS:
                return _error("json", Open311Error(400, f"unknown format {fmt!r}: json or xml"))
            try:
                data = view(request, **kw)
            except Open311Error as exc:
                return _error(fmt, exc)
            return _respond(fmt, data, root, item)

        return run

    return wrap


def _public_categories(request: HttpRequest) -> QuerySet[Category]:
    return (
        Category.objects.for_user(request.user)
        .filter(active=True, public=True, parent__isnull=False)
        .select_related("parent")
    )


@endpoint("discovery", None)
def discovery(request: HttpRequest) -> Any:
    base = request.build_absolute_uri(reverse("open311:root"))
    return {
        "changeset": "2026-11-27T00:00:00+08:00",
        "contact": "区一网统管指挥中心",
        "key_service": "gridgov open311-key create NAME (issued by the district's administrator)",
        "endpoints": [
            {
                "specification": georeport.SPEC,
                "url": base.rstrip("/"),
                "changeset": "2026-11-27T00:00:00+08:00",
                "type": "production",
                "formats": ["application/json", "text/xml"],
            }
        ],
    }


@endpoint("services", "service")
def services(request: HttpRequest) -> Any:
    return [georeport.service(c) for c in _public_categories(request)]


@endpoint("service_definition", None)
def service_definition(request: HttpRequest, code: str) -> Any:
    c = _public_categories(request).filter(code=code).first()
    if c is None:
        raise Open311Error(404, f"unknown service_code {code!r}")
    return georeport.definition(c)


def _related(qs: QuerySet[Event]) -> QuerySet[Event]:
    return qs.select_related("category", "region", "order__unit", "merged_into").defer(
        "region__geometry", "order__unit__geometry"
    )


def _tracked() -> QuerySet[Event]:
    """One request by its reference: what the public tracking page would show."""
    return _related(trackable_events())


def _events() -> QuerySet[Event]:
    """Only what the public may see (workorders.publication): citizens' reports and events an
    official marked public, in public categories."""
    return _related(published_events())


def _when(value: str, name: str) -> dt.datetime:
    parsed = parse_datetime(value.replace(" ", "+")) if value else None
    if parsed is None:
        raise Open311Error(400, f"{name} must be a W3C date-time, e.g. 2026-11-27T09:00:00+08:00")
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


@endpoint("service_requests", "request", methods=("GET", "POST"))
def requests_(request: HttpRequest) -> Any:
    if request.method == "POST":
        return _create(request)
    q = request.GET
    qs = _events()
    ids = [s.strip() for s in q.get("service_request_id", "").split(",") if s.strip()]
    if ids:  # the spec: other parameters are ignored when ids are given
        return [georeport.request(e) for e in qs.filter(reference__in=ids[:MAX_RESULTS])]
    codes = [s.strip() for s in q.get("service_code", "").split(",") if s.strip()]
    if codes:
        qs = qs.filter(category__code__in=codes)
    end = _when(q["end_date"], "end_date") if q.get("end_date") else timezone.now()
    start = (
        _when(q["start_date"], "start_date")
        if q.get("start_date")
        else end - dt.timedelta(days=DEFAULT_DAYS)
    )
    if start > end:
        raise Open311Error(400, "start_date is after end_date")
    qs = qs.filter(created_at__gte=start, created_at__lte=end)
    statuses = {s.strip() for s in q.get("status", "").split(",") if s.strip()}
    if statuses - {"open", "closed"}:
        raise Open311Error(400, "status must be open, closed or both")
    open_values = [s.value for s in OPEN_STATES]
    if statuses == {"open"}:
        qs = qs.filter(order__state__in=open_values)
    elif statuses == {"closed"}:
        qs = qs.exclude(order__state__in=open_values)
    return [georeport.request(e) for e in qs.order_by("-created_at")[:MAX_RESULTS]]


# GeoReport fields → (our field, longest accepted); longer is refused, never cut.
TEXT_FIELDS = {
    "description": TEXT_LIMITS["description"],
    "address_string": TEXT_LIMITS["address"],
    "phone": TEXT_LIMITS["contact_phone"],
    "email": TEXT_LIMITS["contact_email"],
}
NAME_LIMIT = TEXT_LIMITS["contact_name"]
FORM_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}


def _text(data: Any, name: str) -> str:
    value = data.get(name, "").strip()
    limit = TEXT_FIELDS[name]
    if len(value) > limit:
        raise Open311Error(400, f"{name} is longer than {limit} characters")
    return str(value)


def _create(request: HttpRequest) -> Any:
    if request.content_type not in FORM_TYPES:
        raise Open311Error(
            400,
            "POST requests must be form-encoded (application/x-www-form-urlencoded), "
            f"not {request.content_type or 'an empty content type'}",
        )
    data = request.POST
    if ApiKey.verify(data.get("api_key") or request.GET.get("api_key")) is None:
        raise Open311Error(403, "a valid api_key is required")
    code = data.get("service_code", "").strip()
    if not code:
        raise Open311Error(400, "service_code is required")
    category = _public_categories(request).filter(code=code).first()
    if category is None:
        raise Open311Error(404, f"unknown service_code {code!r}")
    try:
        lat, lon = float(data["lat"]), float(data["long"])
    except (KeyError, ValueError):
        raise Open311Error(400, "lat and long are required (WGS84 decimal degrees)") from None
    description = _text(data, "description")
    name = " ".join(p.strip() for p in (data.get("last_name", ""), data.get("first_name", "")) if p)
    if len(name) > NAME_LIMIT:
        raise Open311Error(400, f"first_name and last_name together exceed {NAME_LIMIT} characters")
    email = _text(data, "email")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise Open311Error(400, "email is not an e-mail address") from None
    try:
        order = create_event(
            EventInput(
                source=Source.CITIZEN,
                category=category,
                title=(description.splitlines()[0] if description else category.name)[:120],
                description=description,
                lat=lat,
                lon=lon,
                address=_text(data, "address_string"),
                media_url=data.get("media_url", ""),
                contact_name=name,
                contact_phone=_text(data, "phone"),
                contact_email=email,
            )
        )
    except WorkflowError as exc:
        raise Open311Error(400, f"{exc.field or 'request'}: {exc}") from exc
    return [
        {
            "service_request_id": order.event.reference,
            "service_notice": "已受理登记，可凭编号查询办理进度",
            "account_id": None,
        }
    ]


@endpoint("service_requests", "request")
def one_request(request: HttpRequest, ref: str) -> Any:
    e = _tracked().filter(reference=ref).first()
    if e is None:
        raise Open311Error(404, f"no service request {ref!r}")
    return [georeport.request(e)]


@endpoint("service_requests", "request")
def token(request: HttpRequest, token: str) -> Any:
    # Requests are created at once, so a token is the request's own reference.
    e = _tracked().filter(reference=token).first()
    if e is None:
        raise Open311Error(404, f"no request for token {token!r}")
    return [{"service_request_id": e.reference, "token": token}]


# The resources of GeoReport v2, each of which needs a format suffix (.json or .xml).
RESOURCES = ("discovery", "services", "services/", "requests", "requests/", "tokens/")


@csrf_exempt
def unknown(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Any other path under /open311/: the spec's error list with 404, never the site's HTML page.

    GeoReport v2 makes the response format part of every path (`services.{response_format}`,
    a required path parameter in the specification's Swagger description), and the clients
    (city apps, 12345 systems, the Open311 libraries) always send it. So a path without a suffix
    is answered 404 saying which suffix to add, rather than served as JSON by default: one URL
    per resource and format, as the discovery document lists them. The error itself is JSON (the
    spec's first format), XML if the path asked for .xml."""
    path = rest.strip("/")
    fmt = "xml" if path.endswith(".xml") else "json"
    if request.path.startswith("/open311/v2/") and path.startswith(RESOURCES):
        description = (
            f"/open311/v2/{path} needs a format suffix: /open311/v2/{path}.json or .xml "
            "(GeoReport v2)"
        )
    else:
        description = (
            f"no Open311 endpoint at {request.path}: GeoReport v2 is under /open311/v2/ "
            "(discovery, services, services/CODE, requests, requests/ID, tokens/TOKEN), "
            "each with the format suffix .json or .xml"
        )
    return georeport.error_response(fmt, 404, description)
