"""巡查检查: recording an inspection (checklist, position and time as proof, photos), the
rectification (整改) and its work order that a failed item opens, and the re-inspection (复查)
that closes it. The only write path for inspections: the API, the pages and the demo call it.

Errors carry a field and a message, never an HTTP status: `InspectionError` (bad input),
`NotFound` (not in the caller's scope, or no such row: the same answer), `NotAllowed`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov import inputs
from gridgov.core import evidence
from gridgov.core.actor import Account, recorded_user
from gridgov.core.workcal import CST
from gridgov.errors import FORBIDDEN, NOT_FOUND, FieldRefusal
from gridgov.inspections.models import (
    ChecklistItem,
    Inspection,
    InspectionItem,
    InspectionPhoto,
    Rectification,
)
from gridgov.people.actor import person_of
from gridgov.people.models import Post
from gridgov.sources.models import PollutionSource, Status
from gridgov.sources.services import distance_to, sources_for
from gridgov.territory import extent
from gridgov.workorders import routing
from gridgov.workorders.models import Category, Source
from gridgov.workorders.services import EventInput, WorkflowError, create_event, perform
from gridgov.workorders.states import OPEN_STATES

# Positions farther than the allowed distance times this are refused; between the two, kept
# and flagged (far=True) for a person to judge.
HARD_LIMIT_FACTOR = 3
# A phone's clock may run a little ahead of the server's.
CLOCK_SKEW = dt.timedelta(minutes=5)
# An inspection is recorded the same day: older times are refused.
MAX_AGE = dt.timedelta(hours=24)
NOTE_LIMIT = 2000
KEY_LIMIT = 40
MAX_PHOTOS = 9
RECTIFICATION_CATEGORY = "rectification"


class InspectionError(FieldRefusal, ValueError):
    """A refused inspection: which field, and why (invalid)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(field, message)
        self.args = (f"{field}: {message}",)


class NotFound(InspectionError):
    """No such source or rectification, or not in the caller's scope."""

    kind = NOT_FOUND


class NotAllowed(InspectionError):
    """The caller may not do this (an account without a person)."""

    kind = FORBIDDEN


def max_metres() -> float:
    return float(settings.GRIDGOV_INSPECTION_MAX_METRES)


# ------------------------------------------------------------------------------ scope --


def inspections_for(user: Account, qs: QuerySet[Inspection] | None = None) -> QuerySet[Inspection]:
    """Inspections of the sources the account may see."""
    qs = Inspection.objects.all() if qs is None else qs
    return qs.filter(source__in=sources_for(user).values("pk"))


def rectifications_for(
    user: Account, qs: QuerySet[Rectification] | None = None
) -> QuerySet[Rectification]:
    """Rectifications of the sources the account may see, and those dispatched to its person."""
    qs = Rectification.objects.all() if qs is None else qs
    q = Q(source__in=sources_for(user).values("pk"))
    person = person_of(user)
    if person is not None:
        q |= Q(order__assignee=person)
    return qs.filter(q)


def checklist(category: str) -> list[ChecklistItem]:
    """The active items of a category's checklist, in their order."""
    return list(ChecklistItem.objects.filter(category=category, active=True))


# ------------------------------------------------------------------------ recording --


@dataclass(frozen=True)
class Recorded:
    inspection: Inspection
    rectification: Rectification | None  # opened by this inspection
    closed: Rectification | None  # closed by this re-inspection
    repeated: bool  # the submission key was seen before: nothing new was written


def answers(passed: list[int], failed: list[int]) -> dict[int, bool]:
    """{item id: passed} from the two lists a form or a multipart request sends; an item in
    both, or twice in one, is refused."""
    out: dict[int, bool] = {}
    for ok, ids in ((True, passed), (False, failed)):
        for item_id in ids:
            if isinstance(item_id, bool) or not inputs.INT_MIN <= item_id <= inputs.INT_MAX:
                raise InspectionError("items", _("检查项编号无效"))
            if item_id in out:
                raise InspectionError("items", _("检查项 %(id)s 填写了不止一次") % {"id": item_id})
            out[item_id] = ok
    return out


