"""人民调解协议书: the agreement of a case as a Word document or a PDF, laid out as the model
text of the Ministry of Justice — the committee, the number, the parties (identity masked
unless the reader may see it), the facts and disputed matters, the terms agreed, the manner
and deadline of performance, the signatures and the date. Plain functions returning bytes."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from django.utils.translation import gettext as _

from gridgov.inputs import printable
from gridgov.mediation import services
from gridgov.mediation.models import Case

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF = "application/pdf"


def filename(case: Case, ext: str) -> str:
    return f"调解协议书-{case.number}.{ext}"


def day_text(d: dt.date | None) -> str:
    if d is None:
        return _("____年__月__日")
    return _("%(y)s年%(m)s月%(d)s日") % {"y": d.year, "m": d.month, "d": d.day}


@dataclass
class Agreement:
    title: str
    committee: str
    number: str
    parties: list[str]
    facts: str
    terms: str
    performance: str
    closing: str
    signatures: list[str]
    signed: str


def agreement_data(case: Case, full_identity: bool) -> Agreement:
    parties = []
    for p in case.parties.all():
        v = services.party_view(p, full_identity)
        line = f"{v.role_label}：{v.name}"
        if v.id_number:
            line += _("，身份证号码 %(id)s") % {"id": v.id_number}
        if v.address:
            line += _("，住址 %(a)s") % {"a": v.address}
        if v.phone:
            line += _("，联系电话 %(p)s") % {"p": v.phone}
        parties.append(line)
    mediators = "、".join(m.name for m in case.mediators.all()) or _("无")
    names = [services.party_view(p, full_identity).name for p in case.parties.all()]
    return Agreement(
        title=_("人民调解协议书"),
        committee=case.committee.name,
        number=_("编号：%(n)s") % {"n": case.number},
        parties=parties,
        facts=case.facts or case.title,
        terms=case.terms,
        performance=_("履行方式、时限：当事人应于%(d)s前履行上述协议。")
        % {"d": day_text(case.perform_by)},
        closing=_(
            "本协议一式%(n)s份，当事人、人民调解委员会各持一份。经人民调解委员会调解达成的"
            "调解协议，具有法律约束力，当事人应当按照约定履行。"
        )
        % {"n": len(names) + 1},
        signatures=[_("当事人（签名）：%(n)s") % {"n": n} for n in names]
        + [_("人民调解员（签名）：%(m)s") % {"m": mediators}],
        signed=(
            _("%(c)s（盖章）  签署日期：%(d)s")
            % {"c": case.committee.name, "d": day_text(case.signed_on)}
        )
        + ("" if case.signed_on else _("（未签署）")),
    )


def _sections() -> tuple[str, str, str]:
    return (_("纠纷主要事实、争议事项："), _("经调解，自愿达成如下协议："), _("履行"))


def docx_bytes(case: Case, full_identity: bool) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    a = agreement_data(case, full_identity)
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = "FangSong"
    normal.font.size = Pt(12)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "仿宋")
    doc.core_properties.title = printable(a.title)

    def para(text: str, *, bold: bool = False, size: float | None = None, align: str = "") -> None:
        p = doc.add_paragraph()
        run = p.add_run(printable(text))
        run.bold = bold
        if size:
            run.font.size = Pt(size)
        if align == "center":
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif align == "right":
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT

    facts, terms, _perf = _sections()
    para(a.committee, align="center")
    para(a.title, bold=True, size=20, align="center")
    para(a.number, align="right")
    for line in a.parties:
        para(line)
    para(facts, bold=True)
    para(a.facts)
    para(terms, bold=True)
    para(a.terms)
    para(a.performance)
    para(a.closing)
    for line in a.signatures:
        para(line)
    para(a.signed, align="right")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def pdf_bytes(case: Case, full_identity: bool) -> bytes:
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Spacer

    from gridgov.core import pdf

    a = agreement_data(case, full_identity)
    style = pdf.styles()

    def p(text: str, kind: str = "body") -> Paragraph:
        return Paragraph(pdf.markup(text), style[kind])

    facts, terms, _perf = _sections()
    story: list[object] = [
        p(a.committee, "small"),
        p(a.title, "title"),
        p(a.number, "small"),
        Spacer(1, 4 * mm),
    ]
    story += [p(line) for line in a.parties]
    story += [p(facts, "heading"), p(a.facts), p(terms, "heading"), p(a.terms)]
    story += [p(a.performance), p(a.closing), Spacer(1, 6 * mm)]
    story += [p(line) for line in a.signatures]
    story += [Spacer(1, 4 * mm), p(a.signed)]
    return pdf.build(story, title=a.title, author=a.committee)
