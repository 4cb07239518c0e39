"""The bulletin as a PDF laid out like a Chinese government 调度通报: the red masthead, 第N期,
the issuing office and date over a red rule, a lead sentence, numbered sections with real tables
and bar charts (reportlab.graphics), and the office and date at the end. The CJK font is
embedded (gridgov.ops.pdf)."""

from __future__ import annotations

import datetime as dt
import io
import math
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing, Line, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    HRFlowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from gridgov.bulletins.content import Chart, Content
from gridgov.bulletins.content import Table as ContentTable
from gridgov.ops import pdf

RED = colors.HexColor("#c8161d")
BAR = colors.HexColor("#3b6fb6")
WIDTH = A4[0] - 36 * mm  # the text block


def cell(value: Any, fmt: str) -> str:
    """A table value as the document prints it, by the column's Excel number format."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    if fmt == "@" or not isinstance(value, int | float):
        return str(value)
    if fmt.endswith("%"):
        digits = len(fmt.split(".")[1]) - 1 if "." in fmt else 0
        return f"{100 * value:.{digits}f}%"
    digits = len(fmt.split(".")[1]) if "." in fmt else 0
    if fmt.startswith("#,##"):
        return f"{value:,.{digits}f}"
    return f"{value:.{digits}f}"


def table_flowable(t: ContentTable) -> Table:
    rows: list[list[object]] = [[escape(h) for h in t.headers]]
    for r in t.rows:
        rows.append([escape(cell(v, f)) for v, f in zip(r, t.formats, strict=True)])
    # The name column gets the room it needs; the figures share the rest.
    first = min(34 * mm, WIDTH / len(t.headers) * 1.6)
    rest = (WIDTH - first) / max(1, len(t.headers) - 1)
    result = pdf.table(rows, widths=[first] + [rest] * (len(t.headers) - 1))
    return result


def chart_drawing(c: Chart, font: str) -> Drawing:
    height = 62 * mm
    drawing = Drawing(WIDTH, height)
    values = [v if v is not None else 0.0 for v in c.values]
    top = max([*values, c.reference or 0.0, 1.0])
    top = math.ceil(top * 1.15 / 10) * 10
    bars = VerticalBarChart()
    bars.x, bars.y = 14 * mm, 16 * mm
    bars.width, bars.height = WIDTH - 20 * mm, height - 26 * mm
    bars.data = [values]
    bars.categoryAxis.categoryNames = c.labels
    bars.valueAxis.valueMin = 0
    bars.valueAxis.valueMax = top
    bars.valueAxis.valueStep = max(5, top // 5 // 5 * 5 or 5)
    bars.bars[0].fillColor = BAR
    bars.bars[0].strokeColor = None
    many = len(c.labels) > 12
    labels = bars.categoryAxis.labels
    labels.fontName, labels.fontSize = font, 6.5 if many else 7.5
    labels.angle = 60 if many else 0
    labels.boxAnchor = "ne" if many else "n"
    bars.valueAxis.labels.fontName = font
    bars.valueAxis.labels.fontSize = 7
    drawing.add(bars)
    drawing.add(String(0, height - 7, f"{c.title}（{c.unit}）", fontName=font, fontSize=9))
    if c.reference is not None and top > 0:
        y = bars.y + bars.height * c.reference / top
        drawing.add(
            Line(bars.x, y, bars.x + bars.width, y, strokeColor=RED, strokeDashArray=[3, 2])
        )
        drawing.add(
            String(
                bars.x + bars.width,
                y + 2,
                f"{c.reference_label} {c.reference:g}",
                fontName=font,
                fontSize=7,
                fillColor=RED,
                textAnchor="end",
            )
        )
    return drawing


def render(content: Content, number: int, issued: dt.date) -> bytes:
    regular, _bold = pdf.register_fonts()
    style = pdf.styles()
    masthead = ParagraphStyle(
        "masthead", parent=style["title"], fontSize=26, leading=36, textColor=RED
    )
    centred = ParagraphStyle("centred", parent=style["body"], alignment=1)
    right = ParagraphStyle("right", parent=style["body"], alignment=2)
    body = ParagraphStyle("indent", parent=style["body"], firstLineIndent=21)
    caption = ParagraphStyle("caption", parent=style["small"], alignment=1, spaceBefore=4)
    story: list[Any] = [
        Paragraph("大气污染防治调度通报", masthead),
        Paragraph(f"第{number}期", centred),
        Spacer(1, 3 * mm),
        Table(
            [
                [
                    Paragraph(escape(content.issuer), style["body"]),
                    Paragraph(f"{issued:%Y年%-m月%-d日}", right),
                ]
            ],
            colWidths=[WIDTH * 0.6, WIDTH * 0.4],
            style=TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0)]),
        ),
        HRFlowable(width="100%", thickness=2, color=RED, spaceBefore=2, spaceAfter=8),
        Paragraph(escape(content.title), style["title"]),
        Spacer(1, 2 * mm),
        Paragraph(
            escape(
                f"现将{content.period.label}{content.region_name}大气污染防治和网格化管理"
                f"有关情况通报如下："
            ),
            body,
        ),
    ]
    for number_text, section in content.numbered():
        story.append(Paragraph(escape(number_text + section.title), style["heading"]))
        for text in section.paragraphs:
            story.append(Paragraph(escape(text), body))
        for t in section.tables:
            head = Paragraph(escape(t.caption), caption)
            if not t.rows:
                story.append(KeepTogether([head, Paragraph(escape(t.empty), centred)]))
            elif len(t.rows) < 12:  # a short table stays with its caption
                story.append(KeepTogether([head, table_flowable(t)]))
            else:  # a long one breaks across pages, its head repeated
                story += [head, table_flowable(t)]
            story.append(Spacer(1, 2 * mm))
        for c in section.charts:
            story.append(chart_drawing(c, regular))
            story.append(Spacer(1, 2 * mm))
    story += [
        Spacer(1, 8 * mm),
        Paragraph(escape(content.issuer), right),
        Paragraph(f"{issued:%Y年%-m月%-d日}", right),
    ]
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=f"{content.title} 第{number}期",
        author=content.issuer,
    )

    def footer(canvas: Any, document: Any) -> None:
        canvas.saveState()
        canvas.setFont(regular, 8)
        canvas.drawCentredString(A4[0] / 2, 9 * mm, f"— {document.page} —")
        canvas.restoreState()

    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()
