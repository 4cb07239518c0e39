"""The only write path of enforcement cases, and the questions asked of them: whose, how late,
how many. Every door (pages, API, demo) calls these; refusals are `CaseError`s naming a kind
(invalid, forbidden, not_found, conflict) that each door maps to its own answer."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov import inputs
from gridgov.core import evidence, workcal
from gridgov.core.actor import Account, Reader, actor_name, recorded_user, signed_in_user
from gridgov.core.scopes import under_paths
from gridgov.enforcement.models import (
    Case,
    CaseDeadline,
    CaseDocument,
    CaseStep,
    PartyKind,
)
from gridgov.enforcement.steps import FINAL, OPEN, PATH, Step
from gridgov.errors import DomainError
from gridgov.inspections.models import Inspection
from gridgov.people import identity, scope
from gridgov.sources import categories
from gridgov.sources.models import PollutionSource
from gridgov.sources.services import sources_for
from gridgov.territory.models import Level, Region

HANDLE = "enforcement.handle_case"
VIEW = "enforcement.view_case"
IDENTITY = "enforcement.view_party_identity"
APPROVE = "enforcement.approve_publication"
MAX_AMOUNT = Decimal("100000000")  # 1亿元: above any fine the configured laws allow
PHONE_RE = re.compile(r"^[0-9+\-() ]{5,20}$")


class CaseError(DomainError):
    """A refused request: `kind` is invalid, forbidden, not_found or conflict (no HTTP here)."""


def invalid(field: str, message: str) -> CaseError:
    return CaseError("invalid", message, field)


# ------------------------------------------------------------------------------- access --


def can_view(user: Reader | None) -> bool:
    return bool(user is not None and user.is_authenticated and user.has_perm(VIEW))


def can_handle(user: Account) -> bool:
    return bool(user is not None and user.is_authenticated and user.has_perm(HANDLE))


def cases_for(user: Reader | None, qs: QuerySet[Case] | None = None) -> QuerySet[Case]:
    """Cases whose grid is in the account's scope (none without the view permission)."""
    qs = Case.objects.all() if qs is None else qs
    if not can_view(user):
        return qs.none()
    paths = scope.scope_paths(user)
    if paths is scope.ALL:
        return qs
    if not paths:
        return qs.none()
    return qs.filter(under_paths(paths, "region_path"))


def get_case(user: Account, case_id: int) -> Case:
    """The case, if the account may see it; "not yours" is the same as "no such case"."""
    case = cases_for(user).filter(pk=case_id).first()
    if case is None:
        raise CaseError("not_found", _("案件不存在"))
    return case


def sees_identity(user: Account, case: Case) -> bool:
    """Full ID/credit code and phone: scoped staff with the permission (the case is visible)."""
    return scope.has_perm(user, IDENTITY) and cases_for(user).filter(pk=case.pk).exists()


def masked_code(case: Case) -> str:
    if not case.party_code:
        return ""
    if case.party_kind == PartyKind.PERSON:
        return identity.mask_id_number(case.party_code)
    return case.party_code  # an organisation's credit code is public information


# ---------------------------------------------------------------------------- deadlines --


def add_days(day: dt.date, days: int, working: bool) -> dt.date:
    if not working:
        return day + dt.timedelta(days=days)
    out = day
    left = days
    while left > 0:
        out += dt.timedelta(days=1)
        if workcal.is_working_day(out):
            left -= 1
    return out


def deadline_for(step: str, entered: dt.date, filed: dt.date) -> dt.date | None:
    """The date by which a case in `step` must reach the next step of the path: that step's own
    limit (from entering `step`, or from filing) and any later step's limit from filing."""
    if step in FINAL or step not in PATH:
        return None
    rules = {d.step: d for d in CaseDeadline.objects.all()}
    index = PATH.index(Step(step))
    found: list[dt.date] = []
    for i, later in enumerate(PATH[index + 1 :]):
        rule = rules.get(later)
        if rule is None:
            continue
        if rule.from_filing:
            found.append(add_days(filed, rule.days, rule.working_days))
        elif i == 0:
            found.append(add_days(entered, rule.days, rule.working_days))
    return min(found) if found else None


