"""The bulletin's layout: column widths from the content (dates and figures never split, heads
widened before they wrap), the ranking chart of a hundred units, the Excel sheet names."""

from __future__ import annotations

import datetime as dt
import io
import re

from openpyxl import load_workbook
from reportlab.graphics.shapes import String
from reportlab.pdfbase import pdfmetrics

from gridgov.bulletins import pdf, services
from gridgov.bulletins.excel import sheet_name
from gridgov.bulletins.shapes import Chart
from gridgov.bulletins.shapes import Table as ContentTable
from gridgov.core.pdf import register_fonts

TODAY = dt.date(2026, 12, 2)
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def test_a_date_or_a_number_never_splits_and_a_head_keeps_its_words():
    regular, bold = register_fonts()
    period = "2026-01-01至2026-12-31"
    for width in (40, 60, 80, 120):  # whatever the room, a line holds whole dates only
        lines = pdf.wrap(period, width, regular, 9)
        assert "".join(lines) == period
        for line in lines:
            assert set(DATE.sub("", line)) <= {"至"}, lines
    assert pdf.wrap("35.3微克/立方米", 20, regular, 9)[0] == "35.3"
    assert pdf.wrap("与目标差距", 20, bold, 9, head=True) == ["与目标差距"]
    assert pdf.wrap("较上期（微克/立方米）", 40, bold, 9, head=True) == [
        "较上期",
        "（微克/",
        "立方米）",
    ]


def lines_of(cell, width: float) -> list[str]:
    """The lines reportlab sets a table cell's paragraph in, at its column's width."""
    cell.wrap(width - 2 * pdf.PAD, 10_000)
    return [
        " ".join(line[1]) if isinstance(line, tuple) else "".join(w.text for w in line.words)
        for line in cell.blPara.lines
    ]


def test_the_targets_table_gives_dates_and_heads_the_room_they_need():
    table = ContentTable(
        "目标完成",
        "年度目标完成情况",
        ["指标", "目标值", "目标期间", "累计值", "与目标差距", "剩余天数", "剩余期间允许",
         "能否完成目标"],
        ["@", "0.0", "@", "0.0", "0.0", "0", "@", "@"],
        rows=[
            ["PM2.5年均浓度", 45.0, "2026-01-01至2026-12-31", 46.0, 1.0, 25, "35.3微克/立方米",
             "无法判断"],
            ["优良天数比例", 70.0, "2026-01-01至2026-12-31", 72.4, 2.4, 25, "非优良天数15天",
             "基本无法达成"],
        ],
    )  # fmt: skip
    flowable = pdf.table_flowable(table)
    widths = flowable._colWidths
    assert sum(widths) <= pdf.WIDTH + 0.01
    cells = flowable._cellvalues
    for i, head in enumerate(table.headers):  # every head on one line
        assert lines_of(cells[0][i], widths[i]) == [head]
    for row in cells[1:]:
        for j, cell in enumerate(row):
            lines = lines_of(cell, widths[j])
            for line in lines:  # a date is whole on its line
                for found in re.findall(r"\d{4}-[\d-]*", line):
                    assert DATE.fullmatch(found), lines
            if table.formats[j] != "@" or j in (0, 7):  # figures and short labels unwrapped
                assert len(lines) == 1, lines


def test_a_ranking_of_a_hundred_units_shows_the_first_and_last_ten():
    font, _bold = register_fonts()
    names = [f"第{i}村" for i in range(1, 102)]
    chart = Chart(
        "社区（村）PM2.5浓度",
        names,
        [40.0 + i * 0.3 for i in range(101)],
        reference=45.0,
        reference_label="PM2.5目标",
        ranks=list(range(1, 102)),
    )
    drawing = pdf.ranking_drawing(chart, font)
    bars = next(c for c in drawing.contents if hasattr(c, "categoryAxis"))
    shown = list(reversed(bars.categoryAxis.categoryNames))  # drawn top down
    assert shown == [*names[:10], "…", *names[-10:]]
    texts = [c.text for c in drawing.contents if isinstance(c, String)]
    assert "共 101 个单位，显示前10与后10，完整排名见上表" in texts
    assert [t for t in texts if t.isdigit()] == [str(r) for r in [*range(1, 11), *range(92, 102)]]
    # The names have room: the plot starts right of the longest one and its rank.
    widest = max(pdfmetrics.stringWidth(n, font, 7.5) for n in shown)
    assert bars.x > widest
    # Twenty units or fewer: every one.
    few = Chart("街道（镇）PM2.5浓度", names[:7], [50.0] * 7, ranks=list(range(1, 8)))
    bars = next(c for c in pdf.ranking_drawing(few, font).contents if hasattr(c, "categoryAxis"))
    assert list(reversed(bars.categoryAxis.categoryNames)) == names[:7]


def test_sheet_names_are_what_excel_allows():
    used: set[str] = set()
    assert sheet_name("赛马-街道", used) == "赛马-街道"
    assert sheet_name("赛马-街道", used) == "赛马-街道(2)"
    assert sheet_name("工单/执法[汇总]:*?\\", used) == "工单-执法-汇总-----"
    long = sheet_name("很长的名字" * 10, used)
    assert len(long) == 31


def test_the_horse_race_sheets_are_named_by_their_card(territory, air_data, orders):
    from gridgov.racing.models import Indicator, Scorecard
    from gridgov.territory.models import Level

    for name in ("街道赛马", "基层治理赛马"):
        card = Scorecard.objects.create(name=name, level=Level.STREET)
        Indicator.objects.create(scorecard=card, metric="pm25", weight=100)
    b, _ = services.generate("month", dt.date(2026, 11, 30), territory["D"], on=TODAY)
    book = load_workbook(io.BytesIO(services.file_path(b.xlsx_file).read_bytes()))
    assert book.sheetnames[-2:] == ["赛马-街道", "赛马-基层治理"]
    pdf_text = services.file_path(b.pdf_file).read_bytes()
    assert pdf_text.startswith(b"%PDF")
