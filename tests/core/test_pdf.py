"""The shared PDF building blocks embed the CJK font and lay out Chinese text."""

from __future__ import annotations

import io

import pytest
from reportlab.platypus import Paragraph, SimpleDocTemplate

from gridgov.core import pdf


def test_a_pdf_embeds_a_subset_of_the_cjk_font():
    out = io.BytesIO()
    style = pdf.styles()
    SimpleDocTemplate(out).build(
        [
            Paragraph("调度通报", style["title"]),
            pdf.table([["街道", "PM2.5 (µg/m³)"], ["东街道", 45], ["西街道", None]]),
        ]
    )
    data = out.getvalue()
    assert data.startswith(b"%PDF")
    assert b"/FontFile2" in data  # a TrueType font program is inside the file
    assert b"GridgovSans" in data or b"NotoSansSC" in data
    assert len(data) < 200_000  # a subset, not the 10 MB font


def test_a_missing_font_folder_is_named(settings, tmp_path):
    settings.GRIDGOV_PDF_FONT_DIR = tmp_path
    with pytest.raises(pdf.FontMissing, match="GRIDGOV_PDF_FONT_DIR"):
        pdf.font_files()


def test_a_table_row_longer_than_a_page_continues_on_the_next():
    """A cell of 5,000 characters (what the API takes for a decision) in a narrow column is
    many pages tall: the row splits instead of failing the layout (reportlab LayoutError)."""
    out = io.BytesIO()
    long = "逾期未完成的整改事项" * 500 + "<b>&</b>\ufffe"
    SimpleDocTemplate(out).build(
        [pdf.table([["序号", "事项"], ["1", long], ["2", "短"]], widths=[30, 200])]
    )
    assert out.getvalue().startswith(b"%PDF")
    assert out.getvalue().count(b"/Type /Page\n") + out.getvalue().count(b"/Type /Page ") >= 3


def test_stored_text_is_never_markup():
    assert pdf.markup("<b>&</b>\n\ufffe\x00") == "&lt;b&gt;&amp;&lt;/b&gt;<br/>\\uFFFE\\x00"
    assert pdf.plain("\ud800") == "\\uD800"


def _info(data: bytes, key: bytes) -> str:
    """A text entry of the PDF's document info: a literal string, UTF-16 with its BOM."""
    import re

    raw = re.search(rb"/" + key + rb" \(((?:\\.|[^\\)])*)\)", data, re.S)
    assert raw is not None
    unescaped = re.sub(
        rb"\\([0-7]{1,3}|.)",
        lambda m: bytes([int(m[1], 8)]) if m[1][:1].isdigit() else m[1],
        raw[1],
    )
    return unescaped.decode("utf-16")


def test_build_lays_out_a4_pages_with_the_document_info_and_a_page_hook():
    drawn: list[int] = []

    def on_page(canvas, doc):
        drawn.append(doc.page)

    style = pdf.styles()
    story = [Paragraph("第一段" * 400, style["body"]) for _ in range(4)]
    data = pdf.build(story, title="纪要 <1>", author="东街道", on_page=on_page)
    assert data.startswith(b"%PDF")
    assert data.count(b"/Type /Page\n") == len(drawn) > 1  # the hook drew on every page
    assert b"/MediaBox [ 0 0 595.2756 841.8898 ]" in data  # A4 in points
    assert _info(data, b"Title") == "纪要 <1>"
    assert _info(data, b"Author") == "东街道"