def overdue(qs: QuerySet[Case], today: dt.date | None = None) -> QuerySet[Case]:
    today = today or timezone.localdate()
    return qs.filter(step__in=list(OPEN), due_date__lt=today)


def is_overdue(case: Case, today: dt.date | None = None) -> bool:
    today = today or timezone.localdate()
    return case.step in OPEN and case.due_date is not None and case.due_date < today


# ---------------------------------------------------------------------------- open_case --


@dataclass
class CaseInput:
    title: str = ""
    facts: str = ""
    party_kind: str = ""
    party_name: str = ""
    party_code: str = ""
    party_phone: str = ""
    source_id: int | None = None
    region_code: str = ""
    inspection_id: int | None = None
    order_id: int | None = None


def _check_party(data: CaseInput) -> dict[str, str]:
    kind = data.party_kind
    if kind not in PartyKind.values:
        raise invalid("party_kind", _("当事人类型须为单位或个人"))
    name = inputs.check_text("party_name", data.party_name.strip(), 100)
    if not name:
        raise invalid("party_name", _("请填写当事人名称"))
    code = inputs.check_text("party_code", data.party_code.strip().upper(), 18)
    if code and kind == PartyKind.ORG and not categories.is_credit_code(code):
        raise invalid("party_code", _("统一社会信用代码无效"))
    if code and kind == PartyKind.PERSON and not identity.is_id_number(code):
        raise invalid("party_code", _("身份证号码无效"))
    phone = inputs.check_text("party_phone", data.party_phone.strip(), 20)
    if phone and not PHONE_RE.match(phone):
        raise invalid("party_phone", _("联系电话无效"))
    return {"party_kind": kind, "party_name": name, "party_code": code, "party_phone": phone}


def _visible_inspection(user: Account, inspection_id: int) -> Inspection:
    paths = scope.scope_paths(user)
    qs = Inspection.objects.select_related("source", "source__grid")
    qs = qs.filter(under_paths(paths, "region_path"))
    found = qs.filter(pk=inspection_id).first()
    if found is None:
        raise CaseError("invalid", _("检查记录不存在或不在您的管辖范围"), "inspection")
    return found


def _visible_order(user: Account, order_id: int) -> Any:
    from gridgov.workorders.services import orders_for

    found = orders_for(user).select_related("event__region").filter(pk=order_id).first()
    if found is None:
        raise CaseError("invalid", _("工单不存在或不在您的管辖范围"), "order")
    return found


def prefill(
    user: Account, *, inspection_id: int | None = None, order_id: int | None = None
) -> dict:
    """What a new case copies from an inspection or an order (the form's initial values)."""
    out: dict[str, Any] = {}
    if inspection_id is not None:
        insp = _visible_inspection(user, inspection_id)
        source = insp.source
        failed = [i.item.text for i in insp.items.select_related("item") if not i.passed]
        day = f"{timezone.localtime(insp.at):%Y-%m-%d}"
        lines = [_("%(date)s 检查发现：") % {"date": day}]
        lines += [f"{n}. {t}" for n, t in enumerate(failed, 1)]
        if insp.note:
            lines.append(insp.note)
        out.update(
            inspection_id=insp.pk,
            source_id=source.pk,
            title=_("%(name)s 检查不合格") % {"name": source.name},
            facts="\n".join(lines),
        )
        out.update(_party_of_source(source))
    elif order_id is not None:
        order = _visible_order(user, order_id)
        out.update(
            order_id=order.pk,
            region_code=order.event.region.code,
            title=order.event.title,
            facts=order.event.description,
        )
    return out


def _party_of_source(source: PollutionSource) -> dict[str, str]:
    attrs = source.attributes or {}
    if source.category == categories.Category.VEHICLE:
        return {"party_kind": PartyKind.ORG, "party_name": attrs.get("owner", "") or source.name}
    return {
        "party_kind": PartyKind.ORG,
        "party_name": source.name,
        "party_code": attrs.get("credit_code", "") or "",
    }


