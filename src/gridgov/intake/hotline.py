"""12345 hotline records (12345热线工单) in, and the order's status back out.

`HotlineAdapter` is what the platform needs of a hotline system: `fetch()` its records and
`push_status(...)` an order's outcome. Two implementations:

- `FileHotline`: records from an export file (CSV/JSON, columns below: `gridgov import-hotline
  FILE --commit`), statuses appended to an outbox file as JSON lines (GRIDGOV_HOTLINE_OUTBOX);
- `HttpHotline`: records pulled from GET {GRIDGOV_HOTLINE_URL}/records (a JSON list, or
  {"records": [...]}, each object with the same fields), statuses posted to
  {GRIDGOV_HOTLINE_URL}/status as {"id", "status", "reference", "at"}, bearer
  GRIDGOV_HOTLINE_TOKEN (`gridgov import-hotline --pull --commit`; without --commit: a dry run).

Columns / fields of a record (aliases as for fire points):
工单编号/id (required), 受理时间/time (required), 经度/lon and 纬度/lat (required: the event's
point), 类别/category (a category code or its Chinese name, required), 标题/title, 诉求内容/
content, 地址/address, 来电人/caller, 联系电话/phone (kept on the event as a reporter's contact,
never shown publicly).

When a 12345 order closes (or is voided) the work orders' `order_moved` hook reaches
`schedule_order`, which only queues the push: a `HotlinePush` row numbered attempt 0 (排队),
due now. No network call happens in the closing request: the worker's minute job (`retry_due`)
makes attempt 1, and a failed attempt is tried again after
GRIDGOV_HOTLINE_PUSH_BACKOFF_SECONDS × 2^(n−1), at most GRIDGOV_HOTLINE_PUSH_ATTEMPTS attempts in
all. Whatever goes wrong in an attempt (a bad URL, a refused or broken answer) is recorded on its
row, never raised."""

from __future__ import annotations

import datetime as dt
import http.client
import json
import logging
import urllib.error
import urllib.request
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.utils import timezone

from gridgov.errors import DomainError
from gridgov.intake import rows
from gridgov.intake.firepoints import ImportSummary
from gridgov.intake.models import ExternalEvent, HotlinePush, IntakeSystem, SystemKind
from gridgov.intake.take import Detection, take

log = logging.getLogger(__name__)

ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("工单编号", "编号", "id", "record_id", "order_id"),
    "time": ("受理时间", "来电时间", "时间", "time", "created_at", "datetime"),
    "lon": ("经度", "lon", "lng", "longitude"),
    "lat": ("纬度", "lat", "latitude"),
    "category": ("类别", "事件类别", "category"),
    "title": ("标题", "title", "subject"),
    "content": ("诉求内容", "内容", "content", "description"),
    "address": ("地址", "事发地址", "address"),
    "caller": ("来电人", "联系人", "caller", "name"),
    "phone": ("联系电话", "电话", "phone"),
}


class HotlineError(Exception):
    """The hotline system could not be reached or refused (the message says which)."""


class HotlineAdapter(Protocol):
    def fetch(self) -> Iterable[tuple[int, dict[str, Any]]]:
        """(row or position, record) of each record the system hands over."""
        ...

    def push_status(self, external_id: str, status: str, reference: str, at: dt.datetime) -> None:
        """Tell the system the order's outcome; HotlineError when it was not taken."""
        ...


class FileHotline:
    def __init__(self, path: Path | None = None, outbox: Path | None = None) -> None:
        self.path = path
        self.outbox = outbox

    def fetch(self) -> Iterable[tuple[int, dict[str, Any]]]:
        if self.path is None:
            return []
        return rows.records(self.path)

    def push_status(self, external_id: str, status: str, reference: str, at: dt.datetime) -> None:
        if self.outbox is None:
            raise HotlineError("no outbox file (GRIDGOV_HOTLINE_OUTBOX)")
        line = json.dumps(
            {"id": external_id, "status": status, "reference": reference, "at": at.isoformat()},
            ensure_ascii=False,
        )
        try:
            with self.outbox.open("a", encoding="utf-8") as out:
                out.write(line + "\n")
        except OSError as exc:
            raise HotlineError(f"outbox: {exc}") from exc


