"""`take`: one machine-detected event (外部感知事件) in — checked, located, merged or made an
Event dispatched like any other.

Every door (the fire-point file, the camera API, the 12345 adapters) hands its detections here.
What happens to one, in order:

1. checked through the input boundary (a DomainError naming the field: a bad id, kind, time,
   point, confidence or text is refused and nothing is stored);
2. already known by (system, external id): the same row is answered again (`repeated`), so a
   re-sent file or post changes nothing;
3. outside every grid: stored with its refusal (`outside`), no event;
4. a duplicate of an open event (a fire point within GRIDGOV_INTAKE_MERGE_METERS and
   GRIDGOV_INTAKE_MERGE_HOURS of one of the system's points that made or joined an open event; a
   camera's alert of the same kind within GRIDGOV_INTAKE_CAMERA_MERGE_MINUTES): joined to it
   (`merged`), its image attached to that event's order;
5. otherwise a new event in the kind's category and the point's grid (`created`): fire points
   and camera alerts are dispatched at once to the grid's person, 12345 records wait at the desk.

Concurrency: the takes of one system are serialised by a row lock on the system (PostgreSQL;
SQLite serialises every write anyway), so two posts of one alert, or two alerts of one camera,
never make two events; the unique (system, external id) constraint is the last word, and a post
that loses that race answers the winner's row."""

from __future__ import annotations

import datetime as dt
import io
import math
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov import inputs
from gridgov.core import evidence
from gridgov.errors import INVALID, DomainError
from gridgov.intake.models import EXTERNAL_ID_MAX, ExternalEvent, IntakeSystem, SystemKind
from gridgov.territory import extent
from gridgov.territory.models import Region
from gridgov.workorders import attachments, routing
from gridgov.workorders.models import Attachment, Category, Source, WorkOrder
from gridgov.workorders.services import EventInput, WorkflowError, create_event
from gridgov.workorders.states import OPEN_STATES

# The kinds each system sends, and the category (workorders Category.code) each files under.
KIND_CATEGORY = {
    "fire": "straw_burning",  # a satellite fire point; off farmland: open_burning (land type)
    "smoke": "open_burning",  # 烟雾
    "open_burning": "open_burning",  # 露天焚烧
    "muck_truck": "road_dust",  # 渣土车未苫盖
    "dust": "construction_dust",  # 扬尘
    "report": "",  # a 12345 record names its own category
}
KINDS = {
    SystemKind.SATELLITE: ("fire",),
    SystemKind.CAMERA: ("smoke", "open_burning", "muck_truck", "dust"),
    SystemKind.HOTLINE: ("report",),
}
SOURCE = {
    SystemKind.SATELLITE: Source.SATELLITE,
    SystemKind.CAMERA: Source.CAMERA,
    SystemKind.HOTLINE: Source.HOTLINE,
}
TEXT_LIMITS = {"device": 64, "title": 120, "description": 4000, "address": 200}
CONTACT_LIMITS = {"contact_name": 50, "contact_phone": 20}
FUTURE_SLACK = dt.timedelta(hours=1)  # a sender's clock a little ahead is tolerated
EARTH_METERS = 6_371_000.0


@dataclass
class Detection:
    """What a system sent about one detection (before checking)."""

    external_id: str
    kind: str
    detected_at: dt.datetime
    lat: float
    lon: float
    confidence: float | None = None
    device: str = ""  # the camera's id, the satellite's name
    title: str = ""
    description: str = ""
    address: str = ""
    land_type: str = ""  # 地类 of a fire point: farmland files under straw burning
    category_code: str = ""  # a 12345 record's own category (code or Chinese name)
    contact_name: str = ""
    contact_phone: str = ""
    raw: dict[str, Any] = field(default_factory=dict)
    image: bytes | None = None  # the evidence image as sent (JPEG/PNG/WebP)


@dataclass
class Taken:
    record: ExternalEvent
    outcome: str  # created | merged | outside | refused | repeated
    order: WorkOrder | None = None


def _invalid(field_name: str, message: str) -> DomainError:
    return DomainError(INVALID, message, field_name)


