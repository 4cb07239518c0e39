"""Every export and document survives whatever text is stored (issue 20).

Text stored before the input boundary refused it (by the admin, an import, an older version)
is written here straight through the ORM into every CharField and TextField of every gridgov
model of the route-matrix district: NUL, ESC, the noncharacters U+FFFE and U+FFFF, a
spreadsheet formula, markup, and 5,000 characters where the column takes them.
Then every export answers 200 with a file that opens again — the exports are found, not
listed: every GET route of the URL configuration whose OpenAPI answer is a file (xlsx, csv,
docx, pdf), and every page route ending in a file's extension — and the bulletin is generated
(PDF and Excel) from the same data. A new export is covered without touching this file.

Lone surrogates cannot be stored at all (both sqlite3 and psycopg encode text as UTF-8 and
refuse them), and PostgreSQL refuses NUL in text: those are left out where the database cannot
hold them, so they cannot reach an export (`inputs.printable` escapes them all the same:
tests/test_input_boundary.py).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import Any

import pytest
from django.apps import apps
from django.db import connection, models
from django.utils import timezone

from tests.api_district import District, district, put, stations  # noqa: F401
from tests.test_route_matrix import ROUTES, routes, url

FORMULA = "=cmd|' /C calc'!A0"
MARKUP = "<b>&</b>"
ODD = "\x00\x1b\ufffe\uffff"  # NUL, ESC, the two noncharacters
LONG = 5_000

# Text whose value is a key the code looks up (a registry, a tree), not words someone wrote:
# garbage there is a different bug (a broken reference), not text an export must print.
NOT_TEXT = {
    "territory.Region.path",  # the materialised tree path the scope queries walk
    "territory.Region.code",  # the key of the region tree and of the work lines
    "sources.PollutionSource.category",  # the key into the category registry
    "sources.CategoryField.category",
}

# Columns that name a stored file, its type or a digest (keys into storage), or a code the
# URLs and devices use (a station's code, an MN): keys, not words.
NOT_TEXT_NAMES = ("path", "file", "file_type", "stored", "sha256", "digest", "content_type")
NOT_TEXT_NAMES += ("token", "code", "mn")

FILE_TYPES = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/pdf": "pdf",
    "text/csv": "csv",
}


def worst(max_length: int | None, suffix: str) -> str:
    """The worst text that fits the column: the odd characters and the formula first, the
    markup, then padding up to 5,000 characters; `suffix` keeps unique columns unique."""
    odd = ODD if connection.vendor == "sqlite" else ODD.replace("\x00", "")
    text = f"{FORMULA}{odd}{MARKUP}"
    limit = LONG if max_length is None else min(max_length, LONG)
    if limit < len(text) + len(suffix):  # a short column: the formula's start and the odd ones
        text = f"={odd}{MARKUP}"
    body = (text + "长" * LONG)[: max(limit - len(suffix), 0)]
    return body + suffix


def text_fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    label = f"{model._meta.app_label}.{model.__name__}"
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField)
        and not f.primary_key
        and not f.choices  # a choice is a code the code maps, not stored words
        and f"{label}.{f.name}" not in NOT_TEXT
        and not f.name.endswith(NOT_TEXT_NAMES)
    ]


def poison() -> int:
    """Write the worst text into every text column of every gridgov row; answer how many
    columns of how many rows were written."""
    written = 0
    for model in apps.get_models():
        if not model.__module__.startswith("gridgov.") or model._meta.proxy:
            continue
        fields = text_fields(model)
        if not fields or not model._meta.managed:
            continue
        for pk in model.objects.values_list("pk", flat=True):
            values = {f.attname: worst(f.max_length, f"#{pk}") for f in fields}
            model.objects.filter(pk=pk).update(**values)
            written += len(values)
    return written


def _later_meeting(user: Any, unit: str) -> int:
    """The next dispatch meeting of the district's, so the first one's decision is carried
    over into its minutes (a table row of 5,000 characters in the PDF)."""
    from gridgov.meetings import services

    m = services.create_meeting(
        user,
        services.MeetingInput(
            title="下次调度会",
            kind="dispatch",
            starts_at=timezone.now() + dt.timedelta(days=3),
            place="指挥中心",
            convener="D",
            attendees=[services.AttendeeInput(unit=unit)],
        ),
    )
    return m.pk


def api_files() -> dict[str, str]:
    """OpenAPI path (`/api/v1/orders.xlsx`) → the file type its GET answers."""
    from gridgov.api import api

    out = {}
    for path, operations in api.get_openapi_schema()["paths"].items():
        answers = operations.get("get", {}).get("responses", {})
        answer = answers.get(200) or answers.get("200") or {}
        for media in answer.get("content", {}):
            if media in FILE_TYPES:
                out[path] = FILE_TYPES[media]
    return out


def exports() -> list[tuple[str, str, dict[str, str]]]:
    """(route, file type, extra params) of every export the URL configuration serves."""
    by_api = api_files()
    out = []
    for route in routes():
        if route.startswith("api/"):
            kind = by_api.get("/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route))
            if kind:  # an uploaded file is sent back as stored: only its answer is checked
                stored = "/file" in route or "/documents/" in route
                out.append((route, "stored" if stored else kind, {}))
            continue
        found = re.search(r"\.(xlsx|csv|pdf|docx|<str:fmt>)$", route)
        if not found or route.startswith("open311/"):  # Open311 answers XML or JSON, no file
            continue
        if found.group(1) == "<str:fmt>":
            out += [(route, fmt, {"fmt": fmt}) for fmt in ("pdf", "docx")]
        else:
            out.append((route, found.group(1), {}))
    return out


def readable(kind: str, content: bytes) -> str:
    """What a reader finds wrong with the file (empty when it opens)."""
    if kind == "stored":
        return ""
    if kind == "xlsx":
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(content))
        for sheet in book.worksheets:
            for row in sheet.iter_rows(values_only=True):
                for value in row:
                    if isinstance(value, str) and value.startswith(("=", "@")):
                        return f"a formula in sheet {sheet.title}: {value[:30]!r}"
        return ""
    if kind == "docx":
        from docx import Document

        text = "\n".join(p.text for p in Document(io.BytesIO(content)).paragraphs)
        return "" if text else "no text"
    if kind == "pdf":
        ok = content.startswith(b"%PDF") and content.rstrip().endswith(b"%%EOF")
        return "" if ok else "not a whole PDF"
    rows = list(csv.reader(io.StringIO(content.decode("utf-8"))))
    return "" if rows else "no rows"


@pytest.fixture
def poisoned(district, crew):  # noqa: F811
    """The district with a next meeting, a bulletin's data, and the worst text everywhere."""
    later = _later_meeting(crew["command"], "D-S1-C1-G1")
    written = poison()
    return district, later, written


