"""The bulletin as a PDF laid out like a Chinese government 调度通报: the red masthead, 第N期,
the issuing office and date over a red rule, a lead sentence, numbered sections with real tables
and bar charts (reportlab.graphics), and the office and date at the end. The CJK font is
embedded (gridgov.core.pdf)."""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.shapes import Drawing, Line, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import (
    HRFlowable,
    KeepTogether,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from gridgov.bulletins.shapes import Chart, Content
from gridgov.bulletins.shapes import Table as ContentTable
from gridgov.core import pdf

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


# --- table layout ----------------------------------------------------------------------------
#
# Column widths come from the content, measured in the font the table is set in: a column of
# figures or dates gets the width its longest value needs, a head is widened before it wraps,
# and only long text (names, titles) wraps. Wrapping is done here, between "atoms": a date
# (2026-01-01, 2026-01-01 08:00), a number (12.5, 1,234.00, 83.3%), a Latin word (PM2.5) never
# splits; in a head, Chinese words stay whole (a break only at a bracket or after a slash).

PAD = 6.0  # reportlab's default left and right cell padding
SIZES = (9.0, 8.0, 7.5)  # the table's font size, smaller only when the columns cannot fit
SHORT = 8  # text of up to this many characters' width is not wrapped when there is room
ATOM = re.compile(
    r"\d{4}-\d{1,2}-\d{1,2}(?: \d{1,2}:\d{2})?"  # a date, with its time
    r"|[-+−]?\d[\d,]*(?:\.\d+)?%?"  # a number
    r"|[A-Za-z][A-Za-z0-9.]*"  # a Latin word (PM2.5)
    r"|\s+|.",
    re.S,
)
NO_BREAK_BEFORE = set("）)》」』】〕，,。.、；;：:！!？?%/～~—")
NO_BREAK_AFTER = set("（(《「『【〔")
CJK_OPENING = set("（(")


def segments(text: str, head: bool = False) -> list[str]:
    """The text cut where a line may break. In body text: between Chinese characters and at
    spaces, never before closing punctuation or after an opening one, never inside a date,
    number or Latin word. In a head: only before an opening bracket, after a closing one or
    a slash, and at a space."""
    atoms = ATOM.findall(text)
    out: list[str] = []
    for atom in atoms:
        if not out:
            out.append(atom)
            continue
        prev = out[-1]
        glue = atom[0] in NO_BREAK_BEFORE or prev[-1] in NO_BREAK_AFTER
        if head and not glue:
            # Chinese words are not known here, so a head's run stays whole: it may break
            # only before "（", after "）" or "/", and at a space.
            breaks = atom[0] in CJK_OPENING or prev[-1] in ")）/" or atom.isspace()
            glue = not (breaks or prev.isspace())
        if glue:
            out[-1] = prev + atom
        else:
            out.append(atom)
    return [s for s in out if s] or [""]


def wrap(text: str, avail: float, font: str, size: float, head: bool = False) -> list[str]:
    """The lines of `text` within `avail` points, broken between segments only."""
    lines: list[str] = []
    line = ""
    for seg in segments(text, head):
        trial = line + seg
        if not line or pdfmetrics.stringWidth(trial.rstrip(), font, size) <= avail + 0.01:
            line = trial
        else:
            lines.append(line.rstrip())
            line = seg.lstrip()
    lines.append(line.rstrip())
    return lines


def _widest(texts: list[str], font: str, size: float, head: bool = False) -> tuple[float, float]:
    """(the widest whole text, the widest segment) of the texts, in points."""
    whole = part = 0.0
    for t in texts:
        whole = max(whole, pdfmetrics.stringWidth(t, font, size))
        for seg in segments(t, head):
            part = max(part, pdfmetrics.stringWidth(seg.strip(), font, size))
    return whole, part


def column_widths(
    headers: list[str],
    columns: list[list[str]],
    text: list[bool],
    fonts: tuple[str, str],
    size: float,
    width: float = WIDTH,
) -> list[float] | None:
    """Widths that fit `width`, or None when even the narrowest layout does not. A column's
    least width keeps its head's words, its figures and dates whole (a text column: also at
    least five characters, unless its text is shorter); what it needs has its head and its
    text of up to SHORT characters on one line; what is left goes to the longer text, up to
    its longest."""
    regular, bold = fonts
    least: list[float] = []
    needed: list[float] = []
    natural: list[float] = []
    em = pdfmetrics.stringWidth("国", regular, size)
    for head, values, is_text in zip(headers, columns, text, strict=True):
        head_whole, head_part = _widest([head], bold, size, head=True)
        whole, part = _widest(values, regular, size)
        if is_text:  # short text (a name, a label) is kept on one line when there is room
            low = max(head_part, part, min(whole, 5 * em))
            need = max(head_whole, low, min(whole, SHORT * em))
        else:
            low = max(head_part, whole)
            need = max(head_whole, whole)
        least.append(low + 2 * PAD + 1)
        needed.append(need + 2 * PAD + 1)
        natural.append(max(need, whole) + 2 * PAD + 1)
    if sum(least) > width:
        return None
    if sum(needed) > width:  # heads wrap: as few lines in the head row as the room allows
        return _fewest_head_lines(headers, least, needed, bold, size, width)
    # Every head on one line: the rest to the text columns, up to their longest text.
    spare = width - sum(needed)
    want = [nat - n for nat, n in zip(natural, needed, strict=True)]
    if sum(want) > spare:
        return [n + spare * w / sum(want) for n, w in zip(needed, want, strict=True)]
    # Everything fits on one line: the table spans the text block, widened in proportion.
    return [n * width / sum(natural) for n in natural]


def _fewest_head_lines(
    headers: list[str],
    least: list[float],
    needed: list[float],
    font: str,
    size: float,
    width: float,
) -> list[float]:
    """From the least widths, widen the heads with the most lines, all of them a line at a
    time (the row is as high as its tallest head), while the room lasts; what is left goes to
    the columns still short of what they need."""
    widths = list(least)

    def lines(j: int, w: float) -> int:
        return len(wrap(headers[j], w - 2 * PAD - 1, font, size, head=True))

    def candidates(j: int) -> list[float]:
        segs = segments(headers[j], head=True)
        found = set()
        for a in range(len(segs)):
            for b in range(a + 1, len(segs) + 1):
                text = "".join(segs[a:b]).strip()
                found.add(pdfmetrics.stringWidth(text, font, size) + 2 * PAD + 1)
        return sorted(found)

    while True:
        counts = [lines(j, w) for j, w in enumerate(widths)]
        tallest = max(counts)
        if tallest <= 1:
            break
        steps: dict[int, float] = {}
        for j, n in enumerate(counts):
            if n == tallest:
                wider = [c for c in candidates(j) if c > widths[j] and lines(j, c) < n]
                if not wider:
                    break
                steps[j] = wider[0]
        else:
            if sum(w - widths[j] for j, w in steps.items()) <= width - sum(widths):
                for j, w in steps.items():
                    widths[j] = w
                continue
        break
    # The room left: first to the columns nearest to what they need (a short label kept on
    # one line), then shared among the rest (the long text wraps).
    spare = width - sum(widths)
    want = {j: n - w for j, (n, w) in enumerate(zip(needed, widths, strict=True)) if n > w}
    for j in sorted(want, key=lambda j: want[j]):
        if want[j] <= spare:
            more = want.pop(j)
            widths[j] += more
            spare -= more
    if want and spare > 0:
        for j, d in want.items():
            widths[j] += spare * d / sum(want.values())
    spare = width - sum(widths)
    return [w + spare * w / sum(widths) for w in widths]


def table_flowable(t: ContentTable, width: float = WIDTH) -> Table:
    regular, bold = pdf.register_fonts()
    texts = [[pdf.plain(cell(v, f)) for v, f in zip(r, t.formats, strict=True)] for r in t.rows]
    headers = [pdf.plain(h) for h in t.headers]
    columns = [[row[j] for row in texts] for j in range(len(t.headers))]
    is_text = [f == "@" for f in t.formats]
    size = SIZES[0]
    widths: list[float] | None = None
    for size in SIZES:
        widths = column_widths(headers, columns, is_text, (regular, bold), size, width)
        if widths is not None:
            break
    if widths is None:  # too many columns even in the small size: share the width evenly
        widths = [width / len(t.headers)] * len(t.headers)
    leading = size * 1.3
    head_style = ParagraphStyle("t-head", fontName=bold, fontSize=size, leading=leading)
    text_style = ParagraphStyle("t-cell", fontName=regular, fontSize=size, leading=leading)
    figure_style = ParagraphStyle("t-figure", parent=text_style, alignment=2)

    def para(value: str, w: float, style: ParagraphStyle, head: bool = False) -> Paragraph:
        font = bold if head else regular
        lines = wrap(value, w - 2 * PAD - 1, font, size, head)
        return Paragraph("<br/>".join(pdf.markup(line) for line in lines), style)

    body: list[list[Any]] = [
        [para(h, w, head_style, True) for h, w in zip(headers, widths, strict=True)]
    ]
    for row in texts:
        body.append(
            [
                para(v, w, text_style if is_text[j] else figure_style)
                for j, (v, w) in enumerate(zip(row, widths, strict=True))
            ]
        )
    result = Table(body, colWidths=widths, repeatRows=1, splitInRow=1)
    result.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#8a94a6")),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8edf5")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), PAD),
                ("RIGHTPADDING", (0, 0), (-1, -1), PAD),
            ]
        )
    )
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
    bars.categoryAxis.categoryNames = [pdf.plain(label) for label in c.labels]
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
    title = pdf.plain(f"{c.title}（{c.unit}）")
    drawing.add(String(0, height - 7, title, fontName=font, fontSize=9))
    if c.reference is not None and top > 0:
        y = bars.y + bars.height * c.reference / top
        drawing.add(
            Line(bars.x, y, bars.x + bars.width, y, strokeColor=RED, strokeDashArray=[3, 2])
        )
        drawing.add(  # the line's legend above the plot, clear of the bars
            String(
                bars.x + bars.width,
                height - 7,
                pdf.plain(f"- - {c.reference_label} {c.reference:g}"),
                fontName=font,
                fontSize=7,
                fillColor=RED,
                textAnchor="end",
            )
        )
    return drawing