class HttpHotline:
    def __init__(self, url: str, token: str = "", timeout: float = 10.0) -> None:
        if not url.startswith(("http://", "https://")):
            raise HotlineError("GRIDGOV_HOTLINE_URL must be an http(s) URL")
        self.url = url.rstrip("/")
        self.token = token
        self.timeout = timeout

    def _request(self, path: str, body: dict[str, Any] | None = None) -> bytes:
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode()
        request = urllib.request.Request(  # noqa: S310 (scheme checked in __init__)
            self.url + path, data=data, method="GET" if body is None else "POST"
        )
        request.add_header("Accept", "application/json")
        if data is not None:
            request.add_header("Content-Type", "application/json; charset=utf-8")
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:  # noqa: S310
                return bytes(answer.read(rows.MAX_FILE_BYTES + 1))
        except urllib.error.HTTPError as exc:
            raise HotlineError(f"{path}: HTTP {exc.code}") from exc
        except (urllib.error.URLError, OSError, http.client.HTTPException, ValueError) as exc:
            # HTTPException: IncompleteRead, InvalidURL, a bad status line…; ValueError: a URL
            # urllib cannot read. None of them is an OSError.
            raise HotlineError(f"{path}: {type(exc).__name__}: {exc}") from exc

    def fetch(self) -> Iterable[tuple[int, dict[str, Any]]]:
        body = self._request("/records")
        if len(body) > rows.MAX_FILE_BYTES:
            raise HotlineError("/records: answer too large")
        try:
            yield from rows.json_records(body)
        except rows.CellError as exc:
            raise HotlineError(f"/records: {exc}") from exc

    def push_status(self, external_id: str, status: str, reference: str, at: dt.datetime) -> None:
        self._request(
            "/status",
            {"id": external_id, "status": status, "reference": reference, "at": at.isoformat()},
        )


def configured() -> HotlineAdapter | None:
    """The adapter the settings name for pushing statuses (None: nowhere to push)."""
    if settings.GRIDGOV_HOTLINE_URL:
        return HttpHotline(
            settings.GRIDGOV_HOTLINE_URL,
            settings.GRIDGOV_HOTLINE_TOKEN,
            settings.GRIDGOV_HOTLINE_TIMEOUT_SECONDS,
        )
    if settings.GRIDGOV_HOTLINE_OUTBOX:
        return FileHotline(outbox=Path(settings.GRIDGOV_HOTLINE_OUTBOX))
    return None


# --- records in --------------------------------------------------------------------------------


def detection(record: dict[str, Any], columns: dict[str, str]) -> Detection:
    """One record as a Detection; rows.CellError (with `.field`) for a bad field."""
    get = lambda name: rows.cell(record, columns, name)  # noqa: E731
    current = "id"
    try:
        external_id = rows.text(get("id"), 64)
        if not external_id:
            raise rows.CellError("an id is required")
        current = "time"
        detected_at = rows.when(get("time"))
        current = "lon"
        lon = rows.number(get("lon"), -180, 180)
        current = "lat"
        lat = rows.number(get("lat"), -90, 90)
        current = "category"
        category = rows.text(get("category"), 60)
        if not category:
            raise rows.CellError("a category is required")
        values = {}
        for name, limit in (("title", 120), ("content", 4000), ("address", 200),
                            ("caller", 50), ("phone", 20)):  # fmt: skip
            current = name
            values[name] = rows.text(get(name), limit)
    except rows.CellError as exc:
        exc.field = current  # type: ignore[attr-defined]
        raise
    return Detection(
        external_id=external_id,
        kind="report",
        detected_at=detected_at,
        lat=lat,
        lon=lon,
        category_code=category,
        title=values["title"] or values["content"][:40] or "12345",
        description=values["content"],
        address=values["address"],
        contact_name=values["caller"],
        contact_phone=values["phone"],
        # The raw record keeps no personal data beyond what the event itself keeps privately.
        raw={k: v for k, v in rows.checked_raw(record).items()
             if k not in (columns.get("caller"), columns.get("phone"))},
    )  # fmt: skip


