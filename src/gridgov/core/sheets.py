"""Excel import and export shared by the registers (mediation, organisations, projects, customs,
the roster, the pollution sources): declared columns, typed cells, every row checked before
anything is written, row errors named.

An importer declares its columns once::

    COLUMNS = [
        Column("name", "名称", text(80), required=True),
        Column("staff", "从业人员", integer(0, 1_000_000)),
        Column("opened", "成立日期", date()),
        Column("kind", "类型", choice(OrgKind.choices)),
    ]

`read(path_or_bytes, COLUMNS)` opens the first sheet, maps the header row ("名称", "name" or
"名称 name" all name a column), converts every cell through its column's parser and returns a
`SheetReport`: the parsed rows (a dict per row, keyed by column key, with the sheet's row
number) and every `RowError` (row, column label, reason). The caller then checks each row
against the database (scope, duplicates) with `report.fail(row, column, reason)`, and writes
all rows in one transaction only when `report.ok`: an import is all or nothing.

`export(columns, rows)` writes the same columns, so export → import round-trips. Cells pass
through `inputs.sheet_row` (formula injection, control characters).

Importers with their own column rules (the roster's many spellings, a source category's fields)
use the parts: `open_book`, `lines`, `header_keys`, `records`, `RowError`; and for writing
`head_row` and `book_bytes`."""

from __future__ import annotations

import datetime as dt
import io
import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from gridgov import inputs

MAX_ROWS = 20_000
YES = {"是", "y", "yes", "true", "1", "√", "✓", "有"}
NO = {"否", "n", "no", "false", "0", "×", "无"}
LIST_SPLIT = re.compile(r"[,，、;；]")
_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")

Parser = Callable[[Any], Any]


class CellError(ValueError):
    """A cell that its column cannot take (the message says why)."""


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        return f"row {self.row}, {self.column}: {self.reason}"


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # the Chinese header
    parse: Parser
    required: bool = False

    @property
    def header(self) -> str:
        return f"{self.label} {self.key}"