def checked(system: IntakeSystem, d: Detection, now: dt.datetime) -> Detection:
    """The detection with its text stripped, or a DomainError naming the first bad field."""
    d.external_id = str(d.external_id).strip()
    if not d.external_id:
        raise _invalid("id", _("缺少外部编号"))
    try:
        inputs.check_text("id", d.external_id, max_length=EXTERNAL_ID_MAX)
        for name, limit in (TEXT_LIMITS | CONTACT_LIMITS).items():
            setattr(d, name, inputs.check_text(name, str(getattr(d, name)).strip(), limit))
        inputs.check_text("land_type", d.land_type, 40)
        inputs.check_text("category", d.category_code, 60)
        inputs.check_point(d.lat, d.lon)
        if d.confidence is not None:
            inputs.check_number("confidence", d.confidence, 0, 100)
    except inputs.InputError as exc:
        raise _invalid(exc.field, exc.message) from None
    if d.kind not in KINDS[SystemKind(system.kind)]:
        allowed = ", ".join(KINDS[SystemKind(system.kind)])
        raise _invalid("kind", _("未知类型 %(kind)s（可用：%(allowed)s）") % {
            "kind": str(d.kind)[:30], "allowed": allowed})  # fmt: skip
    if not isinstance(d.detected_at, dt.datetime) or timezone.is_naive(d.detected_at):
        raise _invalid("time", _("时间须带时区"))
    try:
        inputs.check_date("time", d.detected_at.date(), inputs.ANY_YEARS)
    except inputs.InputError as exc:
        raise _invalid("time", exc.message) from None
    if d.detected_at > now + FUTURE_SLACK:
        raise _invalid("time", _("发现时间晚于当前时间"))
    if d.image is not None and len(d.image) > settings.GRIDGOV_INTAKE_IMAGE_MAX_BYTES:
        raise DomainError(
            "too_large",
            _("图片不得超过 %(n)d 字节") % {"n": settings.GRIDGOV_INTAKE_IMAGE_MAX_BYTES},
            "image",
        )
    return d


def category_for(d: Detection) -> Category | None:
    """The active second-level category the detection files under (None: none is)."""
    code = d.category_code or KIND_CATEGORY.get(d.kind, "")
    if d.kind == "fire" and d.land_type and not any(w in d.land_type for w in FARMLAND):
        code = "open_burning"
    found = Category.objects.filter(active=True, parent__isnull=False)
    return found.filter(code=code).first() or found.filter(name=code).first()


FARMLAND = ("耕地", "农田", "旱地", "水田", "farm", "crop", "arable")


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_METERS * math.asin(min(1.0, math.sqrt(a)))


def merge_target(system: IntakeSystem, d: Detection) -> ExternalEvent | None:
    """The system's earlier detection whose open event this one repeats, or None."""
    joined = ExternalEvent.objects.filter(
        system=system, event__isnull=False, event__order__state__in=OPEN_STATES
    ).select_related("event")
    if system.kind == SystemKind.SATELLITE:
        meters = settings.GRIDGOV_INTAKE_MERGE_METERS
        window = dt.timedelta(hours=settings.GRIDGOV_INTAKE_MERGE_HOURS)
        dlat = meters / 111_000 + 1e-6
        dlon = meters / (111_000 * max(math.cos(math.radians(d.lat)), 0.01)) + 1e-6
        near = joined.filter(
            detected_at__gte=d.detected_at - window,
            detected_at__lte=d.detected_at + window,
            lat__range=(d.lat - dlat, d.lat + dlat),
            lon__range=(d.lon - dlon, d.lon + dlon),
        )
        scored = [
            (distance_m(d.lat, d.lon, e.lat, e.lon), e.pk, e)
            for e in near
            if e.lat is not None and e.lon is not None
        ]
        scored = [s for s in scored if s[0] <= meters]
        return min(scored, key=lambda s: (s[0], s[1]))[2] if scored else None
    if system.kind == SystemKind.CAMERA and d.device:
        window = dt.timedelta(minutes=settings.GRIDGOV_INTAKE_CAMERA_MERGE_MINUTES)
        return (
            joined.filter(
                device=d.device,
                kind=d.kind,
                detected_at__gte=d.detected_at - window,
                detected_at__lte=d.detected_at + window,
            )
            .order_by("-detected_at", "-pk")
            .first()
        )
    return None


def _title(system: IntakeSystem, d: Detection, category: Category) -> str:
    if d.title:
        return d.title
    if system.kind == SystemKind.SATELLITE:
        sat = f" {d.device}" if d.device else ""
        return (_("卫星遥感火点%(sat)s") % {"sat": sat})[:120]
    where = f"（{d.device}）" if d.device else ""
    return (_("视频智能识别：%(what)s%(where)s") % {"what": category.name, "where": where})[:120]


def _description(system: IntakeSystem, d: Detection) -> str:
    if d.description:
        return d.description
    parts = [
        f"{system.name} {d.external_id}",
        f"{timezone.localtime(d.detected_at):%Y-%m-%d %H:%M}",
    ]
    if d.confidence is not None:
        parts.append(_("可信度 %(c)g") % {"c": d.confidence})
    if d.land_type:
        parts.append(_("地类 %(t)s") % {"t": d.land_type})
    return " · ".join(parts)


