"""A mediation case's path (调解案件): intake, sessions, outcome, agreement, archive."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov import inputs
from gridgov.core.actor import Account, actor_name, recorded_user, signed_in_user
from gridgov.mediation.models import (
    Case,
    CaseSource,
    CaseStep,
    FollowUp,
    Judicial,
    Kind,
    Outcome,
    Party,
    PartyRole,
    Session,
    State,
)
from gridgov.mediation.services import (
    ARCHIVABLE,
    LIMITS,
    MAX_MEDIATORS,
    MAX_PARTIES,
    OPEN_STATES,
    ORDER_KINDS,
    OUTCOME_STATES,
    OUTCOME_TO_STATE,
    CaseInput,
    PartyInput,
    _choice,
    amount,
    can_add,
    can_change,
    committee_for_grid,
    committees_for,
    conflict,
    day,
    forbidden,
    get_case,
    intake_grids,
    invalid,
    mediators_for,
    not_found,
    text,
)
from gridgov.people import identity
from gridgov.people.models import Person
from gridgov.territory import extent
from gridgov.territory.models import Level, Region


def _parties(rows: list[PartyInput]) -> list[Party]:
    if not rows:
        raise invalid("parties", _("请至少填写一名当事人"))
    if len(rows) > MAX_PARTIES:
        raise invalid("parties", _("当事人过多"))
    out = []
    for i, p in enumerate(rows):
        role = _choice(f"parties.{i}.role", p.role, PartyRole.values)
        name = text("name", p.name, required=True)
        phone = text("phone", p.phone)
        if phone:
            phone = identity.normalise_phone(phone)
            if not identity.is_mobile(phone) and not phone.replace("-", "").isdigit():
                raise invalid("phone", _("电话号码无效"))
        id_number = text("id_number", p.id_number).upper()
        looks_like_id = len(id_number) == 18 and id_number[:17].isdigit()
        if looks_like_id and not identity.is_id_number(id_number):
            raise invalid("id_number", _("身份证号码校验位不正确"))
        address = text("address", p.address)
        out.append(Party(role=role, name=name, phone=phone, id_number=id_number, address=address))
    if not any(p.role == PartyRole.APPLICANT for p in out):
        raise invalid("parties", _("须有申请人"))
    return out


def _grid(user: Account, data: CaseInput) -> Region:
    try:
        extent.check_optional_point(data.lat, data.lon)  # stored, even beside a grid
    except inputs.InputError as exc:
        raise invalid(exc.field, exc.message) from None
    if data.grid_id is not None:
        grid = intake_grids(user).filter(pk=data.grid_id).first()
        if grid is None:
            raise invalid("grid", _("网格不存在或不在您的辖区"))
        return grid
    if data.lat is None or data.lon is None:
        raise invalid("grid", _("请选择网格或提供位置"))
    from gridgov.territory import locate

    try:
        found = locate.locate(data.lat, data.lon)
    except (inputs.InputError, locate.InvalidCoordinates) as exc:
        raise invalid(getattr(exc, "field", "lat"), str(exc)) from None
    if not found.inside or found.grid is None:
        raise invalid("lat", _("该位置不在任何网格内"))
    grid = intake_grids(user).filter(pk=found.grid.id).first()
    if grid is None:
        raise invalid("lat", _("该位置不在您的辖区"))
    return grid


def _mediators(user: Account, ids: list[int], field_name: str = "mediators") -> list[Person]:
    if len(ids) > MAX_MEDIATORS:
        raise invalid(field_name, _("调解员过多"))
    wanted = {int(i) for i in ids}
    found = list(mediators_for(user).filter(pk__in=wanted)) if wanted else []
    if len(found) != len(wanted):
        raise invalid(field_name, _("调解员不存在或不在您的辖区"))
    return found


def _number(on: dt.date) -> str:
    prefix = f"TJ{on.year}"
    last = (
        Case.objects.filter(number__startswith=prefix)
        .order_by("-number")
        .values_list("number", flat=True)
    ).first()
    seq = int(last[len(prefix) :]) + 1 if last else 1
    return f"{prefix}{seq:05d}"


def _step(
    case: Case,
    action: str,
    user: Account,
    now: dt.datetime,
    *,
    from_state: str = "",
    to_state: str = "",
    note: str = "",
) -> CaseStep:
    return CaseStep.objects.create(
        case=case,
        action=action,
        from_state=from_state,
        to_state=to_state,
        actor=signed_in_user(user),
        actor_name=actor_name(user, system=True),
        note=note,
        at=now,
    )


def create_case(
    user: Account,
    data: CaseInput,
    *,
    order: Any = None,
    now: dt.datetime | None = None,
) -> Case:
    """受理: register a dispute in a grid of the account's scope, with its parties."""
    if not can_add(user):
        raise forbidden(_("没有登记调解案件的权限"))
    now = now or timezone.now()
    today = timezone.localdate(now)
    kind = _choice("kind", data.kind, Kind.values)
    source = _choice("source", data.source, CaseSource.values)
    if source == CaseSource.WORK_ORDER and order is None:
        raise invalid("source", _("工单转办请从工单发起"))
    title = text("title", data.title, required=True)
    facts = text("facts", data.facts)
    referral = text("referral", data.referral)
    if source in (CaseSource.COURT, CaseSource.PETITION) and not referral:
        raise invalid("referral", _("请填写委托/转办单位及文号"))
    address = text("address", data.address)
    money = amount(data.amount)
    received = day("received_on", data.received_on or today, today=today)
    days = data.followup_days
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 365:
        raise invalid("followup_days", _("回访期限须在1至365天之间"))
    parties = _parties(data.parties)
    grid = _grid(user, data)
    if data.committee_id is not None:
        committee = committees_for(user).filter(pk=data.committee_id, active=True).first()
        if committee is None:
            raise invalid("committee", _("调解委员会不存在"))
    else:
        committee = committee_for_grid(grid)
        if committee is None:
            raise invalid("committee", _("该网格所在社区和街道没有调解委员会"))
    if not grid.path.startswith(committee.unit.path):
        raise invalid("committee", _("该调解委员会不管辖此网格"))
    mediators = _mediators(user, data.mediator_ids)
    with transaction.atomic():
        for _attempt in range(5):
            try:
                with transaction.atomic():
                    case = Case.objects.create(
                        number=_number(received),
                        kind=kind,
                        title=title,
                        facts=facts,
                        amount=money,
                        grid=grid,
                        region_path=grid.path,
                        lat=data.lat,
                        lon=data.lon,
                        address=address,
                        source=source,
                        referral=referral,
                        order=order,
                        committee=committee,
                        received_on=received,
                        followup_days=days,
                        created_by=signed_in_user(user),
                        created_at=now,
                        updated_at=now,
                    )
                break
            except IntegrityError:
                if order is not None and Case.objects.filter(order=order).exists():
                    raise conflict(_("该工单已转人民调解"), "order") from None
        else:  # pragma: no cover - five number collisions in a row
            raise conflict(_("编号生成失败，请重试"))
        for p in parties:
            p.case = case
        Party.objects.bulk_create(parties)
        if mediators:
            case.mediators.set(mediators)
        _step(
            case,
            "from_order" if order is not None else "create",
            user,
            now,
            to_state=State.RECEIVED,
            note=case.get_source_display() + (f"：{referral}" if referral else ""),
        )
    return case