def _checked_time(at: dt.datetime | None, now: dt.datetime) -> dt.datetime:
    if at is None:
        return now
    if at.tzinfo is None:
        raise InspectionError("at", _("检查时间须带时区"))
    if at > now + CLOCK_SKEW:
        raise InspectionError("at", _("检查时间不能晚于现在"))
    if at < now - MAX_AGE:
        raise InspectionError("at", _("检查时间不能早于24小时前，请当场记录"))
    return at


def _checked_items(source: PollutionSource, items: Mapping[int, bool]) -> list[ChecklistItem]:
    wanted = checklist(source.category)
    if not wanted:
        raise InspectionError("items", _("该类别没有启用的检查项"))
    known = {i.pk: i for i in wanted}
    unknown = sorted(set(items) - set(known))
    if unknown:
        raise InspectionError(
            "items",
            _("检查项 %(ids)s 不属于该污染源类别的检查表")
            % {"ids": ", ".join(str(i) for i in unknown[:5])},
        )
    missing = [i for i in wanted if i.pk not in items]
    if missing:
        raise InspectionError(
            "items",
            _("以下检查项未填写：%(items)s") % {"items": "、".join(i.text for i in missing)},
        )
    for item_id, value in items.items():
        if not isinstance(value, bool):
            raise InspectionError(f"items.{item_id}", _("须为合格或不合格"))
    return wanted


def _open_rectification(
    user: Account, source: PollutionSource, rectification_id: int | None
) -> Rectification | None:
    if rectification_id is None:
        return None
    inputs.check_int("rectification", rectification_id)
    found = (
        rectifications_for(user)
        .filter(pk=rectification_id)
        .prefetch_related("failed_items")
        .first()
    )
    if found is None:
        raise NotFound("rectification", _("整改不存在"))
    if found.source_id != source.pk:
        raise InspectionError("rectification", _("该整改不属于此污染源"))
    if found.state != Rectification.State.OPEN:
        raise InspectionError("rectification", _("该整改已完成，无需复查"))
    return found


def record_inspection(
    user: Account,
    source_id: int,
    lat: float,
    lon: float,
    accuracy: float | None = None,
    at: dt.datetime | None = None,
    items: Mapping[int, bool] | None = None,
    notes: str = "",
    photos: list[evidence.PreparedPhoto] | None = None,
    submission_key: str | None = None,
    rectification_id: int | None = None,
    *,
    now: dt.datetime | None = None,
) -> Recorded:
    """Record one inspection of a source in the account's scope, all in one transaction: its
    items, photos (prepared beforehand by evidence.prepare_photos; the caller discards them
    if this raises), a rectification with its work order when an item fails, and — naming an
    open rectification (复查) — closing it when every item it was opened for now passes.
    Re-sent with the same `submission_key`, it returns the first record."""
    try:
        return _record(
            user, source_id, lat, lon, accuracy, at, items, notes, photos, submission_key,
            rectification_id, now or timezone.now(),
        )  # fmt: skip
    except inputs.InputError as exc:
        raise InspectionError(exc.field, exc.message) from exc


