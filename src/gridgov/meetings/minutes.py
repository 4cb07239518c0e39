"""会议纪要: the minutes of a meeting as a Word document or a PDF, laid out as a government
meeting minute — the title, 时间/地点/主持/出席/列席/缺席, the follow-up of earlier decisions
(上次会议议定事项落实情况), the statements (表态发言), and the numbered decisions (会议议定事项)
with their owners and deadlines. Plain functions returning bytes; the state of every decision
is read at one moment (the minutes' issue time, or now before they are issued), so a document
downloaded again says the same thing."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.inputs import printable
from gridgov.meetings import services
from gridgov.meetings.models import Meeting, Presence, Role

DIGITS = "零一二三四五六七八九"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF = "application/pdf"


def filename(meeting: Meeting, ext: str) -> str:
    day = timezone.localtime(meeting.starts_at).strftime("%Y%m%d")
    return f"{meeting.title}-{day}.{ext}"


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 25 → 二十五 (up to 99; beyond, the digits)."""
    if not 0 < n < 100:
        return str(n)
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else DIGITS[tens] + "十")
    return head + (DIGITS[ones] if ones else "")


def day_text(d: dt.date) -> str:
    return _("%(y)s年%(m)s月%(d)s日") % {"y": d.year, "m": d.month, "d": d.day}


def moment_text(t: dt.datetime) -> str:
    local = timezone.localtime(t)
    return f"{day_text(local.date())} {local:%H:%M}"


@dataclass
class DecisionLine:
    number: str
    text: str
    owners: str
    deadline: str
    state: str


@dataclass
class CarriedLine:
    meeting: str
    text: str
    owners: str
    deadline: str
    state: str
    times: int


@dataclass
class StatementLine:
    speaker: str  # unit and person
    text: str
    commitments: list[str]


@dataclass
class Minutes:
    title: str
    convener: str
    header: list[tuple[str, str]]  # (时间, …), …
    opening: str
    carried: list[CarriedLine] = field(default_factory=list)
    statements: list[StatementLine] = field(default_factory=list)
    decisions: list[DecisionLine] = field(default_factory=list)
    footer: str = ""
    as_of: str = ""


def _names(rows: list[str]) -> str:
    return "、".join(rows) if rows else _("无")


def minutes_data(meeting: Meeting, at: dt.datetime | None = None) -> Minutes:
    """Everything the documents print, as text."""
    at = at or meeting.issued_at or timezone.now()
    attendees = list(meeting.attendees.select_related("region", "person"))

    def who(a: object) -> str:
        name = str(a.region.name if a.region else a.person.name)  # type: ignore[attr-defined]
        note = a.note  # type: ignore[attr-defined]
        if a.presence == Presence.LEAVE:  # type: ignore[attr-defined]
            return f"{name}（{_('请假')}{'：' + note if note else ''}）"
        return f"{name}（{note}）" if note else name

    present = [a for a in attendees if a.presence == Presence.PRESENT]
    header = [
        (_("时间"), moment_text(meeting.starts_at)),
        (_("地点"), meeting.place),
        (_("主持"), meeting.chair.name if meeting.chair else _("无")),
        (_("出席"), _names([who(a) for a in present if a.role == Role.ATTEND])),
        (_("列席"), _names([who(a) for a in present if a.role == Role.SIT_IN])),
        (_("缺席"), _names([who(a) for a in attendees if a.presence != Presence.PRESENT])),
    ]
    local_day = timezone.localtime(meeting.starts_at).date()
    opening = meeting.summary or _(
        "%(date)s，%(convener)s召开%(title)s，%(chair)s主持会议。会议听取了上次会议议定事项"
        "落实情况和各单位表态发言，研究部署了下一步工作。现将会议议定事项纪要如下："
    ) % {
        "date": day_text(local_day),
        "convener": meeting.convener.name,
        "title": meeting.title,
        "chair": meeting.chair.name if meeting.chair else meeting.convener.name,
    }
    out = Minutes(
        title=_("%(title)s纪要") % {"title": meeting.title},
        convener=meeting.convener.name,
        header=header,
        opening=opening,
        as_of=moment_text(at),
    )
    for c in services.carried_over(meeting, at):
        d = c.decision
        out.carried.append(
            CarriedLine(
                meeting=d.meeting.title,
                text=d.text,
                owners="、".join(r.name for r in d.owners.all()),
                deadline=day_text(d.deadline),
                state=c.progress.label,
                times=c.times,
            )
        )
    statements = meeting.statements.select_related("unit", "speaker").prefetch_related(
        "commitments"
    )
    for s in statements:
        promised = []
        for promise in s.commitments.all():
            when = _("（%(d)s前）") % {"d": day_text(promise.deadline)} if promise.deadline else ""
            promised.append(f"{promise.text}{when}")
        speaker = s.unit.name + (f" {s.speaker.name}" if s.speaker else "")
        out.statements.append(StatementLine(speaker, s.text, promised))
    for d in services.decisions_of([meeting]).order_by("position", "pk"):
        out.decisions.append(
            DecisionLine(
                number=f"（{chinese_number(d.position)}）",
                text=d.text,
                owners="、".join(r.name for r in d.owners.all()),
                deadline=day_text(d.deadline),
                state=services.progress(d, at).label,
            )
        )
    issued = meeting.issued_at
    out.footer = (
        _("%(convener)s %(date)s印发")
        % {"convener": meeting.convener.name, "date": day_text(timezone.localtime(issued).date())}
        if issued
        else _("（纪要尚未印发，本稿截至 %(at)s）") % {"at": out.as_of}
    )
    return out