def import_records(
    system: IntakeSystem, adapter: HotlineAdapter, *, now: dt.datetime | None = None
) -> ImportSummary:
    """Take every record the adapter hands over; bad ones are named (row and field)."""
    summary = ImportSummary()
    for number, record in adapter.fetch():
        try:
            d = detection(record, rows.header_map(list(record), ALIASES))
            taken = take(system, d, now=now)
        except rows.CellError as exc:
            summary.errors.append(rows.RowError(number, getattr(exc, "field", "row"), str(exc)))
        except DomainError as exc:
            summary.errors.append(rows.RowError(number, exc.field or "row", exc.message))
        else:
            summary.counts[taken.outcome] += 1
    return summary


# --- statuses out ------------------------------------------------------------------------------


def schedule_order(event_id: int, status: str, *, now: dt.datetime | None = None) -> int:
    """Queue `status` for every 12345 record that became this event: an attempt-0 row due now,
    which the worker's `retry_due` pushes (no network call here); the rows queued."""
    now = now or timezone.now()
    records = ExternalEvent.objects.filter(
        event_id=event_id, merged=False, system__kind=SystemKind.HOTLINE
    )
    queued = [
        HotlinePush(record=r, status=status, attempt=0, ok=False, at=now, next_at=now)
        for r in records
    ]
    HotlinePush.objects.bulk_create(queued)
    return len(queued)


class _Unconfigured:
    """Stands for an adapter the settings cannot make: every push fails with the reason."""

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def fetch(self) -> Iterable[tuple[int, dict[str, Any]]]:
        raise HotlineError(self.reason)

    def push_status(self, external_id: str, status: str, reference: str, at: dt.datetime) -> None:
        raise HotlineError(self.reason)


def _pushing_adapter() -> HotlineAdapter | None:
    try:
        return configured()
    except HotlineError as exc:
        return _Unconfigured(str(exc))


def attempt(
    record: ExternalEvent,
    status: str,
    number: int,
    adapter: HotlineAdapter | None,
    *,
    now: dt.datetime | None = None,
) -> HotlinePush:
    """One attempt at pushing, recorded; a failure schedules the next while attempts remain."""
    now = now or timezone.now()
    error = ""
    try:
        if adapter is None:
            raise HotlineError("no hotline system configured (GRIDGOV_HOTLINE_URL / _OUTBOX)")
        reference = record.event.reference if record.event else ""
        adapter.push_status(record.external_id, status, reference, now)
    except HotlineError as exc:
        error = str(exc)[:300] or type(exc).__name__
        log.warning("12345 push %s #%d failed: %s", record, number, error)
    except Exception as exc:  # an adapter's bug must not end the retries: recorded, logged
        error = f"{type(exc).__name__}: {exc}"[:300]
        log.exception("12345 push %s #%d failed unexpectedly", record, number)
    next_at = None
    if error and number < settings.GRIDGOV_HOTLINE_PUSH_ATTEMPTS:
        delay = settings.GRIDGOV_HOTLINE_PUSH_BACKOFF_SECONDS * 2 ** (number - 1)
        next_at = now + dt.timedelta(seconds=delay)
    return HotlinePush.objects.create(
        record=record, status=status, attempt=number, ok=not error, error=error, at=now,
        next_at=next_at,
    )  # fmt: skip


def retry_due(now: dt.datetime | None = None) -> int:
    """Make the next attempt of every queued or failed push that is due; how many were made."""
    now = now or timezone.now()
    adapter = _pushing_adapter()
    made = 0
    due = HotlinePush.objects.filter(ok=False, next_at__lte=now).select_related("record__event")
    for failed in due:
        # Claimed by clearing its next_at: a second worker finds nothing to do.
        if not HotlinePush.objects.filter(pk=failed.pk, next_at__isnull=False).update(next_at=None):
            continue
        attempt(failed.record, failed.status, failed.attempt + 1, adapter, now=now)
        made += 1
    return made