def case_from_order(user: Account, order: Any, *, now: dt.datetime | None = None) -> Case:
    """A work order of a dispute category hands over to mediation: the case takes the event's
    place, text and contact as applicant; the order records the hand-over in its trail."""
    from gridgov.workorders import services as orders
    from gridgov.workorders.models import Transition

    now = now or timezone.now()
    if order is None or not orders.can_see(user, order):
        raise not_found(_("工单不存在"))
    event = order.event
    kind = ORDER_KINDS.get(event.category.code)
    if kind is None:
        raise invalid("order", _("只有纠纷类工单可以转人民调解"))
    if Case.objects.filter(order=order).exists():
        raise conflict(_("该工单已转人民调解"), "order")
    applicant = PartyInput(
        role=PartyRole.APPLICANT,
        name=event.contact_name or _("（工单报告人）"),
        phone=event.contact_phone if identity.is_mobile(event.contact_phone or "") else "",
    )
    data = CaseInput(
        kind=kind,
        title=event.title,
        facts=event.description,
        source=CaseSource.WORK_ORDER,
        referral=event.reference,
        lat=event.lat,
        lon=event.lon,
        grid_id=event.region_id if event.region.level == Level.GRID else None,
        address=event.address,
        parties=[applicant],
        received_on=timezone.localdate(now),
    )
    with transaction.atomic():
        case = create_case(user, data, order=order, now=now)
        Transition.objects.create(
            order=order,
            action="mediation",
            from_state=order.state,
            to_state="",
            actor=signed_in_user(user),
            actor_name=actor_name(user, system=True),
            note=_("转人民调解，案件编号 %(number)s") % {"number": case.number},
            at=now,
        )
    return case


