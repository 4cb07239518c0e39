"""Bulletins: generate one (idempotent: the same unit and period answer the stored one unless
forced), find them within an account's scope, send the notice, and the worker's schedule."""

from __future__ import annotations

import datetime as dt
import logging
import os
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max, QuerySet
from django.utils import timezone

from gridgov.bulletins.models import Bulletin
from gridgov.bulletins.periods import KIND_LABELS, PeriodError, period_for
from gridgov.core.actor import Account
from gridgov.core.scopes import under_paths
from gridgov.errors import FORBIDDEN, INVALID, NOT_FOUND, FieldRefusal
from gridgov.inbox.models import Notification
from gridgov.inbox.notify import notify
from gridgov.people import scope
from gridgov.people.models import Post
from gridgov.territory import ladder
from gridgov.territory.models import Level, Region

log = logging.getLogger(__name__)

GENERATE = "bulletins.generate_bulletin"


def unit_levels() -> tuple[int, ...]:
    """The levels whose units have a bulletin: every configured level from the top down to the
    street/town (a city, its districts and counties, their streets; a district and its
    streets). Communities and grids have none."""
    return tuple(lv for lv in ladder.units() if lv <= Level.STREET)


class BulletinError(FieldRefusal, ValueError):
    """Refused: which field, and why (no HTTP status: each door makes its own answer)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(field, message)
        self.args = (f"{field}: {message}" if field else message,)


class NotFound(BulletinError):
    """No such bulletin, or one outside the caller's scope."""

    kind = NOT_FOUND


class UnknownRegion(NotFound):
    """A region code in the input that names no unit the caller sees: a bad input."""

    kind = INVALID


class NotAllowed(BulletinError):
    kind = FORBIDDEN


# --- access ----------------------------------------------------------------------------------


def bulletins_for(user: Account, qs: QuerySet[Bulletin] | None = None) -> QuerySet[Bulletin]:
    """Bulletins of units inside the account's scope: a street's own, not the district's."""
    qs = Bulletin.objects.all() if qs is None else qs
    paths = scope.scope_paths(user)
    if paths is scope.ALL:
        return qs
    if not paths:
        return qs.none()
    return qs.filter(under_paths(paths, "region_path"))


def get_bulletin(user: Account, pk: int) -> Bulletin:
    """The bulletin, if the account may see it; "not yours" is the same as "no such one"."""
    found = bulletins_for(user).select_related("region").filter(pk=pk).first()
    if found is None:
        raise NotFound("id", "no such bulletin")
    return found


def can_generate(user: Account) -> bool:
    return bool(user is not None and user.is_authenticated and user.has_perm(GENERATE))


def unit_for(code: str | None, user: Account = None) -> Region:
    """The unit a bulletin is about: the root of the territory (by default, the only one or the
    first: the city, or the district) or a unit below it down to a street/town, active; with
    an account, one inside its scope."""
    qs = Region.objects.active().filter(level__in=unit_levels()).defer("geometry")
    if code:
        region = qs.filter(code=code).first()
    else:
        region = qs.filter(parent__isnull=True).order_by("level", "code").first()
    if region is None or (user is not None and not scope.can_see_region(user, region)):
        if not code:
            raise UnknownRegion("region", "there is no territory: import the regions first")
        raise UnknownRegion("region", f"no city, district or street/town with code {code!r}")
    return region


def bulletin_units(user: Account) -> list[Region]:
    """The units the account may generate bulletins for (the city, districts and streets it
    sees)."""
    qs = Region.objects.active().filter(level__in=unit_levels()).defer("geometry")
    return list(scope.regions_for(user, qs).order_by("level", "code"))


def issuer_of(region: Region) -> str:
    return f"{region.name}{settings.GRIDGOV_BULLETIN_OFFICE}"


# --- generating ------------------------------------------------------------------------------


def file_path(relative: str) -> Path:
    return Path(settings.MEDIA_ROOT) / relative


def _write(relative: str, data: bytes) -> None:
    path = file_path(relative)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(path.suffix + ".part")
    partial.write_bytes(data)
    os.replace(partial, path)