def _sections(m: Minutes) -> list[str]:
    return [
        _("%(n)s、上次会议议定事项落实情况") % {"n": chinese_number(1)},
        _("%(n)s、表态发言") % {"n": chinese_number(2)},
        _("%(n)s、会议议定事项") % {"n": chinese_number(3)},
    ]


def _carried_rows(m: Minutes) -> list[list[str]]:
    head = [_("序号"), _("事项"), _("责任单位"), _("完成时限"), _("落实情况"), _("结转次数")]
    rows = [head]
    for i, c in enumerate(m.carried, 1):
        rows.append([str(i), c.text, c.owners, c.deadline, c.state, str(c.times)])
    return rows


def _decision_text(d: DecisionLine) -> str:
    return _("%(n)s%(text)s 责任单位：%(owners)s；完成时限：%(deadline)s。") % {
        "n": d.number,
        "text": d.text.rstrip("。"),
        "owners": d.owners,
        "deadline": d.deadline,
    }


def _statement_text(s: StatementLine) -> str:
    text = f"{s.speaker}：{s.text}"
    if s.commitments:
        text += " " + _("承诺：%(items)s") % {"items": "；".join(s.commitments)}
    return text


# ------------------------------------------------------------------------------------ docx --


def docx_bytes(meeting: Meeting, at: dt.datetime | None = None) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    m = minutes_data(meeting, at)
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = "FangSong"
    normal.font.size = Pt(12)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "仿宋")
    doc.core_properties.title = printable(m.title)

    def para(
        text: str, *, bold: bool = False, size: float | None = None, center: bool = False
    ) -> None:
        p = doc.add_paragraph()
        run = p.add_run(printable(text))
        run.bold = bold
        if size:
            run.font.size = Pt(size)
        if center:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER

    para(m.title, bold=True, size=20, center=True)
    para(m.convener, center=True)
    for label, value in m.header:
        para(f"{label}：{value}")
    para(m.opening)
    first, second, third = _sections(m)
    para(first, bold=True, size=14)
    if m.carried:
        rows = _carried_rows(m)
        table = doc.add_table(rows=len(rows), cols=len(rows[0]))
        table.style = "Table Grid"
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                table.cell(r, c).text = printable(value)
    else:
        para(_("上次会议议定事项均已完成，无结转事项。"))
    para(second, bold=True, size=14)
    if not m.statements:
        para(_("无。"))
    for s in m.statements:
        para(_statement_text(s))
    para(third, bold=True, size=14)
    if not m.decisions:
        para(_("无。"))
    for d in m.decisions:
        para(_decision_text(d))
    para(m.footer)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# ------------------------------------------------------------------------------------- pdf --


def pdf_bytes(meeting: Meeting, at: dt.datetime | None = None) -> bytes:
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Spacer

    from gridgov.core import pdf

    m = minutes_data(meeting, at)
    style = pdf.styles()

    def p(text: str, kind: str = "body") -> Paragraph:
        return Paragraph(pdf.markup(text), style[kind])

    story: list[object] = [p(m.title, "title"), p(m.convener, "small"), Spacer(1, 4 * mm)]
    for label, value in m.header:
        story.append(p(f"{label}：{value}"))
    story.append(Spacer(1, 2 * mm))
    story.append(p(m.opening))
    first, second, third = _sections(m)
    story.append(p(first, "heading"))
    if m.carried:
        story.append(
            pdf.table(
                _carried_rows(m),
                widths=[10 * mm, 70 * mm, 30 * mm, 28 * mm, 20 * mm, 16 * mm],
            )
        )
    else:
        story.append(p(_("上次会议议定事项均已完成，无结转事项。")))
    story.append(p(second, "heading"))
    if not m.statements:
        story.append(p(_("无。")))
    for s in m.statements:
        story.append(p(_statement_text(s)))
    story.append(p(third, "heading"))
    if not m.decisions:
        story.append(p(_("无。")))
    for d in m.decisions:
        story.append(p(_decision_text(d)))
    story.append(Spacer(1, 6 * mm))
    story.append(p(m.footer))
    return pdf.build(story, title=m.title, author=m.convener)