def _for_change(user: Account, case_id: int) -> Case:
    """The case, locked, for an account that may act on it."""
    case = get_case(user, case_id)
    if not can_change(user):
        raise forbidden(_("没有办理调解案件的权限"))
    locked = Case.objects.select_for_update().get(pk=case.pk)
    return locked


def _move(
    case: Case, user: Account, action: str, to: str | None, now: dt.datetime, note: str
) -> None:
    before = case.state
    if to is not None:
        case.state = to
    case.updated_at = now
    case.save()
    _step(case, action, user, now, from_state=before, to_state=to or "", note=note)


def add_session(
    user: Account,
    case_id: int,
    *,
    date: Any,
    place: str,
    mediator_ids: list[int],
    notes: str,
    now: dt.datetime | None = None,
) -> Session:
    """调解记录: a sitting; the first one moves a received case to 调解中."""
    now = now or timezone.now()
    with transaction.atomic():
        case = _for_change(user, case_id)
        if case.state not in OPEN_STATES:
            raise conflict(_("案件已有调解结果，不能再记录调解"), "state")
        on = day("date", date, today=timezone.localdate(now))
        if on < case.received_on:
            raise invalid("date", _("不能早于受理日期"))
        place_text = text("place", place, required=True)
        body = text("notes", notes, required=True)
        if not mediator_ids:
            raise invalid("mediators", _("请选择调解员"))
        mediators = _mediators(user, mediator_ids)
        session = Session.objects.create(
            case=case,
            date=on,
            place=place_text,
            notes=body,
            recorded_by=recorded_user(user),
            recorded_at=now,
        )
        session.mediators.set(mediators)
        case.mediators.add(*mediators)
        to = State.MEDIATING if case.state == State.RECEIVED else None
        _move(case, user, "session", to, now, f"{on:%Y-%m-%d} {place_text}")
    return session


def record_outcome(
    user: Account,
    case_id: int,
    *,
    outcome: str,
    date: Any,
    note: str = "",
    terms: str = "",
    perform_by: Any = None,
    now: dt.datetime | None = None,
) -> Case:
    """调解成功 (with the agreement's terms and performance deadline), 调解不成 (after at least
    one session) or 转诉讼/仲裁/信访."""
    now = now or timezone.now()
    with transaction.atomic():
        case = _for_change(user, case_id)
        if case.state not in OUTCOME_STATES:
            raise conflict(_("案件已有调解结果"), "state")
        code = _choice("outcome", outcome, Outcome.values)
        on = day("date", date, today=timezone.localdate(now))
        if on < case.received_on:
            raise invalid("date", _("不能早于受理日期"))
        note_text = text("outcome_note", note, limit=LIMITS["outcome_note"])
        sessions = case.sessions.exists()
        if code in (Outcome.AGREEMENT, Outcome.FAILED) and not sessions:
            raise conflict(_("请先记录调解过程"), "outcome")
        if code == Outcome.AGREEMENT:
            case.terms = text("terms", terms, required=True)
            if perform_by in (None, ""):
                raise invalid("perform_by", _("请填写履行期限"))
            deadline = day("perform_by", perform_by, past=False)
            if deadline < on:
                raise invalid("perform_by", _("履行期限不能早于调解日期"))
            case.perform_by = deadline
        elif code != Outcome.FAILED and not note_text:
            raise invalid("outcome_note", _("请填写转办去向及理由"))
        case.outcome = code
        case.outcome_on = on
        case.outcome_note = note_text
        _move(case, user, "outcome", OUTCOME_TO_STATE[Outcome(code)], now, str(Outcome(code).label))
    return case