@dataclass
class SheetReport:
    rows: list[dict[str, Any]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def fail(self, row: int, column: str, reason: str) -> None:
        self.errors.append(RowError(row, column, reason))


# --- cell parsers: value from openpyxl → Python value or CellError ---------------------------


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def cell_text(value: Any) -> str:
    """A cell as the text a person typed: "" for an empty cell, 12.0 → "12", a date (or a
    date-time) → YYYY-MM-DD, anything else stripped."""
    return "" if value is None else _plain(value)


def _plain(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def text(max_length: int) -> Parser:
    """Text up to `max_length` characters (longer is refused, never cut); blank is ""."""

    def parse(value: Any) -> str:
        if _blank(value):
            return ""
        out = _plain(value)
        try:
            inputs.check_text("cell", out, max_length)
        except inputs.InputError as exc:
            raise CellError(exc.message) from None
        return out

    return parse


def integer(low: int, high: int) -> Parser:
    def parse(value: Any) -> int | None:
        if _blank(value):
            return None
        if isinstance(value, bool):
            raise CellError("not a whole number")
        number: int
        if isinstance(value, float):
            if not value.is_integer():
                raise CellError("not a whole number")
            number = int(value)
        elif isinstance(value, int):
            number = value
        else:
            raw = _plain(value).replace(",", "")
            if not re.fullmatch(r"[+-]?\d{1,19}", raw):
                raise CellError(f"not a whole number: {raw[:20]!r}")
            number = int(raw)
        if not low <= number <= high:
            raise CellError(f"must be between {low} and {high}")
        return number

    return parse


def decimal(low: Decimal, high: Decimal, places: int = 2) -> Parser:
    """A finite decimal in [low, high] with at most `places` decimals (money: 万元, 元)."""

    def parse(value: Any) -> Decimal | None:
        if _blank(value):
            return None
        if isinstance(value, bool):
            raise CellError("not a number")
        raw = repr(value) if isinstance(value, float) else _plain(value).replace(",", "")
        try:
            number = Decimal(raw)
        except InvalidOperation:
            raise CellError(f"not a number: {raw[:20]!r}") from None
        if not number.is_finite():
            raise CellError("not a finite number")
        if not low <= number <= high:
            raise CellError(f"must be between {low} and {high}")
        rounded = number.quantize(Decimal(1).scaleb(-places))
        if rounded != number:
            raise CellError(f"at most {places} decimal places")
        return rounded

    return parse


def date(years: tuple[int, int] = inputs.ANY_YEARS) -> Parser:
    def parse(value: Any) -> dt.date | None:
        if _blank(value):
            return None
        if isinstance(value, dt.datetime):
            day = value.date()
        elif isinstance(value, dt.date):
            day = value
        else:
            raw = _plain(value).replace("/", "-").replace(".", "-")
            found = _DAY.match(raw)
            if found is None:
                raise CellError(f"not a date (YYYY-MM-DD): {raw[:20]!r}")
            try:
                day = dt.date(*(int(part) for part in found.groups()))
            except ValueError as exc:
                raise CellError(f"not a calendar date: {raw[:20]!r} ({exc})") from None
        if not years[0] <= day.year <= years[1]:
            raise CellError(f"year must be between {years[0]} and {years[1]}")
        return day

    return parse


def boolean() -> Parser:
    def parse(value: Any) -> bool | None:
        if _blank(value):
            return None
        if isinstance(value, bool):
            return value
        raw = _plain(value).lower()
        if raw in YES:
            return True
        if raw in NO:
            return False
        raise CellError(f"not 是/否: {raw[:20]!r}")

    return parse


def choice(pairs: Iterable[tuple[str, Any]]) -> Parser:
    """A code or its label (Chinese, or English when the label is translated)."""
    known: dict[str, str] = {}
    for code, label in pairs:
        known[str(code).lower()] = code
        known[str(label).lower()] = code

    def parse(value: Any) -> str | None:
        if _blank(value):
            return None
        raw = _plain(value)
        try:
            return known[raw.lower()]
        except KeyError:
            raise CellError(f"unknown value {raw[:40]!r}") from None

    return parse


def listing(item: Parser, max_items: int = 50) -> Parser:
    """A list in one cell, separated by commas (，、;；)."""

    def parse(value: Any) -> list[Any]:
        if _blank(value):
            return []
        parts = [p.strip() for p in LIST_SPLIT.split(_plain(value)) if p.strip()]
        if len(parts) > max_items:
            raise CellError(f"at most {max_items} items")
        return [item(p) for p in parts]

    return parse


# --- reading and writing ------------------------------------------------------------------


class UnreadableCell(ValueError):
    """A cell openpyxl cannot read at all (a number cell holding NaN, INF or other text): the
    sheet's row number, the column's index (from 0) and why."""

    def __init__(self, row: int, index: int, reason: str) -> None:
        from openpyxl.utils.cell import get_column_letter

        super().__init__(f"row {row}, column {get_column_letter(index + 1)}: {reason}")
        self.row = row
        self.index = index
        self.reason = reason

    def column(self, names: dict[int, str]) -> str:
        """The column's name in a row error: its header's name if known, else its letter."""
        from openpyxl.utils.cell import get_column_letter

        return names.get(self.index) or get_column_letter(self.index + 1)


def lines(sheet: Any) -> Iterator[tuple[Any, ...]]:
    """`sheet.iter_rows(values_only=True)` of a read-only sheet, header row included; a cell
    openpyxl cannot read (its row parser stops the whole sheet) raises UnreadableCell naming
    that cell, found by reading the sheet's XML again."""
    try:
        yield from sheet.iter_rows(values_only=True)
    except ValueError as exc:
        found = _unreadable(sheet)
        if found is None:
            raise
        raise found from exc


def _unreadable(sheet: Any) -> UnreadableCell | None:
    """The first number cell whose value is not a finite number, in the sheet's own XML."""
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string
    from openpyxl.xml.functions import iterparse

    with sheet._get_source() as xml:  # the read-only sheet's XML in the workbook's zip
        for _event, element in iterparse(xml):
            if not element.tag.endswith("}c") or element.get("t", "n") != "n":
                continue
            value = next((e.text for e in element if e.tag.endswith("}v")), None)
            if value is None:
                continue
            try:
                number = float(value)
            except ValueError:
                number = math.nan
            if not math.isfinite(number):
                letters, row = coordinate_from_string(element.get("r", "A1"))
                index = column_index_from_string(letters) - 1
                return UnreadableCell(row, index, f"not a finite number: {value[:20]!r}")
    return None


def header_keys(header: Iterable[Any], spellings: Mapping[str, Iterable[str]]) -> dict[int, str]:
    """Column index → key, for the header row: a header cell names the first key one of whose
    spellings is one of its words ("名称", "name" and "名称 name" all name `name`), in any case."""
    names = {key: {n.lower() for n in names} for key, names in spellings.items()}
    found: dict[int, str] = {}
    for i, cell in enumerate(header):
        tokens = str(cell or "").strip().lower().split()
        key = next((k for k, known in names.items() if any(t in known for t in tokens)), None)
        if key is not None:
            found[i] = key
    return found


def records(
    rows: Iterable[Sequence[Any]], where: Mapping[int, str], first: int = 2
) -> Iterator[tuple[int, dict[str, Any]]]:
    """The rows below the header that are not blank, each with its sheet row number and its
    cells keyed by column (columns `where` does not name, and cells past a short row's end, are
    left out)."""
    for number, line in enumerate(rows, start=first):
        record = {where[i]: v for i, v in enumerate(line) if i in where}
        if not all(_blank(v) for v in record.values()):
            yield number, record


def _header_map(columns: Sequence[Column], header: Iterable[Any]) -> dict[int, Column]:
    by_key = {c.key: c for c in columns}
    spellings = {c.key: (c.key, c.label) for c in columns}
    return {i: by_key[key] for i, key in header_keys(header, spellings).items()}


def open_book(source: Path | bytes | Any) -> Any:
    """A workbook (a path, bytes or a file object) opened read-only for its values; openpyxl
    raises many kinds of exception for a file that is not one."""
    from openpyxl import load_workbook  # here: openpyxl loads only to read or write a sheet

    if isinstance(source, bytes | bytearray):
        source = io.BytesIO(source)
    return load_workbook(source, read_only=True, data_only=True)


def read(source: Path | bytes | Any, columns: Sequence[Column]) -> SheetReport:
    """Parse the first sheet of a workbook (a path, bytes or a file object)."""
    report = SheetReport()
    try:
        book = open_book(source)
    except Exception as exc:  # openpyxl raises many kinds for a bad file
        report.fail(0, "file", f"not an Excel workbook (.xlsx): {type(exc).__name__}")
        return report
    where: dict[int, Column] = {}
    try:
        _read_rows(report, book.worksheets[0], columns, where)
    except UnreadableCell as bad:  # the import stops there: its row error is the last one
        report.fail(bad.row, bad.column({i: c.label for i, c in where.items()}), bad.reason)
    finally:
        book.close()
    return report


def _read_rows(
    report: SheetReport, sheet: Any, columns: Sequence[Column], where: dict[int, Column]
) -> None:
    rows = lines(sheet)
    header = next(rows, None)
    if header is None:
        report.fail(1, "header", "the sheet is empty")
        return
    where.update(_header_map(columns, header))
    missing = [c for c in columns if c.required and c not in where.values()]
    for c in missing:
        report.fail(1, c.label, "column missing")
    if missing:
        return
    for number, line in enumerate(rows, start=2):
        if number - 1 > MAX_ROWS:
            report.fail(number, "file", f"more than {MAX_ROWS} rows")
            break
        if all(_blank(v) for v in line):
            continue
        row: dict[str, Any] = {"_row": number}
        for c in columns:
            row[c.key] = c.parse(None)  # the blank value of a column the sheet lacks
        for i, c in where.items():
            value = line[i] if i < len(line) else None
            try:
                row[c.key] = c.parse(value)
            except CellError as exc:
                report.fail(number, c.label, str(exc))
                continue
            if c.required and row[c.key] in (None, "", []):
                report.fail(number, c.label, "required")
        report.rows.append(row)


def _cell_out(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list | tuple):
        return "、".join(str(v) for v in value)
    return value


def head_row(ws: Any, headers: Sequence[str], widths: Sequence[float] | float = 16) -> None:
    """Write a sheet's bold header row, keep it in view (the panes frozen below it) and set the
    columns' widths (one for all, or one per column)."""
    from openpyxl.styles import Font
    from openpyxl.utils.cell import get_column_letter

    ws.append(list(headers))
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    each = [widths] * len(headers) if isinstance(widths, int | float) else widths
    for i, width in enumerate(each, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width


def book_bytes(book: Any) -> bytes:
    """The workbook as an .xlsx file's bytes."""
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def export(
    columns: Sequence[Column], rows: Iterable[Sequence[Any]], title: str = "Sheet1"
) -> bytes:
    """A workbook of one sheet: a bold "中文 key" header and the rows (values in column order)."""
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    ws.title = title[:31]
    head_row(ws, [c.header for c in columns])
    for row in rows:
        ws.append(inputs.sheet_row([_cell_out(v) for v in row]))
    return book_bytes(book)