def _record(
    user: Account,
    source_id: int,
    lat: float,
    lon: float,
    accuracy: float | None,
    at: dt.datetime | None,
    items: Mapping[int, bool] | None,
    notes: str,
    photos: list[evidence.PreparedPhoto] | None,
    submission_key: str | None,
    rectification_id: int | None,
    now: dt.datetime,
) -> Recorded:
    key = inputs.check_text("submission_key", (submission_key or "").strip(), KEY_LIMIT) or None
    if key:
        seen = Inspection.objects.filter(submission_key=key).first()
        if seen is not None:
            return _repeat(user, seen)
    person = person_of(user)
    if person is None:
        raise NotAllowed("user", _("该账号没有关联人员，不能记录检查"))
    inputs.check_int("source", source_id)
    source = (
        sources_for(user)
        .filter(pk=source_id)
        .select_related("grid")
        .defer("grid__geometry")
        .first()
    )
    if source is None:
        raise NotFound("source", _("污染源不存在"))
    if source.status == Status.CLOSED:
        raise InspectionError("source", _("该污染源已关停注销，无需检查"))
    extent.check_point(lat, lon)
    if accuracy is not None:
        inputs.check_number("accuracy", accuracy, 0, 100_000)
    at = _checked_time(at, now)
    note = inputs.check_text("notes", (notes or "").strip(), NOTE_LIMIT)
    wanted = _checked_items(source, items or {})
    if photos and len(photos) > MAX_PHOTOS:
        raise InspectionError("photos", _("最多 %(n)s 张照片") % {"n": MAX_PHOTOS})
    reopened = _open_rectification(user, source, rectification_id)
    metres = distance_to(source, lat, lon)
    allowed = max_metres()
    if metres > allowed * HARD_LIMIT_FACTOR:
        raise InspectionError(
            "lat",
            _("您的位置距该污染源 %(m)s 米，须在 %(max)s 米内现场检查")
            % {"m": round(metres), "max": round(allowed)},
        )
    failed = [i for i in wanted if not items[i.pk]]  # type: ignore[index]
    try:
        with transaction.atomic():
            inspection = Inspection.objects.create(
                source=source,
                inspector=person,
                user=recorded_user(user),
                at=at,
                lat=lat,
                lon=lon,
                accuracy_m=accuracy,
                distance_m=round(metres, 1),
                far=metres > allowed,
                result=Inspection.Result.FAILED if failed else Inspection.Result.PASSED,
                note=note,
                rectification=reopened,
                region_path=source.region_path,
                submission_key=key,
                created_at=now,
            )
            InspectionItem.objects.bulk_create(
                [
                    InspectionItem(inspection=inspection, item=i, passed=items[i.pk])  # type: ignore[index]
                    for i in wanted
                ]
            )
            if photos:
                _store_photos(inspection, photos, now)
            closed = None
            still = set()
            if reopened is not None:
                before = {i.pk for i in reopened.failed_items.all()}
                still = {i.pk for i in failed if i.pk in before}
                closed = _reinspected(reopened, inspection, user, still, now)
            new_failures = [i for i in failed if i.pk not in still]
            opened = _rectify(source, inspection, new_failures, user, now) if new_failures else None
    except IntegrityError:
        if key:  # the same submission, sent twice at once: the other one won
            seen = Inspection.objects.filter(submission_key=key).first()
            if seen is not None:
                return _repeat(user, seen)
        raise
    return Recorded(inspection, opened, closed, False)


def _repeat(user: Account, seen: Inspection) -> Recorded:
    if seen.user_id != getattr(user, "pk", None):
        raise InspectionError("submission_key", _("该提交编号已被使用"))
    opened = Rectification.objects.filter(inspection=seen).first()
    closed = None
    if seen.rectification_id and seen.rectification.state == Rectification.State.CLOSED:  # type: ignore[union-attr]
        closed = seen.rectification
    return Recorded(seen, opened, closed, True)


def _store_photos(
    inspection: Inspection, prepared: list[evidence.PreparedPhoto], now: dt.datetime
) -> None:
    for p in prepared:
        InspectionPhoto.objects.create(
            inspection=inspection, **evidence.keep_photo(p, "inspections", now)
        )


def photo_path(photo: InspectionPhoto) -> Path:
    return evidence.stored_path(photo.file)


# --------------------------------------------------------------------- rectification --