RANKING_SHOWN = 10  # a ranking chart of more than twice this many shows the first and last
ROW = 4.6 * mm  # the height of one bar's row in a ranking chart


def ranking_drawing(c: Chart, font: str) -> Drawing:
    """A ranking of units as horizontal bars, the first-ranked on top, each with its value and
    rank; of more than 2 × RANKING_SHOWN units only the first and last RANKING_SHOWN, with a
    note saying so (the full ranking is the table above)."""
    ranks = c.ranks or [None] * len(c.labels)
    items = list(zip(ranks, c.labels, c.values, strict=True))
    note = ""
    if len(items) > 2 * RANKING_SHOWN:
        note = f"共 {len(items)} 个单位，显示前{RANKING_SHOWN}与后{RANKING_SHOWN}，完整排名见上表"
        items = [*items[:RANKING_SHOWN], (None, "…", None), *items[-RANKING_SHOWN:]]
    size = 7.5
    labels = [pdf.plain(label) for _rank, label, _value in items]
    rank_width = pdfmetrics.stringWidth("000", font, size) + 4
    label_width = rank_width + max(pdfmetrics.stringWidth(s, font, size) for s in labels) + 4
    top = max([*(v for _r, _l, v in items if v is not None), c.reference or 0.0, 1.0])
    top = math.ceil(top * 1.15 / 10) * 10
    plot_height = ROW * len(items)
    height = plot_height + 22 * mm
    drawing = Drawing(WIDTH, height)
    bars = HorizontalBarChart()
    bars.x, bars.y = label_width + 2, 10 * mm
    bars.width, bars.height = WIDTH - bars.x - 14 * mm, plot_height
    # reportlab draws the first category at the bottom: reverse, so the first rank is on top.
    bars.data = [[v for _r, _l, v in reversed(items)]]
    bars.categoryAxis.categoryNames = list(reversed(labels))
    bars.categoryAxis.labels.fontName = font
    bars.categoryAxis.labels.fontSize = size
    bars.categoryAxis.labels.boxAnchor = "e"
    bars.categoryAxis.labels.dx = -3
    bars.categoryAxis.tickLeft = 0
    bars.valueAxis.valueMin = 0
    bars.valueAxis.valueMax = top
    bars.valueAxis.valueStep = max(5, top // 5 // 5 * 5 or 5)
    bars.valueAxis.labels.fontName = font
    bars.valueAxis.labels.fontSize = 7
    bars.bars[0].fillColor = BAR
    bars.bars[0].strokeColor = None
    bars.barLabelFormat = "%.0f"
    bars.barLabels.fontName = font
    bars.barLabels.fontSize = 6.5
    bars.barLabels.boxAnchor = "w"
    bars.barLabels.dx = 2
    drawing.add(bars)
    step = plot_height / len(items)
    for i, (rank, _label, _value) in enumerate(items):  # the rank left of each name
        if rank is not None:
            y = bars.y + plot_height - (i + 0.5) * step - size / 3
            drawing.add(String(0, y, str(rank), fontName=font, fontSize=size))
    title = pdf.plain(f"{c.title}（{c.unit}）")
    drawing.add(String(0, height - 7, title, fontName=font, fontSize=9))
    if note:
        drawing.add(String(WIDTH, height - 7, note, fontName=font, fontSize=7.5, textAnchor="end"))
    if c.reference is not None and top > 0:
        x = bars.x + bars.width * c.reference / top
        drawing.add(
            Line(x, bars.y, x, bars.y + bars.height, strokeColor=RED, strokeDashArray=[3, 2])
        )
        drawing.add(
            String(
                x,
                bars.y + bars.height + 3,
                pdf.plain(f"{c.reference_label} {c.reference:g}"),
                fontName=font,
                fontSize=7,
                fillColor=RED,
                textAnchor="middle",
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
        Paragraph(f"{content.period.end.year}年第{number}期", centred),
        Spacer(1, 3 * mm),
        Table(
            [
                [
                    Paragraph(pdf.markup(content.issuer), style["body"]),
                    Paragraph(f"{issued:%Y年%-m月%-d日}", right),
                ]
            ],
            colWidths=[WIDTH * 0.6, WIDTH * 0.4],
            style=TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0)]),
        ),
        HRFlowable(width="100%", thickness=2, color=RED, spaceBefore=2, spaceAfter=8),
        Paragraph(pdf.markup(content.title), style["title"]),
        Spacer(1, 2 * mm),
        Paragraph(
            pdf.markup(
                f"现将{content.period.label}{content.region_name}大气污染防治和网格化管理"
                f"有关情况通报如下："
            ),
            body,
        ),
    ]
    for number_text, section in content.numbered():
        story.append(Paragraph(pdf.markup(number_text + section.title), style["heading"]))
        for text in section.paragraphs:
            story.append(Paragraph(pdf.markup(text), body))
        for t in section.tables:
            head = Paragraph(pdf.markup(t.caption), caption)
            if not t.rows:
                story.append(KeepTogether([head, Paragraph(pdf.markup(t.empty), centred)]))
            elif len(t.rows) < 12:  # a short table stays with its caption
                story.append(KeepTogether([head, table_flowable(t)]))
            else:  # a long one breaks across pages, its head repeated
                story += [head, table_flowable(t)]
            story.append(Spacer(1, 2 * mm))
        for c in section.charts:
            story.append(ranking_drawing(c, regular) if c.ranks else chart_drawing(c, regular))
            story.append(Spacer(1, 2 * mm))
    story += [
        Spacer(1, 8 * mm),
        Paragraph(pdf.markup(content.issuer), right),
        Paragraph(f"{issued:%Y年%-m月%-d日}", right),
    ]

    def footer(canvas: Any, document: Any) -> None:
        canvas.saveState()
        canvas.setFont(regular, 8)
        canvas.drawCentredString(A4[0] / 2, 9 * mm, f"— {document.page} —")
        canvas.restoreState()

    return pdf.build(
        story,
        title=f"{content.title} {content.period.end.year}年第{number}期",
        author=content.issuer,
        side_mm=18,
        edge_mm=16,
        on_page=footer,
    )