def generate(
    kind: str,
    day: dt.date,
    region: Region,
    *,
    force: bool = False,
    user: Account = None,
    now: dt.datetime | None = None,
    on: dt.date | None = None,
) -> tuple[Bulletin, bool]:
    """(the bulletin, whether it was made now). The same unit and period answer the stored one
    unchanged unless `force`, which redraws it from today's data under its number."""
    if region.level not in unit_levels() or region.retired_at is not None:
        raise BulletinError("region", "a bulletin is for a city, a district or a street/town")
    try:
        period = period_for(kind, day, on)
    except PeriodError as exc:
        raise BulletinError(exc.field, exc.message) from None
    found = Bulletin.objects.filter(
        region=region, kind=kind, start=period.start, end=period.end
    ).first()
    if found is not None and not force:
        return found, False
    from gridgov.bulletins.content import build  # here: the figures' numpy loads only to build

    now = now or timezone.now()
    content = build(region, period, issuer_of(region), now)
    issued = timezone.localtime(now).date()
    year = period.end.year
    stem = f"bulletins/{year}/{region.pk}-{kind}-{period.start:%Y%m%d}-{period.end:%Y%m%d}"
    from gridgov.bulletins import excel, pdf  # here: reportlab and openpyxl load only to render

    for attempt in range(3):
        try:
            with transaction.atomic():
                if found is not None:
                    number = found.number
                else:
                    latest = Bulletin.objects.filter(region=region, kind=kind, year=year).aggregate(
                        n=Max("number")
                    )["n"]
                    number = (latest or 0) + 1
                _write(stem + ".pdf", pdf.render(content, number, issued))
                _write(stem + ".xlsx", excel.render(content, number))
                values = {
                    "region_path": region.path,
                    "year": year,
                    "number": number,
                    "title": content.title,
                    "pdf_file": stem + ".pdf",
                    "xlsx_file": stem + ".xlsx",
                    "figures": content.snapshot(),
                    "generated_at": now,
                    "generated_by": user if getattr(user, "pk", None) else None,
                }
                if found is not None:
                    Bulletin.objects.filter(pk=found.pk).update(**values)
                    found.refresh_from_db()
                    return found, True
                made = Bulletin.objects.create(
                    region=region, kind=kind, start=period.start, end=period.end, **values
                )
                return made, True
        except IntegrityError:
            # Another process made this period's bulletin, or took the number, meanwhile.
            found = Bulletin.objects.filter(
                region=region, kind=kind, start=period.start, end=period.end
            ).first()
            if found is not None and not force:
                return found, False
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


# --- notices and the schedule ----------------------------------------------------------------


def recipients(region: Region) -> list[int]:
    """The persons holding a current post at the unit itself (its office), with an account."""
    return sorted(
        set(
            Post.objects.current()
            .filter(region=region, person__user__isnull=False)
            .values_list("person_id", flat=True)
        )
    )


def send_notice(bulletin: Bulletin) -> int:
    title = f"调度通报：{bulletin.title} {bulletin.year}年第{bulletin.number}期"
    body = f"{bulletin.start:%Y-%m-%d}至{bulletin.end:%Y-%m-%d}，请在「调度通报」页面查阅下载。"
    return notify(
        recipients(bulletin.region),
        Notification.Kind.BULLETIN,
        title,
        body=body,
        key=f"bulletin:{bulletin.pk}",
    )


def due_kinds(today: dt.date) -> list[str]:
    """What the schedule makes on a day: yesterday's daily bulletin; on Mondays last week's,
    on the 1st last month's."""
    kinds = ["day"]
    if today.weekday() == 0:
        kinds.append("week")
    if today.day == 1:
        kinds.append("month")
    return kinds


def run_schedule(today: dt.date | None = None) -> list[Bulletin]:
    """Generate the due bulletins of the district(s) and every street for yesterday, and send
    each new one to its unit's inbox. Repeating it makes and sends nothing new."""
    today = today or timezone.localdate()
    yesterday = today - dt.timedelta(days=1)
    units = Region.objects.active().filter(level__in=unit_levels()).defer("geometry")
    made = []
    for region in units.order_by("level", "code"):
        for kind in due_kinds(today):
            bulletin, fresh = generate(kind, yesterday, region, on=today)
            if fresh:
                made.append(bulletin)
                sent = send_notice(bulletin)
                log.info("bulletin %s: %d notices", bulletin, sent)
    return made


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind)
