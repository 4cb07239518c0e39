"""A card's results as an Excel workbook: the results (one row per visible unit, value and score
per indicator, total, rank and the change since the previous period), then the notes (each
indicator's rule and the units listed apart)."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from gridgov.inputs import sheet_row
from gridgov.racing.models import Rule
from gridgov.racing.services import CardResult, Row


def filename(result: CardResult) -> str:
    return f"racing-{result.scorecard.pk}-{result.start:%Y%m%d}-{result.end:%Y%m%d}.xlsx"


def _row(r: Row, result: CardResult) -> list[object]:
    cells: list[object] = []
    for info in result.indicators:
        c = r.cells[info.id]
        note = _("样本不足") if c.thin else (_("无数据") if c.value is None else "")
        cells += [c.value, c.score, note]
    return [
        r.rank,
        r.code,
        r.name,
        r.total,
        round(100 * r.covered, 1),
        *cells,
        r.previous_rank,
        r.rank_change,
        r.total_change,
    ]


def workbook(result: CardResult) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = _("赛马结果")
    ws.append(
        sheet_row(
            [
                result.scorecard.name,
                f"{result.start.isoformat()} — {result.end.isoformat()}",
                _("参与排名 %(n)s / %(all)s") % {"n": result.ranked, "all": result.units},
            ]
        )
    )
    header = [_("名次"), _("单位代码"), _("单位"), _("总分"), _("计分权重占比(%)")]
    for info in result.indicators:
        unit = f" ({info.unit})" if info.unit else ""
        header += [f"{info.label}{unit}", _("%(label)s 得分") % {"label": info.label}, _("备注")]
    header += [_("上期名次"), _("名次变化"), _("总分变化")]
    ws.append(sheet_row(header))
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for r in result.rows:
        ws.append(sheet_row(_row(r, result)))
    notes = wb.create_sheet(_("说明"))
    notes.append(sheet_row([_("指标"), _("权重"), _("计分方式"), _("最少样本"), _("单列单位")]))
    for info in result.indicators:
        rule = _("按名次") if info.rule == Rule.RANK else _("按分档")
        notes.append(
            sheet_row(
                [
                    info.label,
                    info.weight,
                    rule,
                    info.minimum,
                    "、".join([*info.thin, *info.no_data]),
                ]
            )
        )
    notes.append([])
    rule = _("总分 = Σ(权重×得分) ÷ Σ权重，只计有得分的指标（样本不足或无数据的不计）。")
    notes.append(sheet_row([rule]))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