def responsible_post(source: PollutionSource, on: dt.date | None = None) -> Post | None:
    """The post that answers for the source, as sources.services.responsible_of names it: the
    source's own current post, else the nearest responsible post of its grid and the chain
    above (the same order)."""
    day = on or timezone.localdate()
    post = source.responsible_post
    if (
        post is not None
        and post.start_date <= day
        and (post.end_date is None or post.end_date >= day)
    ):
        return post
    chain = source.grid.ancestor_ids()
    depth = {rid: i for i, rid in enumerate(chain)}
    posts = (
        Post.objects.current(on)
        .filter(region_id__in=chain, post_type__responsible=True)
        .select_related("person", "post_type", "region")
        .defer("region__geometry")
    )
    ordered = sorted(
        posts, key=lambda p: (-depth[p.region_id], p.post_type.rank, p.person.name, p.person_id)
    )
    return ordered[0] if ordered else None


def end_of_day(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=CST)


def _rectify(
    source: PollutionSource,
    inspection: Inspection,
    failed: list[ChecklistItem],
    user: Account,
    now: dt.datetime,
) -> Rectification:
    """A rectification of the failed items, due in the longest of their periods, and its work
    order dispatched to the source's responsible person."""
    day = inspection.at.astimezone(CST).date()
    due = day + dt.timedelta(days=max(i.rectify_days for i in failed))
    category = Category.objects.filter(code=RECTIFICATION_CATEGORY, active=True).first()
    order = None
    if category is not None:
        post = responsible_post(source, day)
        assignment = routing.Assignment(post.person, post, post.region) if post else None
        lines = "\n".join(f"· {i.text}" for i in failed)
        description = _("%(name)s（%(code)s）检查不合格：\n%(items)s\n整改期限：%(due)s") % {
            "name": source.name,
            "code": source.code,
            "items": lines,
            "due": due.isoformat(),
        }
        if inspection.note:
            description += "\n" + inspection.note
        try:
            order = create_event(
                EventInput(
                    source=Source.INSPECTION,
                    category=category,
                    title=(_("整改：%(name)s") % {"name": source.name})[:120],
                    description=description[:4000],
                    lat=source.lat,
                    lon=source.lon,
                    address=source.address[:200],
                    region=source.grid,
                    submission_key=f"inspection:{inspection.pk}",
                    assignee=assignment,
                    handle_by=end_of_day(due),
                ),
                user,
                now=now,
            )
        except WorkflowError as exc:  # pragma: no cover - the inputs are our own
            raise InspectionError(exc.field or "source", str(exc)) from exc
    rect = Rectification.objects.create(
        inspection=inspection,
        source=source,
        order=order,
        due_date=due,
        region_path=source.region_path,
        created_at=now,
    )
    rect.failed_items.set(failed)
    return rect


def _reinspected(
    rect: Rectification, inspection: Inspection, user: Account, still: set[int], now: dt.datetime
) -> Rectification | None:
    """Close the rectification when none of its items fails any more (its order finished by
    the `rectified` action), else note the failing re-inspection on its order."""
    order = rect.order
    if still:
        texts = "、".join(i.text for i in rect.failed_items.all() if i.pk in still)
        if order is not None and order.state in OPEN_STATES:
            _perform(
                order.pk,
                "still_failing",
                user,
                _("复查仍不合格：%(items)s") % {"items": texts},
                inspection,
                now,
            )
        return None
    updated = Rectification.objects.filter(pk=rect.pk, state=Rectification.State.OPEN).update(
        state=Rectification.State.CLOSED, closed_at=now
    )
    if not updated:
        raise InspectionError("rectification", _("该整改已完成，无需复查"))
    rect.state, rect.closed_at = Rectification.State.CLOSED, now
    if order is not None and order.state in OPEN_STATES:
        _perform(order.pk, "rectified", user, _("复查合格，整改完成"), inspection, now)
    return rect


def _perform(
    order_id: int, code: str, user: Account, note: str, inspection: Inspection, now: dt.datetime
) -> None:
    try:
        perform(
            order_id, code, user, note=note, lat=inspection.lat, lon=inspection.lon, now=now,
            system=True,
        )  # fmt: skip
    except WorkflowError as exc:
        raise InspectionError("rectification", str(exc)) from exc


def is_on_time(rect: Rectification) -> bool:
    return rect.closed_at is not None and rect.closed_at.astimezone(CST).date() <= rect.due_date
