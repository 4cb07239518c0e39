"""The minutes (会议纪要) as Word and PDF: read back, they say what the meeting recorded."""

from __future__ import annotations

import base64
import datetime as dt
import io
import re
import zlib

import pytest
from django.utils import timezone
from docx import Document

from gridgov.inbox.models import CommandRecipient
from gridgov.meetings import meeting_decisions, minutes, services
from tests.meetings.conftest import deadline

pytestmark = pytest.mark.django_db


@pytest.fixture
def recorded(convene, users, people, officials):
    now = timezone.now()
    first = convene(starts_at=now - dt.timedelta(days=7), title="秋冬季攻坚第1次调度会")
    old = meeting_decisions.add_decision(
        users["command"], first.pk, text="完成辖区裸土苫盖", owners=["D-S2"], deadline=deadline(30)
    )
    meeting_decisions.issue_minutes(users["command"], first.pk, now=now - dt.timedelta(days=6))
    old.refresh_from_db()
    CommandRecipient.objects.filter(command=old.command).update(
        acknowledged_at=now - dt.timedelta(days=5)
    )
    m = convene(
        title="秋冬季攻坚第2次调度会",
        chair=people["command"].pk,
        attendees=[
            services.AttendeeInput(unit="D-S1"),
            services.AttendeeInput(unit="D-S2", presence="leave", note="防汛值班"),
            services.AttendeeInput(person=people["east_secretary"].pk, role="sit_in"),
        ],
    )
    meeting_decisions.add_statement(
        users["command"],
        m.pk,
        unit="D-S1",
        speaker=officials["s1"].pk,
        text="东街道坚决完成本月攻坚任务",
        commitments=[services.CommitmentInput("工地苫盖率达到100%", deadline(5))],
    )
    meeting_decisions.add_decision(
        users["command"],
        m.pk,
        text="开展渣土车夜间联合执法",
        owners=["D-S1", "D-S2"],
        deadline=deadline(10),
    )
    meeting_decisions.add_decision(
        users["command"], m.pk, text="加密道路洒水频次", owners=["D-S1"], deadline=deadline(3)
    )
    return m


def test_the_word_minutes_hold_every_part_in_order(recorded):
    doc = Document(io.BytesIO(minutes.docx_bytes(recorded)))
    lines = [p.text for p in doc.paragraphs]
    text = "\n".join(lines)
    assert lines[0] == "秋冬季攻坚第2次调度会纪要"
    assert "主持：指挥长" in lines
    assert "出席：东街道" in lines
    assert "列席：东书记" in lines
    assert "缺席：西街道（请假：防汛值班）" in lines
    order = [
        text.index(h) for h in ("一、上次会议议定事项落实情况", "二、表态发言", "三、会议议定事项")
    ]
    assert order == sorted(order)
    assert "东街道 东主任：东街道坚决完成本月攻坚任务" in text
    assert "工地苫盖率达到100%" in text
    d1 = timezone.localdate() + dt.timedelta(days=10)
    due = f"{d1.year}年{d1.month}月{d1.day}日"
    assert f"（一）开展渣土车夜间联合执法 责任单位：东街道、西街道；完成时限：{due}。" in lines
    assert any(line.startswith("（二）加密道路洒水频次") for line in lines)
    # The carried-over decision, in a table with its state read from its command.
    cells = [[c.text for c in row.cells] for row in doc.tables[0].rows]
    assert cells[0][:2] == ["序号", "事项"]
    assert cells[1][1:3] == ["完成辖区裸土苫盖", "西街道"] and cells[1][4] == "已签收"
    assert cells[1][5] == "1"
    assert "纪要尚未印发" in lines[-1]


def test_issued_minutes_carry_the_issue_date_and_the_decisions_state(recorded, users):
    meeting_decisions.issue_minutes(users["command"], recorded.pk)
    recorded.refresh_from_db()
    doc = Document(io.BytesIO(minutes.docx_bytes(recorded)))
    today = timezone.localdate()
    assert doc.paragraphs[-1].text == f"测试区 {today.year}年{today.month}月{today.day}日印发"


def _streams(data: bytes) -> bytes:
    """Every stream of the PDF, decoded (reportlab writes Flate, some under ASCII85)."""
    out = []
    for m in re.finditer(rb"/Filter \[ ([^\]]*)\] /Length (\d+)[^>]*>>\s*stream\r?\n", data):
        raw = data[m.end() : m.end() + int(m.group(2))]
        if b"ASCII85" in m.group(1):
            raw = base64.a85decode(raw.strip()[:-2])
        out.append(zlib.decompress(raw))
    return b"\n".join(out)


def _title(data: bytes) -> str:
    """The /Title literal string of a PDF's information dictionary, unescaped."""
    found = re.search(rb"/Title \((.*?)(?<!\\)\)", data, re.S)
    assert found is not None
    raw = re.sub(
        rb"\\([0-7]{1,3}|.)",
        lambda m: bytes([int(m.group(1), 8)]) if m.group(1).isdigit() else m.group(1),
        found.group(1),
    )
    return raw.decode("utf-16")


def test_the_pdf_minutes_embed_the_cjk_font_and_print_every_part(recorded):
    data = minutes.pdf_bytes(recorded)
    assert data.startswith(b"%PDF")
    assert b"/FontFile2" in data
    # The title is in the document's information, UTF-16 encoded.
    assert _title(data) == "秋冬季攻坚第2次调度会纪要"
    # The page content shows text (Tj) in the embedded font, over more than one paragraph.
    content = _streams(data)
    assert content.count(b"Tj") > 15


def test_a_meeting_with_nothing_recorded_still_makes_both_documents(convene):
    m = convene(attendees=[])
    doc = Document(io.BytesIO(minutes.docx_bytes(m)))
    text = [p.text for p in doc.paragraphs]
    assert "出席：无" in text and "上次会议议定事项均已完成，无结转事项。" in text
    assert minutes.pdf_bytes(m).startswith(b"%PDF")


def test_chinese_numbers():
    assert [minutes.chinese_number(n) for n in (1, 10, 12, 20, 25, 99, 100)] == [
        "一",
        "十",
        "十二",
        "二十",
        "二十五",
        "九十九",
        "100",
    ]