def sign_agreement(
    user: Account,
    case_id: int,
    *,
    signed_on: Any,
    followup_days: int | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """The agreement is signed: the follow-up visit falls due `followup_days` later."""
    now = now or timezone.now()
    with transaction.atomic():
        case = _for_change(user, case_id)
        if case.outcome != Outcome.AGREEMENT:
            raise conflict(_("只有达成协议的案件才能签署协议书"), "state")
        if case.signed_on is not None:
            raise conflict(_("协议书已签署"), "signed_on")
        on = day("signed_on", signed_on, today=timezone.localdate(now))
        if case.outcome_on and on < case.outcome_on:
            raise invalid("signed_on", _("签署日期不能早于调解日期"))
        if followup_days is not None:
            if isinstance(followup_days, bool) or not 1 <= int(followup_days) <= 365:
                raise invalid("followup_days", _("回访期限须在1至365天之间"))
            case.followup_days = int(followup_days)
        case.signed_on = on
        FollowUp.objects.create(case=case, due_on=on + dt.timedelta(days=case.followup_days))
        _move(case, user, "sign", None, now, f"{on:%Y-%m-%d}")
    return case


def judicial_confirmation(
    user: Account,
    case_id: int,
    *,
    applied_on: Any,
    court: str,
    result: str = Judicial.PENDING,
    ruling: str = "",
    decided_on: Any = None,
    now: dt.datetime | None = None,
) -> Case:
    """司法确认 of a signed agreement: applied (pending), then confirmed or refused with the
    ruling's number and date."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    with transaction.atomic():
        case = _for_change(user, case_id)
        if case.signed_on is None:
            raise conflict(_("协议书签署后才能申请司法确认"), "judicial")
        if case.state == State.ARCHIVED:
            raise conflict(_("案件已归档"), "state")
        if case.judicial in (Judicial.CONFIRMED, Judicial.REFUSED):
            raise conflict(_("司法确认已有裁定"), "judicial")
        applied = day("applied_on", applied_on, today=today)
        if applied < case.signed_on:
            raise invalid("applied_on", _("申请日期不能早于协议签署日期"))
        code = _choice("result", result, [j for j in Judicial.values if j])
        court_text = text("court", court, required=True)
        ruling_text = text("ruling", ruling)
        decided = None
        if code != Judicial.PENDING:
            if not ruling_text:
                raise invalid("ruling", _("请填写裁定书文号"))
            if decided_on in (None, ""):
                raise invalid("decided_on", _("请填写裁定日期"))
            decided = day("decided_on", decided_on, today=today)
            if decided < applied:
                raise invalid("decided_on", _("裁定日期不能早于申请日期"))
        case.judicial = code
        case.judicial_applied_on = applied
        case.judicial_court = court_text
        case.judicial_ruling = ruling_text
        case.judicial_decided_on = decided
        _move(case, user, "judicial", None, now, f"{court_text} {Judicial(code).label}")
    return case


def record_followup(
    user: Account,
    case_id: int,
    *,
    done_on: Any,
    findings: str,
    performed: bool | None = None,
    now: dt.datetime | None = None,
) -> FollowUp:
    """回访: the earliest open visit is done; the case is then 回访完成."""
    now = now or timezone.now()
    with transaction.atomic():
        case = _for_change(user, case_id)
        visit = case.followups.filter(done_on__isnull=True).order_by("due_on", "pk").first()
        if visit is None or case.state != State.SUCCEEDED:
            raise conflict(_("该案件没有待回访事项"), "followup")
        on = day("done_on", done_on, today=timezone.localdate(now))
        if case.signed_on and on < case.signed_on:
            raise invalid("done_on", _("回访日期不能早于协议签署日期"))
        visit.done_on = on
        visit.findings = text("findings", findings, required=True)
        visit.performed = performed
        visit.visitor = recorded_user(user)
        visit.save()
        _move(case, user, "followup", State.FOLLOWED_UP, now, visit.findings[:200])
    return visit


def archive(user: Account, case_id: int, *, note: str = "", now: dt.datetime | None = None) -> Case:
    now = now or timezone.now()
    with transaction.atomic():
        case = _for_change(user, case_id)
        if case.state not in ARCHIVABLE:
            raise conflict(_("回访完成、调解不成或转办的案件才能归档"), "state")
        _move(case, user, "archive", State.ARCHIVED, now, text("notes", note))
    return case


def next_actions(user: Account, case: Case) -> list[str]:
    """What the account may do next on the case (the pages offer only these)."""
    if not can_change(user):
        return []
    out = []
    if case.state in OPEN_STATES:
        out += ["session", "outcome"]
    if case.outcome == Outcome.AGREEMENT and case.signed_on is None:
        out.append("sign")
    if case.signed_on and case.judicial in ("", Judicial.PENDING) and case.state != State.ARCHIVED:
        out.append("judicial")
    if case.state == State.SUCCEEDED and case.signed_on:
        out.append("followup")
    if case.state in ARCHIVABLE:
        out.append("archive")
    return out