def next_reference(year: int) -> str:
    prefix = f"ZF{year}-"
    last = (
        Case.objects.filter(reference__startswith=prefix)
        .order_by("-reference")
        .values_list("reference", flat=True)
        .first()
    )
    number = int(last[len(prefix) :]) + 1 if last else 1
    return f"{prefix}{number:05d}"


def open_case(data: CaseInput, user: Account, *, now: dt.datetime | None = None) -> Case:
    """立案: from an inspection (copies source, grid, findings and the rectification), from a
    work order (its grid and description) or by hand (a source or a grid in scope)."""
    now = now or timezone.now()
    if not can_handle(user):
        raise CaseError("forbidden", _("您无权办理执法案件"))
    values = _check_party(data)
    title = inputs.check_text("title", data.title.strip(), 120)
    if not title:
        raise invalid("title", _("请填写案由"))
    facts = inputs.check_text("facts", data.facts, 4000)
    source: PollutionSource | None = None
    region: Region | None = None
    inspection = order = None
    rectification = None
    if data.inspection_id is not None:
        inspection = _visible_inspection(user, data.inspection_id)
        source = inspection.source
        region = source.grid
        origin = Case.Origin.INSPECTION
        rectification = getattr(inspection, "rectification_made", None)
    elif data.order_id is not None:
        order = _visible_order(user, data.order_id)
        region = order.event.region
        origin = Case.Origin.ORDER
    else:
        origin = Case.Origin.MANUAL
    if source is None and data.source_id is not None:
        source = sources_for(user).select_related("grid").filter(pk=data.source_id).first()
        if source is None:
            raise invalid("source", _("污染源不存在或不在您的管辖范围"))
        region = region or source.grid
    if region is None and data.region_code:
        region = (
            scope.regions_for(user, Region.objects.active())
            .filter(code=data.region_code, level=Level.GRID)
            .first()
        )
        if region is None:
            raise invalid("region", _("网格不存在或不在您的管辖范围"))
    if region is None:
        raise invalid("source", _("请选择污染源或所属网格"))
    filed = timezone.localtime(now).date()
    for _attempt in range(5):
        try:
            with transaction.atomic():
                case = Case.objects.create(
                    reference=next_reference(filed.year),
                    title=title,
                    facts=facts,
                    source=source,
                    origin=origin,
                    inspection=inspection,
                    order=order,
                    region=region,
                    region_path=region.path,
                    step=Step.FILED,
                    step_at=now,
                    due_date=deadline_for(Step.FILED, filed, filed),
                    rectification=rectification,
                    rectification_required=rectification is not None,
                    filed_at=now,
                    created_by=recorded_user(user),
                    updated_at=now,
                    **values,
                )
                CaseStep.objects.create(
                    case=case,
                    from_step="",
                    to_step=Step.FILED,
                    actor=recorded_user(user),
                    actor_name=actor_name(user),
                    note=_("案件来源：%(origin)s") % {"origin": Case.Origin(origin).label},
                    at=now,
                )
                if inspection is not None:
                    _copy_inspection_photos(case, inspection, user, now)
            return case
        except IntegrityError:  # two cases took the same number: take the next
            continue
    raise CaseError("conflict", _("案号分配冲突，请重试"))


def _copy_inspection_photos(case: Case, inspection: Inspection, user: Account, now: dt.datetime):
    """The inspection's photos become the case's evidence (copies: the case keeps its own)."""
    for photo in inspection.photos.all():
        try:
            data = evidence.stored_path(photo.file).read_bytes()
        except (OSError, evidence.PhotoRejected):
            continue
        _store_document(
            case, data, "jpeg", photo.original_name or "photo.jpg", user, now, title=_("检查照片")
        )


# ---------------------------------------------------------------------------- documents --


