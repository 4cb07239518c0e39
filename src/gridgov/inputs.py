"""The input boundary (输入校验): the rules every entry point applies to what it is sent.

One module decides what the platform accepts, whichever door the input comes through — the
API's JSON and query strings, the pages' and the public form's fields, Open311, Excel/CSV
imports, devices. The HTTP doors apply it once, in `gridgov.web.middleware.InputBoundaryMiddleware`
(query strings, form fields, path segments, file names) and in the API's JSON parser (every
string and number of a body); importers call `check_text` per cell. The rules:

- text holds no C0/C1 control characters other than tab, newline and carriage return, no NUL,
  no lone surrogates (they poison exports and some databases) and no Unicode noncharacters
  (U+FDD0–U+FDEF and U+xFFFE/U+xFFFF of every plane: never meant for interchange);
- a JSON document is nested at most `MAX_JSON_DEPTH` levels;
- integers fit the database's signed 64-bit column;
- ISO dates are real calendar dates, and dates in query strings lie in 2000–2100;
- numbers are finite, and points are WGS84 degrees (`check_point`; the district's own extent
  is checked by `gridgov.territory.extent`).

Errors carry the field and a message, never an HTTP status: each door turns them into its own
answer (a 400 naming the field, a row error, a form error).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Iterator
from typing import Any

# C0 controls except \t \n \r, DEL and the C1 block; lone surrogates (from "\ud800" escapes).
_CONTROL = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff"
# The 66 noncharacters: U+FDD0–U+FDEF, and the last two code points of each of the 17 planes.
_NONCHARACTERS = "\ufdd0-\ufdef" + "".join(
    chr(plane << 16 | 0xFFFE) + chr(plane << 16 | 0xFFFF) for plane in range(17)
)
_BAD_CHAR = re.compile(f"[{_CONTROL}{_NONCHARACTERS}]")
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


class NotJSON(InputError):
    """A body or a cell that is not JSON at all (its own door may accept other formats)."""


def bad_char(text: str) -> str | None:
    """A description of the first forbidden character in `text`, or None."""
    found = _BAD_CHAR.search(text)
    if found is None:
        return None
    code = ord(found.group())
    kind = "noncharacter" if code >= 0xFDD0 else "control character"
    return f"{kind} U+{code:04X} at position {found.start()} is not allowed"


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


def check_number(
    field: str, value: float, low: float | None = None, high: float | None = None
) -> float:
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


MAX_JSON_DEPTH = 64  # levels of arrays/objects; GeoJSON needs 4-5 (a MultiPolygon's rings)


def walk_json(value: Any, path: str = "") -> Iterator[InputError]:
    """Every problem in a parsed JSON document, each named by its path (`readings[3].pm25`),
    in document order. Iterative (an explicit stack), so no nesting can exhaust Python's own;
    a document nested deeper than MAX_JSON_DEPTH is one problem, and is not walked further."""
    stack: list[Iterator[tuple[str, Any]]] = [iter([(path, value)])]
    while stack:
        item = next(stack[-1], None)
        if item is None:
            stack.pop()
            continue
        where, value = item
        if isinstance(value, dict | list) and len(stack) > MAX_JSON_DEPTH:
            yield InputError(where or "body", f"nested deeper than {MAX_JSON_DEPTH} levels")
            return
        if isinstance(value, dict):
            stack.append(_members(where, value))
        elif isinstance(value, list):
            stack.append(_elements(where, value))
        else:
            problem = _scalar_problem(where or "body", value)
            if problem is not None:
                yield problem


def _elements(path: str, value: list[Any]) -> Iterator[tuple[str, Any]]:
    for i, item in enumerate(value):
        yield (f"{path}[{i}]", item)


def _members(path: str, value: dict[Any, Any]) -> Iterator[tuple[str, Any]]:
    for key, item in value.items():
        name = str(key)
        if bad_char(name):
            # A bad key is reported through the scalar rule (its text is the problem).
            yield (f"{path}.<key>" if path else "<key>", name)
            continue
        yield (f"{path}.{name}" if path else name, item)


def _scalar_problem(field: str, value: Any) -> InputError | None:
    if isinstance(value, str):
        problem = bad_char(value)
        if problem:
            return InputError(field, problem)
        try:
            check_date_text(field, value, ANY_YEARS)
        except InputError as exc:
            return exc
    elif isinstance(value, bool) or value is None:
        return None
    elif isinstance(value, int):
        if not INT_MIN <= value <= INT_MAX:
            return InputError(field, "integer out of range")
    elif isinstance(value, float) and not math.isfinite(value):
        return InputError(field, "must be a finite number")
    return None


def parse_json(field: str, text: str | bytes) -> Any:
    """A JSON document checked by every rule above, or InputError: not JSON (ValueError,
    undecodable bytes), nested too deep for the parser (RecursionError), or a bad value."""
    try:
        document = json.loads(text)
    except RecursionError:
        raise InputError(field, f"nested deeper than {MAX_JSON_DEPTH} levels") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise NotJSON(field, f"not valid JSON ({str(exc)[:80]})") from None
    problems = json_problems(document, limit=1)
    if problems:
        raise problems[0]
    return document


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
