"""PDF building blocks shared by every generated document (bulletins, meeting minutes,
mediation agreements): the A4 page (`build`), the CJK font and styles, safe text, ruled tables.

reportlab does the layout; the CJK font (Noto Sans SC, from npm, see `GRIDGOV_PDF_FONT_DIR`) is
embedded as a subset, so a PDF reads the same on a machine without Chinese fonts.

Every stored text reaches a PDF through `markup` (a Paragraph's text) or `plain` (a drawing's
string, the document's title): whatever is stored, the document builds — characters XML cannot
hold are escaped visibly (`inputs.printable`), and `<`, `>`, `&` are text, never markup. Table
rows split across pages (`splitInRow`), so a cell of thousands of characters never fails the
layout.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from django.conf import settings
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Table, TableStyle

from gridgov.inputs import printable

REGULAR = "GridgovSans"
BOLD = "GridgovSans-Bold"
_FILES = {REGULAR: "NotoSansSC_400Regular.ttf", BOLD: "NotoSansSC_700Bold.ttf"}


class FontMissing(RuntimeError):
    """The CJK font files are not where `GRIDGOV_PDF_FONT_DIR` says."""


def font_files() -> dict[str, Path]:
    folder = Path(settings.GRIDGOV_PDF_FONT_DIR)
    files = {name: folder / filename for name, filename in _FILES.items()}
    missing = [str(path) for path in files.values() if not path.is_file()]
    if missing:
        raise FontMissing(
            "CJK font not found: " + ", ".join(missing) + " (run `make vendor`, or set "
            "GRIDGOV_PDF_FONT_DIR to a folder holding these files)"
        )
    return files


def register_fonts() -> tuple[str, str]:
    """Register the regular and bold CJK fonts with reportlab (once); answer their names."""
    registered = pdfmetrics.getRegisteredFontNames()
    if REGULAR not in registered or BOLD not in registered:
        for name, path in font_files().items():
            pdfmetrics.registerFont(TTFont(name, str(path)))
        pdfmetrics.registerFontFamily(REGULAR, normal=REGULAR, bold=BOLD)
    return REGULAR, BOLD


def styles() -> dict[str, ParagraphStyle]:
    """Paragraph styles in the CJK font: title, heading, body, small, cell, head (table head)."""
    regular, bold = register_fonts()
    base = {"fontName": regular, "wordWrap": "CJK", "leading": 15, "fontSize": 10.5}

    def make(name: str, **changes: object) -> ParagraphStyle:
        return ParagraphStyle(name, **{**base, **changes})

    return {
        "title": make("title", fontName=bold, fontSize=18, leading=26, alignment=1),
        "heading": make(
            "heading", fontName=bold, fontSize=13, leading=20, spaceBefore=8, spaceAfter=4
        ),
        "body": make("body", spaceAfter=4),
        "small": make("small", fontSize=8.5, leading=11),
        "cell": make("cell", fontSize=9, leading=11.5),
        "head": make("head", fontName=bold, fontSize=9, leading=11.5),
    }


def plain(value: object) -> str:
    """Any value as text a PDF can hold (a drawing's string, the title in the file's info)."""
    return printable("" if value is None else str(value))


def markup(value: object) -> str:
    """Any value as a Paragraph's markup: the text as stored, never read as markup, its line
    breaks kept."""
    return escape(plain(value)).replace("\n", "<br/>")


def table(rows: Sequence[Sequence[object]], *, widths: list[float] | None = None) -> Table:
    """A ruled table whose first row is the head (repeated on each page); cells wrap
    (CJK-aware), and a row too tall for the rest of a page continues on the next."""
    style = styles()
    body = [
        [Paragraph(markup(value), style["head" if i == 0 else "cell"]) for value in row]
        for i, row in enumerate(rows)
    ]
    result = Table(body, colWidths=widths, repeatRows=1, splitInRow=1)
    result.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#8a94a6")),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8edf5")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    return result


PageHook = Callable[[Any, Any], None]


def build(
    story: Sequence[Flowable],
    *,
    title: object,
    author: object,
    side_mm: float = 22,
    edge_mm: float = 20,
    on_page: PageHook | None = None,
) -> bytes:
    """The document's bytes: `story` laid out on A4 pages with margins of `side_mm` left and
    right and `edge_mm` top and bottom; the title and author (any stored text) go in the file's
    info; `on_page(canvas, doc)` draws on every page (a page number, say)."""
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=side_mm * mm,
        rightMargin=side_mm * mm,
        topMargin=edge_mm * mm,
        bottomMargin=edge_mm * mm,
        title=plain(title),
        author=plain(author),
    )
    if on_page is None:
        doc.build(list(story))
    else:
        doc.build(list(story), onFirstPage=on_page, onLaterPages=on_page)
    return out.getvalue()