def _store_document(
    case: Case, data: bytes, kind: str, name: str, user: Account, now: dt.datetime, title: str = ""
) -> CaseDocument:
    content_type = evidence.DOCUMENT_TYPES.get(kind) or evidence.ACCEPTED.get(
        kind.upper(), "image/jpeg"
    )
    suffix = {"jpeg": "jpg", "mpo": "jpg"}.get(kind, kind)
    relative = Path("cases") / now.strftime("%Y/%m") / f"{uuid.uuid4().hex}.{suffix}"
    target = evidence.media_root() / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".part")
    tmp.write_bytes(data)
    tmp.replace(target)
    return CaseDocument.objects.create(
        case=case,
        step=case.step,
        title=title[:100],
        file=str(relative),
        original_name=Path(name).name[:200] or relative.name,
        content_type=content_type,
        size=len(data),
        uploaded_by=signed_in_user(user),
        created_at=now,
    )


# --------------------------------------------------------------------------- statistics --


def _street_of(path: str, streets: dict[int, Region]) -> Region | None:
    for part in path.strip("/").split("/"):
        if part and int(part) in streets:
            return streets[int(part)]
    return None


def statistics(
    user: Reader | None, start: dt.date, end: dt.date, today: dt.date | None = None
) -> dict:
    """Cases filed in [start, end] (local dates) in the account's scope, by front (the source's
    category), unit (street), month of filing and legal basis: opened, closed, closed on time
    (every step reached by its deadline), withdrawn, overdue now, fines decided."""
    if end < start:
        raise invalid("to", _("结束日期不能早于开始日期"))
    today = today or timezone.localdate()
    qs = (
        cases_for(user)
        .filter(filed_at__date__gte=start, filed_at__date__lte=end)
        .select_related("source")
        .prefetch_related("legal_bases")
    )
    streets = {r.pk: r for r in Region.objects.filter(level=Level.STREET)}

    def blank() -> dict[str, Any]:
        return {
            "opened": 0,
            "closed": 0,
            "closed_on_time": 0,
            "withdrawn": 0,
            "overdue": 0,
            "fines": Decimal("0.00"),
        }

    total = blank()
    groups: dict[str, dict[str, dict[str, Any]]] = {
        "front": defaultdict(blank),
        "unit": defaultdict(blank),
        "month": defaultdict(blank),
        "basis": defaultdict(blank),
    }
    labels: dict[str, dict[str, str]] = {k: {} for k in groups}
    for case in qs:
        front = case.source.category if case.source else "other"
        labels["front"][front] = (
            str(categories.LABELS[front]) if front in categories.LABELS else _("其他")
        )
        street = _street_of(case.region_path, streets)
        unit = street.code if street else "-"
        labels["unit"][unit] = street.name if street else _("区级")
        month = f"{timezone.localtime(case.filed_at):%Y-%m}"
        labels["month"][month] = month
        keys = [("front", front), ("unit", unit), ("month", month)]
        for b in case.legal_bases.all():
            keys.append(("basis", str(b.pk)))
            labels["basis"][str(b.pk)] = str(b)
        rows = [total] + [groups[g][k] for g, k in keys]
        for row in rows:
            row["opened"] += 1
            if case.step == Step.CLOSED:
                row["closed"] += 1
                if case.late_steps == 0:
                    row["closed_on_time"] += 1
            elif case.step == Step.WITHDRAWN:
                row["withdrawn"] += 1
            elif is_overdue(case, today):
                row["overdue"] += 1
            if case.penalty_amount:
                row["fines"] += case.penalty_amount
    by = {
        g: [{"key": k, "label": labels[g][k], **v} for k, v in sorted(rows.items())]
        for g, rows in groups.items()
    }
    return {"start": start, "end": end, "total": total, "by": by}


# ------------------------------------------------------------------------ source section --


def source_section(source: PollutionSource, user: Account) -> dict[str, Any]:
    """For the source's page: its cases the account may see, and whether it may open one."""
    cases = list(cases_for(user).filter(source=source).order_by("-filed_at")[:20])
    today = timezone.localdate()
    return {
        "source": source,
        "cases": [{"case": c, "overdue": is_overdue(c, today)} for c in cases],
        "can_open": can_handle(user),
    }
