"""The input boundary (输入校验): the rules every entry point applies to what it is sent.

One module decides what the platform accepts, whichever door the input comes through — the
API's JSON and query strings, the pages' and the public form's fields, Open311, Excel/CSV
imports, devices. The HTTP doors apply it once, in `gridgov.web.middleware.InputBoundaryMiddleware`
(query strings, form fields, path segments, file names) and in the API's JSON parser (every
string and number of a body); importers call `check_text` per cell. The rules:

- text holds no C0/C1 control characters other than tab, newline and carriage return, no NUL
  and no lone surrogates (they poison exports and some databases);
- integers fit the database's signed 64-bit column;
- ISO dates are real calendar dates, and dates in query strings lie in 2000–2100;
- numbers are finite.

Errors carry the field and a message, never an HTTP status: each door turns them into its own
answer (a 400 naming the field, a row error, a form error).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterator
from typing import Any

# C0 controls except \t \n \r, DEL and the C1 block; lone surrogates (from "\ud800" escapes).
_BAD_CHAR = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
# What looks like a date: YYYY-MM-DD at the start (a date-time may follow).
_ISO_DATE = re.compile(r"^\s*([+-]?\d{4,})-(\d{1,2})-(\d{1,2})(?:$|[T ]\d)")
_INTEGER = re.compile(r"^\s*[+-]?\d+\s*$")

INT_MIN = -(2**63)
INT_MAX = 2**63 - 1
QUERY_YEARS = (2000, 2100)  # dates asked for in query strings (ranges of reports)
READING_EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)  # no monitoring data before this
ANY_YEARS = (1900, 2100)  # any other date the platform stores (birth dates aside)


class InputError(ValueError):
    """Refused input: which field, and why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def bad_char(text: str) -> str | None:
    """A description of the first forbidden character in `text`, or None."""
    found = _BAD_CHAR.search(text)
    if found is None:
        return None
    char = found.group()
    return f"control character U+{ord(char):04X} at position {found.start()} is not allowed"


def check_text(field: str, text: str, max_length: int | None = None) -> str:
    """`text` itself, or InputError if it holds a forbidden character or is too long."""
    problem = bad_char(text)
    if problem:
        raise InputError(field, problem)
    if max_length is not None and len(text) > max_length:
        raise InputError(field, f"at most {max_length} characters ({len(text)} given)")
    return text


def check_int(field: str, value: int) -> int:
    if not INT_MIN <= value <= INT_MAX:
        raise InputError(field, "integer out of range")
    return value


def check_number(field: str, value: float, low: float | None = None, high: float | None = None):  # type: ignore[no-untyped-def]
    """A finite number, within [low, high] when given."""
    if isinstance(value, bool):
        raise InputError(field, "must be a number")
    if isinstance(value, int):
        check_int(field, value)
    elif not math.isfinite(value):
        raise InputError(field, "must be a finite number")
    if low is not None and value < low:
        raise InputError(field, f"must be at least {low:g}")
    if high is not None and value > high:
        raise InputError(field, f"must be at most {high:g}")
    return value


def check_point(lat: float, lon: float) -> tuple[float, float]:
    """WGS84 degrees: finite, latitude within ±90, longitude within ±180."""
    check_number("lat", lat, -90, 90)
    check_number("lon", lon, -180, 180)
    return lat, lon


def check_date(field: str, value: dt.date, years: tuple[int, int] = QUERY_YEARS) -> dt.date:
    if not years[0] <= value.year <= years[1]:
        raise InputError(field, f"the year must be between {years[0]} and {years[1]}")
    return value


def parse_date(
    field: str,
    text: str | None,
    default: dt.date | None = None,
    years: tuple[int, int] = QUERY_YEARS,
) -> dt.date:
    """An ISO date (YYYY-MM-DD) from a query or a form, within `years`; `default` when empty."""
    if text is None or not text.strip():
        if default is None:
            raise InputError(field, "a date is required (YYYY-MM-DD)")
        return default
    try:
        value = dt.date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(field, f"{text.strip()[:20]!r} is not a date (YYYY-MM-DD)") from None
    return check_date(field, value, years)