def _row(system: IntakeSystem, d: Detection, now: dt.datetime, **more: Any) -> ExternalEvent:
    return ExternalEvent(
        system=system,
        external_id=d.external_id,
        kind=d.kind,
        device=d.device,
        detected_at=d.detected_at,
        lat=d.lat,
        lon=d.lon,
        confidence=d.confidence,
        raw=d.raw,
        received_at=now,
        **more,
    )


def _order_of(record: ExternalEvent) -> WorkOrder | None:
    if record.event_id is None:
        return None
    return WorkOrder.objects.filter(event_id=record.event_id).first()


def _known(system: IntakeSystem, external_id: str) -> Taken | None:
    seen = ExternalEvent.objects.filter(system=system, external_id=external_id).first()
    return None if seen is None else Taken(seen, "repeated", _order_of(seen))


def lock_system(system: IntakeSystem) -> None:
    """Hold the system's row until the transaction ends: its takes go one at a time."""
    list(IntakeSystem.objects.select_for_update().filter(pk=system.pk).values_list("pk"))


def alert_of(system: IntakeSystem, external_id: str) -> ExternalEvent | None:
    """One of the system's own detections by its id (another system's is None, as no id)."""
    found = ExternalEvent.objects.filter(system=system, external_id=external_id)
    return found.select_related("event").first()


def take(system: IntakeSystem, d: Detection, *, now: dt.datetime | None = None) -> Taken:
    """Take one detection of `system` (see the module's doc); DomainError when it is refused
    before anything is stored (a bad field, an image that is not one)."""
    now = now or timezone.now()
    d = checked(system, d, now)
    known = _known(system, d.external_id)
    if known is not None:
        return known
    photo = None
    if d.image is not None:
        try:
            photo = evidence.prepare_photo(io.BytesIO(d.image), size=len(d.image), name="alert.jpg")
        except evidence.PhotoRejected as exc:
            raise DomainError(exc.kind, exc.message, "image") from None
    try:
        with transaction.atomic():
            # One take of this system at a time (merging reads what the others wrote).
            lock_system(system)
            known = _known(system, d.external_id)
            if known is not None:
                return known
            return _place(system, d, now, photo)
    except IntegrityError:
        known = _known(system, d.external_id)
        if known is None:  # pragma: no cover - some other constraint
            raise
        return known
    finally:
        if photo is not None:
            evidence.discard([photo])  # kept photos were moved away; this removes leftovers


def _refused(system: IntakeSystem, d: Detection, now: dt.datetime, outcome: str, why: str) -> Taken:
    record = _row(system, d, now, refused=why[:200], outcome=outcome)
    record.save()
    return Taken(record, outcome)


def _place(
    system: IntakeSystem, d: Detection, now: dt.datetime, photo: evidence.PreparedPhoto | None
) -> Taken:
    region = locate(d.lat, d.lon)
    if region is None:
        return _refused(system, d, now, "outside", _("不在本区任何网格内"))
    category = category_for(d)
    if category is None:
        why = _("没有可用的事件类别 %(c)s") % {"c": d.category_code or d.kind}
        return _refused(system, d, now, "refused", why)
    target = merge_target(system, d)
    if target is not None:
        assert target.event_id is not None  # merge_target picks joined rows only
        order = WorkOrder.objects.get(event_id=target.event_id)
        image = ""
        if photo is not None:
            (kept,) = attachments.attach_photos(order, [photo], stage="report")
            image = kept.file
        record = _row(
            system, d, now, event_id=target.event_id, merged=True, image=image, outcome="merged"
        )
        with transaction.atomic():
            record.save()
        return Taken(record, "merged", order)
    data = EventInput(
        source=SOURCE[SystemKind(system.kind)],
        category=category,
        title=_title(system, d, category),
        description=_description(system, d),
        address=d.address,
        lat=d.lat,
        lon=d.lon,
        region=region,
        contact_name=d.contact_name,
        contact_phone=d.contact_phone,
    )
    try:
        order = create_event(data, None, now=now, photos=[photo] if photo else None)
    except WorkflowError as exc:
        return _refused(system, d, now, "refused", f"{exc.field or ''}: {exc.message}")
    image = ""
    if photo is not None:
        first = Attachment.objects.filter(order=order).order_by("pk").first()
        image = first.file if first is not None else ""
    record = _row(system, d, now, event_id=order.event_id, image=image)
    with transaction.atomic():
        record.save()
    return Taken(record, "created", order)


def locate(lat: float, lon: float) -> Region | None:
    """The grid holding the point, or None when it is outside the district or every grid."""
    try:
        extent.check_point(lat, lon)
        return routing.region_for(lat, lon)
    except (inputs.InputError, routing.Unlocated, ValueError):
        return None
