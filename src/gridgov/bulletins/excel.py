"""The bulletin as an Excel workbook: one sheet per table, the head in bold on a frozen first
row, each column with its number format."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from gridgov.bulletins.content import Content
from gridgov.inputs import sheet_row

HEAD_FILL = PatternFill("solid", fgColor="E8EDF5")


def render(content: Content, number: int) -> bytes:
    book = Workbook()
    book.remove(book.active)
    book.properties.title = f"{content.title} 第{number}期"
    book.properties.creator = content.issuer
    used: set[str] = set()
    for table in content.tables():
        name = table.sheet[:31]
        n = 2
        while name in used:  # sheet names are unique (and at most 31 characters)
            name = f"{table.sheet[:28]}({n})"
            n += 1
        used.add(name)
        sheet = book.create_sheet(name)
        sheet.append(table.headers)
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