def check_date_text(field: str, text: str, years: tuple[int, int]) -> None:
    """If `text` starts like an ISO date, it must be a real calendar date within `years`."""
    found = _ISO_DATE.match(text)
    if found is None:
        return
    year, month, day = (int(g) for g in found.groups())
    if not years[0] <= year <= years[1]:
        raise InputError(field, f"the year must be between {years[0]} and {years[1]}")
    try:
        dt.date(year, month, day)
    except ValueError:
        raise InputError(field, f"{found.group().strip()[:10]} is not a calendar date") from None


def check_query_value(field: str, text: str) -> None:
    """One query-string, form or path value."""
    check_text(field, text)
    if _INTEGER.match(text) and len(text) > 18:
        check_int(field, int(text))
    check_date_text(field, text, QUERY_YEARS)


def check_form_value(field: str, text: str) -> None:
    """One submitted form field: its text, and dates within the stored window. (Numbers are
    the form's own business: a 21-digit phone is a form error, not a refused request; ids come
    through `parse_ids` or an IntegerField bounded by INT_MAX.)"""
    check_text(field, text)
    check_date_text(field, text, ANY_YEARS)


def parse_ids(field: str, values: list[str]) -> list[int]:
    """Row ids sent by a form (checkboxes, selects): positive integers the database can hold."""
    out = []
    for i, text in enumerate(values):
        text = text.strip()
        if not text.isdigit():
            raise InputError(f"{field}[{i}]", "must be a positive integer")
        out.append(check_int(f"{field}[{i}]", int(text)))
    return out


def walk_json(value: Any, path: str = "") -> Iterator[InputError]:
    """Every problem in a parsed JSON document, each named by its path (`readings[3].pm25`)."""
    if isinstance(value, str):
        problem = bad_char(value)
        if problem:
            yield InputError(path or "body", problem)
        else:
            try:
                check_date_text(path or "body", value, ANY_YEARS)
            except InputError as exc:
                yield exc
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, int):
        if not INT_MIN <= value <= INT_MAX:
            yield InputError(path or "body", "integer out of range")
    elif isinstance(value, float):
        if not math.isfinite(value):
            yield InputError(path or "body", "must be a finite number")
    elif isinstance(value, dict):
        for key, item in value.items():
            name = str(key)
            problem = bad_char(name)
            if problem:
                yield InputError(f"{path}.<key>" if path else "<key>", problem)
                continue
            yield from walk_json(item, f"{path}.{name}" if path else name)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from walk_json(item, f"{path}[{i}]")


def json_problems(value: Any, limit: int = 20) -> list[InputError]:
    problems: list[InputError] = []
    for problem in walk_json(value):
        problems.append(problem)
        if len(problems) >= limit:
            break
    return problems


# --- stored text that a format cannot hold ---------------------------------------------------

_SIGNED_NUMBER = re.compile(r"^[+-][\d .]*$")  # +86 138…, -5: text a sheet shows as is
# What XML 1.0 cannot hold (so neither can .xlsx, .docx nor a PDF's text): the C0 controls but
# tab, newline and carriage return; lone surrogates; the noncharacters U+FFFE and U+FFFF.
_EXPORT_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _escape(found: re.Match[str]) -> str:
    code = ord(found.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04X}"


def printable(text: str) -> str:
    """Stored text made safe for every export format (Excel, Word, PDF, XML, CSV): each
    character XML 1.0 cannot hold becomes a visible escape (`\\x1b`, `\\uFFFE`, `\\uD800`), so
    nothing is silently lost and the file always writes."""
    if not _EXPORT_BAD.search(text):
        return text
    return _EXPORT_BAD.sub(_escape, text)


def sheet_row(values: list[Any]) -> list[Any]:
    """A spreadsheet row that every export can write whatever text is stored: control
    characters escaped visibly, and text that a spreadsheet would run as a formula kept as text."""
    return [sheet_cell(v) for v in values]


def sheet_cell(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    value = printable(value)
    first = value[:1]
    if first in ("=", "@") or (first in ("+", "-") and not _SIGNED_NUMBER.match(value)):
        return "'" + value  # text, not a formula (CSV/formula injection)
    return value


def cleaned(text: str) -> str:
    """Text without forbidden characters (the one-off clean-up of rows stored before the
    boundary existed)."""
    return _BAD_CHAR.sub("", text)