def test_every_export_and_document_survives_any_stored_text(poisoned, client, crew, territory):
    d, later, written = poisoned
    assert written > 200  # every text column of the district's rows
    client.force_login(crew["command"])
    from gridgov.bulletins import services as bulletins

    made = [
        bulletins.generate(kind, timezone.localdate(), territory["D"], force=True)[0]
        for kind in ("day", "week")
    ]
    found = exports()
    assert len(found) >= 30, found
    failures = []
    checked = []
    for route, kind, extra in found:
        row = ROUTES[route]
        params = {**row.params, **extra}
        if "bulletin" in route:  # the matrix asks for a bulletin that does not exist
            params = {k: str(made[0].pk) for k in params}
        if "meeting" in route:
            params = {
                k: (str(later) if k in ("pk", "meeting_id") else v) for k, v in params.items()
            }
        query = row.query
        if kind == "csv":
            query = "&".join(q for q in (query, "format=csv") if q)
        address = url(route, params, d, query)
        response = client.get(address)
        # The command office's answer in the route matrix: 200, but 404 for the rules
        # version the district stores no document of.
        expected = 200 if "bulletin" in route else int(row.expect.split()[1])
        if response.status_code != expected:
            failures.append(f"{address}: {response.status_code}, not {expected}")
            continue
        if expected != 200:
            checked.append(address)
            continue
        body = b"".join(response) if response.streaming else response.content
        problem = readable(kind, body)
        if problem:
            failures.append(f"{address}: {problem}")
        checked.append(address)
    for b in made:  # the stored bulletin files, as generated
        for kind, name in (("pdf", b.pdf_file), ("xlsx", b.xlsx_file)):
            problem = readable(kind, bulletins.file_path(name).read_bytes())
            if problem:
                failures.append(f"bulletin {b.pk} {kind}: {problem}")
    assert not failures, "\n".join(failures)
    assert len(checked) == len(found)
