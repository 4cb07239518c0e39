"""The bulletin as an Excel workbook: one sheet per table, the head in bold on a frozen first
row, each column with its number format."""

from __future__ import annotations

import io
import re

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from gridgov.bulletins.shapes import Content
from gridgov.inputs import printable, sheet_row

HEAD_FILL = PatternFill("solid", fgColor="E8EDF5")


FORBIDDEN = re.compile(r"[\[\]:*?/\\]")  # not allowed in an Excel sheet name


def sheet_name(name: str, used: set[str]) -> str:
    """The table's sheet name as Excel allows it: no []:*?/\\, at most 31 characters, and
    unique in the workbook (a second one gets "(2)")."""
    clean = FORBIDDEN.sub("-", printable(name)).strip("' ") or "表"
    found = clean[:31]
    n = 2
    while found in used:
        suffix = f"({n})"
        found = clean[: 31 - len(suffix)] + suffix
        n += 1
    used.add(found)
    return found


def render(content: Content, number: int) -> bytes:
    book = Workbook()
    book.remove(book.active)
    book.properties.title = printable(f"{content.title} {content.period.end.year}年第{number}期")
    book.properties.creator = printable(content.issuer)
    used: set[str] = set()
    for table in content.tables():
        sheet = book.create_sheet(sheet_name(table.sheet, used))
        sheet.append(sheet_row(table.headers))
        for c in sheet[1]:
            c.font = Font(bold=True)
            c.fill = HEAD_FILL
        for row in table.rows:
            sheet.append(sheet_row(row))
        for j, fmt in enumerate(table.formats, start=1):
            letter = get_column_letter(j)
            for (c,) in sheet.iter_rows(min_row=2, min_col=j, max_col=j):
                c.number_format = fmt
            width = max([len(str(table.headers[j - 1])) * 2, 8])
            if fmt == "@":
                width = max([width, *(len(str(r[j - 1] or "")) * 2 for r in table.rows)])
            sheet.column_dimensions[letter].width = min(width + 2, 60)
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
