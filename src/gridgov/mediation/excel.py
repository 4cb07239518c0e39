"""Excel for people's mediation (through core/sheets.py): the case register export (parties
masked unless the exporter may see identities) and the trainings' attendance, exported and
imported with the same columns (every row checked, nothing written when any row fails)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from gridgov.core import sheets
from gridgov.core.actor import Account
from gridgov.core.sheets import Column
from gridgov.mediation import services
from gridgov.mediation.models import Attendance, Case, Training

CASE_COLUMNS = [
    Column("number", "案件编号", sheets.text(20), required=True),
    Column("kind", "纠纷类型", sheets.text(40)),
    Column("title", "纠纷简况", sheets.text(120)),
    Column("state", "状态", sheets.text(20)),
    Column("source", "来源", sheets.text(20)),
    Column("grid", "所在网格", sheets.text(100)),
    Column("committee", "调解委员会", sheets.text(80)),
    Column("received_on", "受理日期", sheets.date()),
    Column("applicants", "申请人", sheets.text(400)),
    Column("respondents", "被申请人", sheets.text(400)),
    Column("amount", "争议金额", sheets.text(20)),
    Column("mediators", "调解员", sheets.text(400)),
    Column("outcome", "调解结果", sheets.text(40)),
    Column("outcome_on", "结果日期", sheets.date()),
    Column("signed_on", "协议签署日期", sheets.date()),
    Column("judicial", "司法确认", sheets.text(40)),
    Column("followup", "回访", sheets.text(40)),
]

ATTENDANCE_COLUMNS = [
    Column("training", "培训编号", sheets.integer(1, 2**62), required=True),
    Column("name", "姓名", sheets.text(50), required=True),
    Column("phone", "手机号码", sheets.text(20), required=True),
    Column("topic", "培训主题", sheets.text(120)),
]


def _party_text(case: Case, role: str, full: bool) -> str:
    parts = []
    for p in case.parties.all():
        if p.role != role:
            continue
        v = services.party_view(p, full)
        parts.append(f"{v.name} {v.phone}".strip())
    return "；".join(parts)


def _followup_text(case: Case) -> str:
    visits = list(case.followups.all())
    if not visits:
        return ""
    if all(v.done_on for v in visits):
        return _("已回访")
    due = min(v.due_on for v in visits if v.done_on is None)
    return _("待回访（%(d)s前）") % {"d": due.isoformat()}


def cases_workbook(user: Account, qs: QuerySet[Case] | None = None) -> bytes:
    full = services.sees_identity(user)
    cases = (
        services.cases_for(user, qs)
        .select_related("grid", "committee")
        .defer("grid__geometry")
        .prefetch_related("parties", "mediators", "followups")
    )
    rows = []
    for c in cases:
        rows.append(
            [
                c.number,
                c.get_kind_display(),
                c.title,
                c.get_state_display(),
                c.get_source_display(),
                c.grid.name,
                c.committee.name,
                c.received_on,
                _party_text(c, "applicant", full),
                _party_text(c, "respondent", full),
                "" if c.amount is None else f"{c.amount:.2f}",
                "、".join(m.name for m in c.mediators.all()),
                c.get_outcome_display() if c.outcome else "",
                c.outcome_on,
                c.signed_on,
                c.get_judicial_display() if c.judicial else "",
                _followup_text(c),
            ]
        )
    return sheets.export(CASE_COLUMNS, rows, title=_("调解案件"))


def attendance_workbook(user: Account) -> bytes:
    people = set(services.mediators_for(user).values_list("pk", flat=True))
    rows = []
    for a in (
        Attendance.objects.filter(training__in=services.trainings_for(user))
        .select_related("training", "person")
        .order_by("training__date", "training_id", "person__name")
    ):
        if a.person_id in people:
            rows.append([a.training_id, a.person.name, a.person.phone, a.training.topic])
    return sheets.export(ATTENDANCE_COLUMNS, rows, title=_("培训签到"))


def import_attendance(user: Account, source: Any) -> sheets.SheetReport:
    """Mark mediators present: each row names a training (its number) and a mediator in the
    account's scope by name and mobile. All rows or none; rows already recorded are kept."""
    if not services.can_manage_training(user):
        raise services.forbidden(_("没有管理培训的权限"))
    report = sheets.read(source, ATTENDANCE_COLUMNS)
    if not report.ok:
        return report
    trainings = {t.pk: t for t in services.trainings_for(user)}
    mediators = {p.phone: p for p in services.mediators_for(user)}
    wanted: set[tuple[int, int]] = set()
    for row in report.rows:
        training: Training | None = trainings.get(row["training"])
        if training is None:
            report.fail(row["_row"], "培训编号", _("培训不存在"))
            continue
        person = mediators.get(row["phone"])
        if person is None:
            report.fail(row["_row"], "手机号码", _("辖区内没有此手机号码的调解员"))
            continue
        if person.name != row["name"]:
            report.fail(row["_row"], "姓名", _("姓名与手机号码不符"))
            continue
        wanted.add((training.pk, person.pk))
    if not report.ok:
        return report
    have = set(
        Attendance.objects.filter(training_id__in={t for t, _p in wanted}).values_list(
            "training_id", "person_id"
        )
    )
    with transaction.atomic():
        Attendance.objects.bulk_create(
            [Attendance(training_id=t, person_id=p) for t, p in sorted(wanted - have)]
        )
    return report
